"""One polling cycle: every due source is fetched, parsed, stored, matched and queued.

Fetch and parse failures are values that end up in the source's health; one broken source
never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import Clock
from bot.matching import Catalog, Matcher
from bot.models import Source
from bot.pipeline.alerts import Post, record_post
from bot.pipeline.audience import Audience
from bot.pipeline.fetch import Fetcher
from bot.pipeline.parse import parse_document
from storage import Database

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


@dataclass(slots=True)
class CycleReport:
    """Counters of one cycle, printed by `outpost poll --once`."""

    sources: int = 0
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    items: int = 0
    new_events: int = 0
    queued: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # source name -> error kind


@dataclass(frozen=True, slots=True)
class Pipeline:
    """What a cycle needs, built once by the composition root."""

    db: Database
    fetcher: Fetcher
    matcher: Matcher
    catalog: Catalog
    clock: Clock
    poll_interval: timedelta
    concurrency: int = 8
    on_queued: Callable[[], None] | None = None  # wakes the dispatcher
    audience: Audience | None = None  # who receives what; loaded on first use if None


def backoff(interval: timedelta, failures: int) -> timedelta:
    """Return how long to wait after the n-th consecutive failure (doubling, capped)."""
    delay: timedelta = interval * (2 ** max(failures - 1, 0))
    return min(delay, max(MAX_BACKOFF, interval))


async def poll_source(pipe: Pipeline, source: Source, report: CycleReport) -> None:
    """Fetch one source and store what it has; record its health either way."""
    fetched = await pipe.fetcher.fetch(
        source.url, etag=source.etag, last_modified=source.last_modified
    )
    now = pipe.clock.now()
    if fetched.error is not None:
        report.failed += 1
        report.errors[source.name] = fetched.error.value
        await pipe.db.sources.record_failure(
            source.id,
            now=now,
            next_poll_at=now + backoff(pipe.poll_interval, source.consecutive_failures + 1),
            kind=fetched.error.value,
            detail=fetched.detail,
        )
        return
    if fetched.not_modified or fetched.body is None:
        report.not_modified += 1
        await pipe.db.sources.record_success(
            source.id,
            now=now,
            next_poll_at=now + pipe.poll_interval,
            etag=None,
            last_modified=None,
        )
        return
    # feedparser and the HTML parser are CPU-bound and synchronous: keep them off the loop.
    parsed = await asyncio.to_thread(
        parse_document,
        fetched.body,
        kind=source.kind,
        content_type=fetched.content_type,
        base_url=source.url,
    )
    if parsed.error is not None and not parsed.items:
        log.warning("source %s: %s (%s)", source.name, parsed.error.value, parsed.detail)
        report.failed += 1
        report.errors[source.name] = parsed.error.value
        await pipe.db.sources.record_failure(
            source.id,
            now=now,
            next_poll_at=now + backoff(pipe.poll_interval, source.consecutive_failures + 1),
            kind=parsed.error.value,
            detail=parsed.detail,
        )
        return
    report.ok += 1
    report.items += len(parsed.items)
    for item in parsed.items:
        outcome = await record_post(
            pipe.db,
            Post(
                item_key=item.key,
                title=item.title,
                text=item.text,
                link=item.link,
                canonical_link=item.canonical_link,
                published=item.published,
                source_id=source.id,
                source_name=source.name,
            ),
            matcher=pipe.matcher,
            catalog=pipe.catalog,
            now=now,
            audience=pipe.audience,
        )
        report.new_events += int(outcome.new)
        report.queued += outcome.queued
    # Validators are stored only after the items are, so a crash re-reads the document.
    await pipe.db.sources.record_success(
        source.id,
        now=now,
        next_poll_at=now + pipe.poll_interval,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
    )


async def run_cycle(pipe: Pipeline, *, all_sources: bool = False) -> CycleReport:
    """Poll every due source (or every active one) once, a few at a time."""
    if all_sources:
        sources = [s for s in await pipe.db.sources.all() if s.active]
    else:
        sources = await pipe.db.sources.due(pipe.clock.now())
    report = CycleReport(sources=len(sources))
    limit = asyncio.Semaphore(pipe.concurrency)

    async def one(source: Source) -> None:
        async with limit:
            try:
                await poll_source(pipe, source, report)
            except Exception:
                # A bug, not a bad feed: log it with its traceback, keep the cycle going.
                log.exception("polling source %s failed unexpectedly", source.name)
                report.failed += 1
                report.errors[source.name] = "internal_error"

    async with asyncio.TaskGroup() as group:
        for source in sources:
            group.create_task(one(source))
    if report.queued and pipe.on_queued is not None:
        pipe.on_queued()
    log.info(
        "cycle: %d sources, %d new events, %d alerts queued, %d failed",
        report.sources,
        report.new_events,
        report.queued,
        report.failed,
    )
    return report
