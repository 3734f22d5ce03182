"""Retention: what is kept only for a while is pruned every day, a small batch at a time.

- Sent, failed and cancelled outbox rows older than OUTPOST_OUTBOX_RETENTION_DAYS.
- Stories (with their events and labels) last reported more than
  OUTPOST_EVENT_RETENTION_DAYS ago. The daily counts that /status compares today with and
  the chart draws are kept (`daily_counts`).
- Story fingerprints once their joining window (`bot.pipeline.stories.WINDOW`) has passed:
  they are read only to join new reports, and are a third of what a year of stories weighs.
- Events' full texts after OUTPOST_TEXT_RETENTION_DAYS, and never while an alert about
  their story is still kept (the cutoff is the older of that and
  OUTPOST_OUTBOX_RETENTION_DAYS, and an event whose story still has an outbox row keeps
  its text anyway): the text is read only by "Why this alert?" and "Not relevant", which
  answer only while the alert is in the outbox. The title, summary, links and labels stay
  until the event itself goes, so /latest, /status and the edits of alerts are unchanged.
  It is most of an event's weight: a year of events within their 400 days would otherwise
  be most of the database.
- Telegram updates handled more than `UPDATES_KEPT` ago (their ids are kept only to drop
  one delivered twice, which Telegram does within a day), and what a chat's conversation
  was in the middle of (`storage.chat_state`) when untouched for `CHAT_STATE_KEPT`.

Each batch is one short transaction, and the job sleeps a moment between batches, so the
outbox dispatcher's own transactions get the database in between: pruning never holds
sending up. Freed pages are then given back to the file system the same way
(`Database.reclaim`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.pipeline.stories import WINDOW
from bot.runtime.clock import Clock
from bot.settings import Settings
from storage import Database

log = logging.getLogger(__name__)

BATCH = 500  # rows a transaction
RECLAIM_PAGES = 2_000  # pages (8 MB at 4 KB) handed back a step
PAUSE_S = 0.02  # between batches: the sender's transactions go first
# Telegram keeps an unconfirmed update for 24 hours at most: an id older than that is
# never delivered again.
UPDATES_KEPT = timedelta(days=2)
# A /settings prompt expires in minutes; the place named before its radius, a day later.
CHAT_STATE_KEPT = timedelta(days=1)


@dataclass(slots=True)
class RetentionReport:
    """What one run pruned."""

    outbox: int = 0
    stories: int = 0
    fingerprints: int = 0
    texts: int = 0  # events whose text was dropped
    updates: int = 0  # handled Telegram updates forgotten
    chat_state: int = 0  # chats' unfinished prompts and recent Whys forgotten
    texts_through: datetime | None = None  # events seen before this were all looked at
    pages_left: int = 0  # free pages still in the file (0: all given back)


async def _in_batches(step: Callable[[], Awaitable[int]], batch: int) -> int:
    """Run a batch step until it takes less than a full batch; return the total."""
    total = 0
    while True:
        done = await step()
        total += done
        if done < batch:
            return total
        await asyncio.sleep(PAUSE_S)


def text_cutoff(settings: Settings, now: datetime) -> datetime:
    """Return the time before which events lose their text: never sooner than their alerts."""
    days = max(settings.text_retention_days, settings.outbox_retention_days)
    return now - timedelta(days=days)


async def _drop_texts(db: Database, *, before: datetime, since: datetime | None, batch: int) -> int:
    """Drop the texts of events seen in [since, before) (since None: from the oldest)."""
    after = (since.timestamp() if since is not None else 0.0, 0)  # Unix seconds: all
    total = 0
    while True:
        step = await db.retention.drop_texts(before=before, after=after, limit=batch)
        total += step.dropped
        if step.examined < batch:
            return total
        after = step.last
        await asyncio.sleep(PAUSE_S)


async def run_retention(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    batch: int = BATCH,
    texts_since: datetime | None = None,
) -> RetentionReport:
    """Prune everything that is past its time, in batches, then reclaim the space.

    Events' texts are looked for among the events seen from `texts_since` on (None: all
    of them). The daily job passes a day before the previous run's `texts_through`, so a
    day's run walks about a day of events, and its first run after a start walks them all
    once (catching any event that kept its text because its alert was still kept then).
    """
    now: datetime = clock.now()
    report = RetentionReport()
    outbox_before = now - timedelta(days=settings.outbox_retention_days)
    events_before = now - timedelta(days=settings.event_retention_days)
    report.outbox = await _in_batches(
        lambda: db.retention.prune_outbox(before=outbox_before, limit=batch), batch
    )
    report.stories = await _in_batches(
        lambda: db.retention.prune_stories(before=events_before, limit=batch), batch
    )
    report.fingerprints = await _in_batches(
        lambda: db.retention.drop_fingerprints(before=now - WINDOW, limit=batch), batch
    )
    report.updates = await _in_batches(
        lambda: db.updates.prune(before=now - UPDATES_KEPT, limit=batch), batch
    )
    report.chat_state = await _in_batches(
        lambda: db.chat_state.prune(before=now - CHAT_STATE_KEPT, limit=batch), batch
    )
    texts_before = text_cutoff(settings, now)
    report.texts = await _drop_texts(db, before=texts_before, since=texts_since, batch=batch)
    report.texts_through = texts_before
    left = await db.reclaim(RECLAIM_PAGES)
    while left > 0:
        await asyncio.sleep(PAUSE_S)
        before, left = left, await db.reclaim(RECLAIM_PAGES)
        if left >= before:
            break  # nothing more can be handed back (another connection holds pages)
    report.pages_left = left
    log.info(
        "retention: %d outbox rows, %d stories, %d fingerprints, %d events' texts, %d updates"
        " and %d chats' unfinished state pruned; %d free pages left",
        report.outbox,
        report.stories,
        report.fingerprints,
        report.texts,
        report.updates,
        report.chat_state,
        report.pages_left,
    )
    return report
