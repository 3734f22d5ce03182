"""When to poll a source next: pure arithmetic over seconds, no I/O.

A polite poller spreads its sources over the interval (each source keeps a stable slot on
its own grid, so 500 sources added at once do not stay bunched), never polls below the
operator's minimum, stretches the interval when the server asks (`Cache-Control: max-age`,
RSS `<ttl>`, `Retry-After`) up to a ceiling, and backs off exponentially with jitter on
errors so that many failing sources do not retry in lockstep.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import statistics
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# A source is polled about this many times between two of its new items (the rhythm it
# showed), so a post waits for its poll a fortieth of the source's own gap on average, never
# less than the operator's minimum: conditional GET makes the extra polls cheap.
POLLS_PER_ITEM = 20
RHYTHM_ITEMS = 20  # the newest dated items of a document its rhythm is read from
GAP_WEIGHT = 0.3  # how much one observed gap moves the learned one, without dates
LATE_SLACK = 0.1  # a poll this late (a fraction of its interval) still keeps its next slot
MAX_BACKOFF = 6 * 3600.0  # errors never push the next attempt further than this (before jitter)
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def stable_fraction(source_id: int) -> float:
    """Return a number in [0, 1) fixed for a source: its slot within the interval."""
    digest = hashlib.sha1(f"outpost-slot-{source_id}".encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def clamp(seconds: float, minimum: float, maximum: float) -> float:
    """Keep seconds within [minimum, maximum]."""
    return max(minimum, min(seconds, maximum))


def parse_max_age(cache_control: str | None) -> float | None:
    """Return the max-age of a Cache-Control header in seconds, if it gives one."""
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control)
    return float(match.group(1)) if match else None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Return the seconds a Retry-After header asks to wait (delta-seconds or an HTTP date)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # not "²", a digit to isdigit that float() refuses
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def polite_interval(
    base: float,
    *,
    minimum: float,
    maximum: float,
    max_age: float | None = None,
    ttl_minutes: int | None = None,
) -> float:
    """Return the interval to use: the source's own, stretched by the server's hints, bounded."""
    interval = base
    if max_age is not None:
        interval = max(interval, max_age)
    if ttl_minutes is not None and ttl_minutes > 0:
        interval = max(interval, ttl_minutes * 60.0)
    return clamp(interval, minimum, maximum)


def next_slot(
    now: datetime,
    interval: float,
    source_id: int,
    *,
    minimum: float,
    due: datetime | None = None,
) -> datetime:
    """Return the next time on the source's grid at least max(interval/2, minimum) ahead.

    The grid has period `interval` and a phase fixed by the source id, so sources spread
    evenly across the interval and each keeps polling at its own moment. "Ahead" counts
    from `due`, the slot this poll was made for, when the poll ran at most LATE_SLACK of
    the interval after it: otherwise, with the interval at the minimum, every poll a
    moment late would skip a whole period. Slots are then never closer than the minimum.
    """
    phase = stable_fraction(source_id) * interval
    start = now.timestamp()
    if due is not None and 0 <= start - due.timestamp() <= LATE_SLACK * interval:
        start = due.timestamp()
    earliest = start + max(interval / 2, minimum)
    # The small tolerance keeps a poll made exactly on its slot from skipping a period.
    steps = math.ceil((earliest - phase) / interval - 1e-9)
    return datetime.fromtimestamp(phase + steps * interval, UTC)


def error_delay(
    interval: float,
    failures: int,
    *,
    minimum: float,
    maximum: float,
    rand: Callable[[], float],
    retry_after: float | None = None,
) -> timedelta:
    """Return how long to wait after the n-th consecutive failure.

    Doubling from the interval, capped at MAX_BACKOFF (or the interval if that is longer),
    then scaled by a random factor in [0.5, 1.5) so failing sources drift apart; never
    below the minimum or a server's Retry-After, never above the maximum.
    """
    base = min(interval * 2 ** max(failures - 1, 0), max(MAX_BACKOFF, interval))
    delay = base * (0.5 + rand())
    if retry_after is not None:
        delay = max(delay, retry_after)
    return timedelta(seconds=clamp(delay, minimum, maximum))


def rhythm(published: Iterable[datetime | None]) -> float | None:
    """Return the median seconds between a document's newest dated items (None: too few).

    A feed lists its latest items with their dates: their spacing is the source's own
    rhythm, known from its first poll on.
    """
    dates = sorted((when.timestamp() for when in published if when is not None), reverse=True)
    gaps = [newer - older for newer, older in itertools.pairwise(dates[:RHYTHM_ITEMS])]
    gaps = [gap for gap in gaps if gap > 0]
    return statistics.median(gaps) if gaps else None


def learn_gap(
    known: float | None,
    *,
    document: float | None,
    new_items: int,
    since_last: float | None,
) -> float | None:
    """Return a source's gap between items after a poll.

    The document's own dates win (`rhythm`); without them, the gap observed since the
    last new item (spread over the items found) moves the known one by GAP_WEIGHT.
    """
    if document is not None:
        return document
    if new_items <= 0 or since_last is None or since_last <= 0:
        return known
    observed = since_last / new_items
    return observed if known is None else (1 - GAP_WEIGHT) * known + GAP_WEIGHT * observed


def learned_interval(
    base: float, *, gap: float | None, quiet_for: float | None, minimum: float
) -> float:
    """Return the interval a source's rhythm calls for, between `minimum` and `base`.

    `base` (the operator's interval) is for a source whose rhythm is not known yet, and
    the ceiling for any; a source that has gone quiet for longer than its gap slows
    down with the silence.
    """
    if gap is None:
        return base
    spell = max(gap, quiet_for or 0.0)
    return clamp(spell / POLLS_PER_ITEM, minimum, max(base, minimum))
