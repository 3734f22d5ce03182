"""One polling cycle: every due source is fetched, parsed, stored, matched and queued.

Fetch and parse failures are values that end up in the source's health; one broken source
never stops the others. Politeness lives here and in `bot.pipeline.schedule`: a global and
a per-host concurrency limit, per-source intervals stretched by the server's hints, polls
spread over the interval, backoff with jitter, and deactivation after many failures.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Mapping
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.matching import Catalog, Matcher
from bot.models import ErrorKind, ParsedItem, Source, SourceKind
from bot.pipeline import schedule
from bot.pipeline.alerts import Analysed, Outcome, Post, record_posts
from bot.pipeline.audience import Audience
from bot.pipeline.fetch.fetcher import Fetcher
from bot.pipeline.stories import MAX_CANDIDATES, RecentStories
from bot.pipeline.stories import WINDOW as STORY_WINDOW
from bot.pipeline.workers import (
    Digest,
    digest_packed,
    read_document,
    unpack_digest,
    with_analyses,
)
from bot.runtime.clock import Clock
from bot.settings import Settings
from storage import Database

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(seconds=schedule.MAX_BACKOFF)

# Told when failures turned a source off: (the source as it was, the last error kind).
DeactivationHook = Callable[[Source, str], Awaitable[None]]
# Told when a source that was failing answers again: (the source as it was before the poll).
RecoveryHook = Callable[[Source], Awaitable[None]]


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
    edited: int = 0  # known items whose content changed: their events were updated
    backfilled: int = 0  # items of a new source stored silently on its first poll
    errors: dict[str, str] = field(default_factory=dict)  # source name -> error kind
    deactivated: list[str] = field(default_factory=list)  # names turned off in this cycle


@dataclass(frozen=True, slots=True)
class Pipeline:
    """What a cycle needs, built once by the composition root."""

    db: Database
    fetcher: Fetcher
    matcher: Matcher
    catalog: Catalog
    clock: Clock
    poll_interval: timedelta  # the operator's default interval
    concurrency: int = 8  # sources polled at once, overall
    on_queued: Callable[[], None] | None = None  # wakes the dispatcher
    per_host: int = 2  # sources polled at once on one host
    min_interval: timedelta = timedelta(seconds=1)
    max_interval: timedelta = timedelta(hours=24)
    max_failures: int = 10  # consecutive failures that turn a source off
    backfill_alerts: int = 0  # on a source's first poll, alert its newest N items
    channel_backfill_pages: int = 0  # older t.me/s pages read on a channel's first poll
    rand: Callable[[], float] = random.random  # backoff jitter; tests pass a fixed one
    on_deactivated: DeactivationHook | None = None
    on_recovered: RecoveryHook | None = None
    failing_after: int = 3  # failures in a row after which a source's return is news
    # Worker processes for parsing and matching (bot.pipeline.workers); None: parse in a
    # thread and match inline, which is enough until thousands of items arrive at once.
    executor: Executor | None = None
    audience: Audience | None = None  # who receives what; loaded on first use if None
    # The recent stories' signatures, decoded once; synced at the start of each source's
    # transaction, so it is never staler than the stories table.
    stories: RecentStories = field(default_factory=RecentStories)

    async def digest(
        self,
        body: bytes,
        *,
        kind: SourceKind,
        content_type: str | None,
        base_url: str,
        known: Mapping[str, str | None],
        taken: Collection[str] = (),
    ) -> Digest:
        """Parse a document and analyse its new and changed items, off the event loop.

        With worker processes both happen in one task there; without, the parse runs in a
        thread (feedparser and lexbor are CPU-bound) and the matching inline.
        """
        read_ = functools.partial(
            read_document,
            body,
            kind=kind,
            content_type=content_type,
            base_url=base_url,
            known=known,
            taken=taken,
        )
        if self.executor is None:
            return with_analyses(self.matcher, await asyncio.to_thread(read_))
        job = functools.partial(digest_packed, read_)
        loop = asyncio.get_running_loop()
        try:
            return unpack_digest(await loop.run_in_executor(self.executor, job))
        except BrokenProcessPool:
            # A worker died while this document was in the pool, maybe for another one:
            # once more on new workers (`WorkerPool`). A second death is taken to be this
            # document's (if it was once more another's, the source fails this poll only).
            log.warning("a worker died while reading %s; reading it again", base_url)
            return unpack_digest(await loop.run_in_executor(self.executor, job))

    def interval_of(self, source: Source) -> float:
        """Return a source's base interval in seconds, within the operator's bounds."""
        base = source.poll_interval or self.poll_interval.total_seconds()
        return schedule.clamp(
            base, self.min_interval.total_seconds(), self.max_interval.total_seconds()
        )

    def next_poll(self, source: Source, now: datetime, interval: float) -> datetime:
        """Return when a source that answered is polled next: its slot on its grid."""
        return schedule.next_slot(
            now, interval, source.id, minimum=self.min_interval.total_seconds()
        )


def build_pipeline(
    settings: Settings,
    *,
    db: Database,
    fetcher: Fetcher,
    matcher: Matcher,
    catalog: Catalog,
    clock: Clock,
    on_queued: Callable[[], None] | None = None,
    on_deactivated: DeactivationHook | None = None,
    on_recovered: RecoveryHook | None = None,
    executor: Executor | None = None,
) -> Pipeline:
    """Build the pipeline the settings describe (the bot and the CLI share this)."""
    minimum = min(settings.min_poll_interval, settings.poll_interval)
    return Pipeline(
        db=db,
        fetcher=fetcher,
        matcher=matcher,
        catalog=catalog,
        clock=clock,
        poll_interval=timedelta(seconds=settings.poll_interval),
        concurrency=settings.poll_concurrency,
        on_queued=on_queued,
        per_host=settings.per_host_concurrency,
        min_interval=timedelta(seconds=minimum),
        max_interval=timedelta(seconds=max(settings.max_poll_interval, settings.poll_interval)),
        max_failures=settings.max_failures,
        backfill_alerts=settings.backfill_alerts,
        channel_backfill_pages=settings.channel_backfill_pages,
        on_deactivated=on_deactivated,
        on_recovered=on_recovered,
        executor=executor,
        audience=Audience(catalog, matcher.places),
    )


def backoff(interval: timedelta, failures: int) -> timedelta:
    """Return how long to wait after the n-th consecutive failure (doubling, capped, no jitter)."""
    delay: timedelta = interval * (2 ** max(failures - 1, 0))
    return min(delay, max(MAX_BACKOFF, interval))


async def _fail(
    pipe: Pipeline,
    source: Source,
    report: CycleReport,
    *,
    now: datetime,
    kind: ErrorKind,
    detail: str,
    retry_after: str | None = None,
) -> None:
    """Record a failed poll, back off with jitter, and turn the source off if it keeps failing."""
    log.warning("source %s (%d) failed: %s (%s)", source.name, source.id, kind.value, detail)
    report.failed += 1
    report.errors[source.name] = kind.value
    failures = source.consecutive_failures + 1
    delay = schedule.error_delay(
        pipe.interval_of(source),
        failures,
        minimum=pipe.min_interval.total_seconds(),
        maximum=pipe.max_interval.total_seconds(),
        rand=pipe.rand,
        retry_after=schedule.parse_retry_after(retry_after, now),
    )
    await pipe.db.sources.record_failure(
        source.id,
        now=now,
        next_poll_at=now + delay,
        kind=kind.value,
        detail=detail,
        failing_after=pipe.failing_after,
    )
    if failures < pipe.max_failures:
        return
    if not await pipe.db.sources.deactivate_failing(
        source.id, max_failures=pipe.max_failures, now=now
    ):
        return
    log.warning(
        "source %s (%d) turned off after %d consecutive failures, last: %s",
        source.name,
        source.id,
        failures,
        kind.value,
    )
    report.deactivated.append(source.name)
    if pipe.on_deactivated is not None:
        try:
            await pipe.on_deactivated(source, kind.value)
        except Exception:
            # Telling admins is best effort; the source is off and /sources shows why.
            log.exception("could not tell admins that source %s was turned off", source.name)


async def _older_pages(
    pipe: Pipeline, source: Source, first: Digest, known: Mapping[str, str | None]
) -> list[Digest]:
    """Read up to channel_backfill_pages older pages of a channel (`?before=ID`)."""
    pages: list[Digest] = []
    taken = {item.key for item in first.fresh}  # a newer page's item wins over an older's
    url = first.older
    for _ in range(pipe.channel_backfill_pages):
        if url is None:
            break
        fetched = await pipe.fetcher.fetch(url)
        if fetched.body is None:
            break  # the newest page is stored; older history is a nicety
        try:
            page = await pipe.digest(
                fetched.body,
                kind=source.kind,
                content_type=None,
                base_url=url,
                known=known,
                taken=taken,
            )
        except BrokenProcessPool:
            log.warning("source %s: a worker died reading %s, twice", source.name, url)
            break  # the newer pages are stored; older history is a nicety
        if not page.count or page.older == url:
            break  # nothing older: a server that ignores ?before= must not loop us
        pages.append(page)
        taken.update(item.key for item in page.fresh)
        url = page.older
    return pages


def _alerted_on_first_poll(items: list[ParsedItem], count: int) -> set[str]:
    """Return the keys of the newest `count` items (undated ones count as oldest)."""
    if count <= 0:
        return set()
    dated = sorted(
        enumerate(items),
        key=lambda pair: (pair[1].published is not None, pair[1].published, -pair[0]),
        reverse=True,
    )
    return {item.key for _, item in dated[:count]}


async def _recovered(pipe: Pipeline, source: Source, *, back: bool) -> None:
    """Tell the admins, once, that a source which was failing answers again."""
    if not back:
        return
    log.info("source %s (%d) answers again", source.name, source.id)
    if pipe.on_recovered is not None:
        try:
            await pipe.on_recovered(source)
        except Exception:
            # Best effort, like the note that it was turned off.
            log.exception("could not tell admins that source %s is back", source.name)


async def poll_source(pipe: Pipeline, source: Source, report: CycleReport) -> None:
    """Fetch one source and store what it has; record its health either way."""
    fetched = await pipe.fetcher.fetch(
        source.url, etag=source.etag, last_modified=source.last_modified
    )
    now = pipe.clock.now()
    if fetched.error is not None:
        await _fail(
            pipe,
            source,
            report,
            now=now,
            kind=fetched.error,
            detail=fetched.detail,
            retry_after=fetched.retry_after,
        )
        return
    max_age = schedule.parse_max_age(fetched.cache_control)
    interval = schedule.polite_interval(
        pipe.interval_of(source),
        minimum=pipe.min_interval.total_seconds(),
        maximum=pipe.max_interval.total_seconds(),
        max_age=max_age,
    )
    if fetched.not_modified or fetched.body is None:
        report.not_modified += 1
        # The feed is as it was, so its <ttl> still holds.
        interval = schedule.polite_interval(
            interval,
            minimum=pipe.min_interval.total_seconds(),
            maximum=pipe.max_interval.total_seconds(),
            ttl_minutes=source.ttl_minutes,
        )
        back = await pipe.db.sources.record_success(
            source.id,
            now=now,
            next_poll_at=pipe.next_poll(source, now, interval),
            etag=None,
            last_modified=None,
            keep_ttl=True,
        )
        await _recovered(pipe, source, back=back)
        return
    known = await pipe.db.events.known(source.id)
    try:
        page = await pipe.digest(
            fetched.body,
            kind=source.kind,
            content_type=fetched.content_type,
            base_url=source.url,
            known=known,
        )
    except BrokenProcessPool:
        detail = "a worker process died reading the document, twice"
        await _fail(pipe, source, report, now=now, kind=ErrorKind.PARSER_CRASH, detail=detail)
        return
    parsed = page.result
    if parsed.error is not None and not page.count:
        await _fail(pipe, source, report, now=now, kind=parsed.error, detail=parsed.detail or "")
        return
    interval = schedule.polite_interval(
        interval,
        minimum=pipe.min_interval.total_seconds(),
        maximum=pipe.max_interval.total_seconds(),
        ttl_minutes=parsed.ttl_minutes,
    )
    pages = [page]
    first_poll = not source.backfilled
    if first_poll and source.kind is SourceKind.TELEGRAM and pipe.channel_backfill_pages:
        pages.extend(await _older_pages(pipe, source, page, known))
    report.ok += 1
    report.items += sum(one.count for one in pages)
    posts = _fresh_posts(pipe, source, pages, first_poll=first_poll)
    mirror = pipe.stories
    # The items and the validators in one transaction: a crash keeps neither, so the next
    # poll reads the document again (and one transaction is fewer database round trips).
    async with pipe.db.transaction():
        outcomes, settled = await _record(pipe, posts, now=now) if posts else ([], None)
        back = await pipe.db.sources.record_success(
            source.id,
            now=now,
            next_poll_at=pipe.next_poll(source, now, interval),
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            backfilled=True,
            ttl_minutes=parsed.ttl_minutes,
        )
    if settled is not None:
        mirror.version = settled  # committed: the mirror matches the table
    for analysed, outcome in zip(posts, outcomes, strict=True):
        report.new_events += int(outcome.new)
        report.edited += int(outcome.edited)
        report.backfilled += int(outcome.new and not analysed.alert)
        report.queued += outcome.queued
    await _recovered(pipe, source, back=back)
    if parsed.warning is not None:
        # Read, but damaged: the health names the damage without counting a failure.
        log.warning("source %s: %s (%s)", source.name, parsed.warning.value, parsed.detail)
        await pipe.db.sources.record_problem(
            source.id, now=now, kind=parsed.warning.value, detail=parsed.detail
        )


def _fresh_posts(
    pipe: Pipeline, source: Source, pages: list[Digest], *, first_poll: bool
) -> list[Analysed]:
    """Return the new and edited items of one source's pages, ready to be recorded.

    The pages are sifted and analysed already (`Pipeline.digest`): items stored before with
    the same content were dropped before matching, so re-reading a feed of 50 known items
    costs 50 dictionary look-ups, not 50 classifications.
    """
    fresh = [
        (item, digest, analysis)
        for page in pages
        for item, digest, analysis in zip(page.fresh, page.hashes, page.analyses, strict=True)
    ]
    alerted = (
        _alerted_on_first_poll([item for item, _, _ in fresh], pipe.backfill_alerts)
        if first_poll
        else None
    )
    return [
        Analysed(
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
            classification,
            summary,
            signature,
            digest,
            alert=alerted is None or item.key in alerted,
        )
        for item, digest, (classification, summary, signature) in fresh
    ]


async def _record(
    pipe: Pipeline, posts: list[Analysed], *, now: datetime
) -> tuple[list[Outcome], tuple[int, int]]:
    """Record one source's posts; runs inside the caller's transaction.

    Returns the outcomes and the stories table's version the mirror matches once the
    caller's transaction commits (the caller sets it then, and only then).
    """
    mirror = pipe.stories
    # A new source's silent first poll joins stories too: its items may tell what other
    # sources already reported, and they count as corroboration ("3 sources"), and a
    # later report must find them rather than start the story again. With the index
    # joining costs little, so there is nothing to gain from skipping it.
    # The mirror is re-read only when the stories table changed since it last matched
    # it: once per source it would be hundreds of rows decoded, most polls, for nothing.
    # Stories that left the window in the meantime are skipped by `choose` itself.
    version = await pipe.db.events.stories_version()
    if version != mirror.version:
        mirror.sync(
            await pipe.db.events.recent_signatures(since=now - STORY_WINDOW, limit=MAX_CANDIDATES)
        )
    mirror.version = None  # until the transaction commits, the mirror may run ahead
    outcomes = await record_posts(
        pipe.db,
        posts,
        matcher=pipe.matcher,
        catalog=pipe.catalog,
        now=now,
        stories=mirror,
        audience=pipe.audience,
    )
    # No other connection can commit while this transaction holds the write lock, and
    # `record_posts` touched the mirror with every story it wrote.
    return outcomes, (version[0], pipe.db.events.stories_writes)


def _host(source: Source) -> str:
    try:
        return (urlsplit(source.url).hostname or "").lower()
    except ValueError:
        return ""


async def run_cycle(pipe: Pipeline, *, all_sources: bool = False) -> CycleReport:
    """Poll every due source (or every active one) once, a few at a time and per host."""
    if all_sources:
        sources = [s for s in await pipe.db.sources.all() if s.active]
    else:
        sources = await pipe.db.sources.due(pipe.clock.now())
    report = CycleReport(sources=len(sources))
    limit = asyncio.Semaphore(pipe.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}

    async def one(source: Source) -> None:
        host_limit = hosts.setdefault(_host(source), asyncio.Semaphore(pipe.per_host))
        # The host's slot first: a task waiting for a busy host holds no global slot.
        async with host_limit, limit:
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
        "cycle: %d sources, %d new events (%d silent backfill, %d edited), "
        "%d alerts queued, %d failed",
        report.sources,
        report.new_events,
        report.backfilled,
        report.edited,
        report.queued,
        report.failed,
    )
    return report
