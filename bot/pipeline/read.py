"""Reading a fetched document: keep its new and changed items and analyse only those.

An item stored before with the same content is dropped before it is analysed, so a feed
that repeats what it said costs a hash per item, not a classification. A source gets at
most `limit` new items analysed per poll, the oldest first: the rest wait for the next
poll, so a flood of items costs its own source time, not everyone's. An item whose
analysis fails is left out and named (`Page.rejected`), and the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.matching import Matcher
from bot.models import ErrorKind, ParsedItem, ParseResult, SourceKind
from bot.pipeline import schedule
from bot.pipeline.analysis import Analysis, analyse, content_hash
from bot.pipeline.parse.telegram_channel import older_page_url

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched document reduced to what storing it needs."""

    parsed: ParseResult  # its title, error, warning, detail and ttl; `items` is left empty
    count: int  # how many items the document had
    fresh: tuple[ParsedItem, ...]  # its new and changed items, in document order
    analyses: tuple[Analysis, ...]  # the analysis of each fresh item
    older: str | None = None  # a channel page's next older page (`?before=ID`), if any
    rhythm: float | None = None  # median seconds between its newest dated items
    deferred: int = 0  # new items beyond the limit, left for the next poll
    rejected: tuple[str, ...] = ()  # items that could not be read: "key: error", each

    @property
    def failure(self) -> ErrorKind | None:
        """Return the error that left the document without items, if one did."""
        return None if self.count else self.parsed.error


def page_of(
    parsed: ParseResult,
    matcher: Matcher,
    *,
    kind: SourceKind,
    base_url: str,
    known: Mapping[str, str | None],
    taken: Collection[str] = (),
    limit: int | None = None,
) -> Page:
    """Keep a parsed document's new and changed items, analysed.

    `known` maps the source's stored item keys to their content hashes: an item stored
    before with the same content is skipped. `taken` are keys already read from a newer
    page of the same poll; the first of a key wins. With a `limit`, only that many of the
    new and changed items are analysed, the oldest (`oldest_first`), and kept in document
    order; the others count as `deferred`.
    """
    fresh: dict[str, tuple[ParsedItem, str]] = {}
    for item in parsed.items:
        if item.key in fresh or item.key in taken:
            continue
        hashed = content_hash(item.title, item.text)
        if known.get(item.key) != hashed:
            fresh[item.key] = (item, hashed)
    chosen = list(fresh.values())
    deferred = 0
    if limit is not None and len(chosen) > limit:
        keep = {item.key for item in oldest_first([item for item, _ in chosen])[:limit]}
        chosen = [pair for pair in chosen if pair[0].key in keep]
        deferred = len(fresh) - len(chosen)
    kept: list[ParsedItem] = []
    analyses: list[Analysis] = []
    rejected: list[str] = []
    for item, hashed in chosen:
        try:
            analysis = analyse(matcher, item.title, item.text, hashed=hashed)
        except Exception as exc:
            log.exception("could not analyse item %s of %s", item.key[:100], base_url)
            rejected.append(f"{item.key[:100]}: {type(exc).__name__}: {str(exc)[:100]}")
            continue
        kept.append(item)
        analyses.append(analysis)
    return Page(
        parsed=replace(parsed, items=()),
        count=len(parsed.items),
        fresh=tuple(kept),
        analyses=tuple(analyses),
        older=older_page_url(base_url, parsed.items) if kind is SourceKind.TELEGRAM else None,
        rhythm=schedule.rhythm(item.published for item in parsed.items),
        deferred=deferred,
        rejected=tuple(rejected),
    )


def oldest_first(items: Sequence[ParsedItem]) -> list[ParsedItem]:
    """Return items from the oldest: by date, an undated one counting as older than any
    dated one, and among undated ones the later in the document as the older (feeds and
    channel pages list the newest first)."""
    order = sorted(
        enumerate(items),
        key=lambda pair: (
            pair[1].published is not None,
            pair[1].published or _NO_DATE,
            -pair[0],
        ),
    )
    return [item for _, item in order]


_NO_DATE = datetime.min.replace(tzinfo=UTC)
