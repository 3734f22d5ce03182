"""One polling cycle: every due source is fetched, read, stored and its alerts queued.

`poll_source` is the ingest spine, one named step after another: fetch the document, read
it (`bot.pipeline.read`: parse, keep what is new, analyse), store its posts and queue
their alerts (`bot.pipeline.store`), then record the source's health.

Fetch and parse failures are values that end up in the source's health, and so does any
exception raised while reading or storing a source's items: one broken source never stops
the others, and one bad item never costs its source the others (`_store` stores them one
by one when the batch fails). A source gets at most `max_items_per_poll` new items read
per poll, the oldest first; the rest are read at the next poll. A channel's identity (its
title and id) is remembered: a new title is reported to the admins, and a new id, which
means another channel now holds the name, pauses the source until they resume it.
Politeness lives here and in `bot.pipeline.schedule`: a global and
a per-host concurrency limit, per-source intervals stretched by the server's hints, polls
spread over the interval, backoff with jitter, and deactivation after many failures.

Each source has budgets, so that none holds up the others: its fetch has a total deadline
(the fetcher's), reading the document a time budget in the worker and a deadline here (a
reader that overruns fails the source's poll as too slow), and the alerts a source queued
wake the dispatcher as soon as they are stored, not when the whole cycle is done.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Coroutine, Mapping, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.matching import Catalog, Matcher
from bot.models import ErrorKind, FetchResult, ParsedItem, ParseResult, Source, SourceKind
from bot.pipeline import schedule
from bot.pipeline.audience import Audience
from bot.pipeline.fetch.fetcher import Fetcher
from bot.pipeline.parse import parse_document
from bot.pipeline.parse.identity import origin_of
from bot.pipeline.read import Page, page_of
from bot.pipeline.store import Outcome, Post, record_posts
from bot.pipeline.stories import StoryMirror
from bot.pipeline.workers import PAGES, ParseBudgetError, read_in_worker
from bot.runtime.clock import Clock
from bot.runtime.lease import LeaseTimings
from bot.settings import Settings
from storage import Database

if TYPE_CHECKING:
    from bot.pipeline.websub import Subscriber

log = logging.getLogger(__name__)

# Told when failures turned a source off: (the source as it was, the last error kind).
DeactivationHook = Callable[[Source, str], Awaitable[None]]
# Told when a source that was failing answers again: (the source as it was before the poll).
RecoveryHook = Callable[[Source], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class IdentityChange:
    """A channel's page shows another title, or another channel (another id)."""

    source: Source  # as it was, with the identity remembered before
    title: str | None  # what the page shows now
    channel_id: int | None
    paused: bool  # another channel: the source was paused


# Told when a channel's identity changed.
IdentityHook = Callable[[IdentityChange], Awaitable[None]]


@dataclass(slots=True)
class CycleReport:
    """Counters of one cycle, printed by `outpost poll --once`."""

    sources: int = 0
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    items: int = 0
    new_events: int = 0
    joined: int = 0  # new events that joined a story another report had started
    queued: int = 0
    edited: int = 0  # known items whose content changed: their events were updated
    backfilled: int = 0  # items of a new source stored silently on its first poll
    deferred: int = 0  # new items beyond a source's limit per poll, left for its next poll
    rejected: int = 0  # items that could not be read or stored (their sources say which)
    errors: dict[str, str] = field(default_factory=dict)  # source name -> error kind
    deactivated: list[str] = field(default_factory=list)  # names turned off in this cycle
    unrecorded: list[str] = field(default_factory=list)  # names whose failure was not stored


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
    # Seconds reading one document may take in a worker; the cycle waits twice that for
    # it (a queue for the workers included) before it gives the source up as too slow.
    parse_budget: float = 10.0
    audience: Audience | None = None  # who receives what; loaded on first use if None
    # The recent stories, kept in step with the stories table across polls.
    stories: StoryMirror = field(default_factory=StoryMirror)
    # Subscribes feeds that name a WebSub hub (None: WebSub is off).
    websub: Subscriber | None = None
    max_items_per_poll: int | None = None  # new items read per source and poll; None: all
    edit_interval: timedelta = timedelta(0)  # the least time between two edits of a message
    on_identity_changed: IdentityHook | None = None

    async def read(
        self,
        body: bytes,
        *,
        kind: SourceKind,
        content_type: str | None,
        base_url: str,
        known: Mapping[str, str | None],
        taken: Collection[str] = (),
        limit: int | None = None,
    ) -> Page:
        """Parse a document and analyse its new and changed items, off the event loop.

        With worker processes both happen in one task there; without, the parse runs in a
        thread (feedparser and lexbor are CPU-bound) and the analysis inline. At most
        `limit` new items are analysed (`page_of`).
        """
        parse = functools.partial(
            parse_document, body, kind=kind, content_type=content_type, base_url=base_url
        )
        sift = functools.partial(
            page_of, kind=kind, base_url=base_url, known=known, taken=taken, limit=limit
        )
        async with asyncio.timeout(2 * self.parse_budget):
            return await self._read(parse, sift, base_url)

    async def _read(
        self,
        parse: Callable[[], ParseResult],
        sift: Callable[[ParseResult, Matcher], Page],
        base_url: str,
    ) -> Page:
        if self.executor is None:
            return sift(await asyncio.to_thread(parse), self.matcher)
        job = functools.partial(read_in_worker, parse, sift, self.parse_budget)
        loop = asyncio.get_running_loop()
        try:
            return PAGES.unpack(await loop.run_in_executor(self.executor, job))
        except BrokenProcessPool:
            # A worker died while this document was in the pool, maybe for another one:
            # once more on new workers (`WorkerPool`). A second death is taken to be this
            # document's (if it was once more another's, the source fails this poll only).
            log.warning("a worker died while reading %s; reading it again", base_url)
            return PAGES.unpack(await loop.run_in_executor(self.executor, job))

    def interval_of(self, source: Source, now: datetime | None = None) -> float:
        """Return a source's interval in seconds, within the operator's bounds.

        An interval the operator set for the source is kept as it is; otherwise the
        source's own rhythm (`schedule.learned_interval`) decides, up to the default.
        """
        minimum = self.min_interval.total_seconds()
        if source.poll_interval:
            base = source.poll_interval
        else:
            quiet = None
            if now is not None and source.last_item_at is not None:
                quiet = (now - source.last_item_at).total_seconds()
            base = schedule.learned_interval(
                self.poll_interval.total_seconds(),
                gap=source.item_gap,
                quiet_for=quiet,
                minimum=minimum,
            )
        return schedule.clamp(base, minimum, self.max_interval.total_seconds())

    def next_poll(self, source: Source, now: datetime, interval: float) -> datetime:
        """Return when a source that answered is polled next: its slot on its grid."""
        return schedule.next_slot(
            now,
            interval,
            source.id,
            minimum=self.min_interval.total_seconds(),
            due=source.next_poll_at,
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
    websub: Subscriber | None = None,
    on_identity_changed: IdentityHook | None = None,
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
        websub=websub,
        max_items_per_poll=settings.max_items_per_poll,
        edit_interval=timedelta(seconds=settings.edit_interval),
        on_identity_changed=on_identity_changed,
        parse_budget=settings.parse_budget,
    )


async def run_cycle(
    pipe: Pipeline, *, all_sources: bool = False, holder: str | None = None
) -> CycleReport:
    """Poll every due source (or every active one) once, a few at a time and per host.

    With `holder` (an id of this cycle's own, not a running instance's) the sources are
    leased as the polling loop leases them (`SourceRepository.claim_due`), a few at a time
    as polls end, so that a cycle beside running instances on one database never polls a
    source one of them is polling, nor one it polled since the cycle began. The holder
    keeps a heartbeat while the cycle runs and leaves when it ends.
    """
    report = CycleReport()
    limit = asyncio.Semaphore(pipe.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}

    async def one(source: Source) -> None:
        host_limit = hosts.setdefault(host_of(source), asyncio.Semaphore(pipe.per_host))
        # The host's slot first: a task waiting for a busy host holds no global slot.
        async with host_limit, limit:
            try:
                await poll_source(pipe, source, report)
            except Exception:
                # A bug outside the source's own poll (which records its failures itself):
                # log it with its traceback, keep the cycle going.
                log.exception("polling source %s failed unexpectedly", source.name)
                report.failed += 1
                report.errors[source.name] = ErrorKind.INTERNAL.value

    if holder is not None:
        await _leased(pipe, holder, one, report, all_sources=all_sources)
    else:
        if all_sources:
            sources = [s for s in await pipe.db.sources.all() if s.active]
        else:
            sources = await pipe.db.sources.due(pipe.clock.now())
        report.sources = len(sources)
        async with asyncio.TaskGroup() as group:
            for source in sources:
                group.create_task(one(source))
    if report.queued and pipe.on_queued is not None:
        pipe.on_queued()
    # A cycle that found nothing new and had no failure is not news: an idle bot stays
    # quiet at INFO (one poll job runs every 30 s at most).
    newsworthy = report.new_events or report.edited or report.failed or report.deactivated
    log.log(
        logging.INFO if newsworthy else logging.DEBUG,
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


async def _leased(
    pipe: Pipeline,
    holder: str,
    one: Callable[[Source], Coroutine[Any, Any, None]],
    report: CycleReport,
    *,
    all_sources: bool,
) -> None:
    """Claim sources for `holder` as polls end, poll each once, until none is left free."""
    began = pipe.clock.now()
    timings = LeaseTimings()
    # Alive before the first claim: a source held by a holder without a heartbeat is free.
    await pipe.db.leases.heartbeat(holder, now=began, ttl=timings.ttl)
    beat = asyncio.create_task(_heartbeats(pipe, holder, timings), name=f"heartbeat-{holder}")
    polled: set[int] = set()
    running: set[asyncio.Task[None]] = set()
    try:
        async with asyncio.TaskGroup() as group:
            while True:
                room = pipe.concurrency - len(running)
                if room > 0:
                    claimed = await pipe.db.sources.claim_due(
                        holder,
                        now=pipe.clock.now(),
                        exclude=polled,
                        limit=room,
                        unpolled_since=began if all_sources else None,
                    )
                    for source in claimed:
                        polled.add(source.id)
                        task = group.create_task(one(source))
                        running.add(task)
                        task.add_done_callback(running.discard)
                    report.sources += len(claimed)
                if not running:
                    break
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
    finally:
        beat.cancel()
        await asyncio.gather(beat, return_exceptions=True)
        try:
            await pipe.db.leases.leave(holder)
        except Exception:  # its heartbeat runs out by itself
            log.warning("cycle %s could not hand its sources back", holder, exc_info=True)


async def _heartbeats(pipe: Pipeline, holder: str, timings: LeaseTimings) -> None:
    """Keep a leased cycle's heartbeat current, so that no other instance takes its sources."""
    while True:
        await asyncio.sleep(timings.renew.total_seconds())
        try:
            await pipe.db.leases.heartbeat(holder, now=pipe.clock.now(), ttl=timings.ttl)
        except Exception:  # a locked database: the next renewal may pass
            log.warning("cycle %s could not renew its heartbeat", holder, exc_info=True)


async def _internal_failure(
    pipe: Pipeline, source: Source, report: CycleReport, exc: Exception
) -> None:
    """Record an unexpected exception of a poll in the source's health."""
    detail = f"{type(exc).__name__}: {exc}"[:300]
    counted = report.failed
    try:
        await _fail(
            pipe, source, report, now=pipe.clock.now(), kind=ErrorKind.INTERNAL, detail=detail
        )
    except Exception as failure:  # noqa: BLE001 -- the store itself failing (locked, full)
        # The cycle goes on, the failure counted once; the poll's traceback is logged, so
        # this is one line. The source is named in `unrecorded`: its next poll is not
        # put off in the database, and the polling loop holds it back for a while.
        log.error(  # noqa: TRY400
            "could not record the failure of source %s either (%s)", source.name, failure
        )
        report.failed = counted + 1
        report.errors[source.name] = ErrorKind.INTERNAL.value
        report.unrecorded.append(source.name)


def host_of(source: Source) -> str:
    """Return the host a source lives on (its per-host limit's key)."""
    try:
        return (urlsplit(source.url).hostname or "").lower()
    except ValueError:
        return ""


async def poll_source(pipe: Pipeline, source: Source, report: CycleReport) -> None:
    """Fetch one source, read what is new in it, store it and queue its alerts.

    The source's health is recorded whatever happens: a failure backs it off, an answer
    sets its next poll, and an exception (a bug, or a hostile input no check foresaw)
    counts as a failure like any other, so a source that always raises is backed off and
    in the end turned off.
    """
    try:
        fetched = await pipe.fetcher.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified
        )
    except Exception as exc:
        log.exception("fetching source %s failed unexpectedly", source.name)
        await _internal_failure(pipe, source, report, exc)
        return
    await ingest(pipe, source, fetched, report)


async def ingest(pipe: Pipeline, source: Source, fetched: FetchResult, report: CycleReport) -> None:
    """Read, store and alert what one fetch (or a WebSub push) of a source brought.

    An exception goes to the source's health, as in `poll_source`, and the poll counts as
    failed only: a store that refuses a write after the feed was read (a locked database)
    must not leave the source counted as answering too.
    """
    answered = report.ok
    try:
        await _ingest(pipe, source, fetched, report)
    except Exception as exc:
        log.exception("reading source %s failed unexpectedly", source.name)
        report.ok = answered
        await _internal_failure(pipe, source, report, exc)


async def _ingest(
    pipe: Pipeline, source: Source, fetched: FetchResult, report: CycleReport
) -> None:
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
    if fetched.not_modified or fetched.body is None:
        await _unchanged(pipe, source, report, fetched, now=now)
        return
    pages = await _readable(pipe, source, fetched.body, fetched.content_type, report, now=now)
    if pages is None:
        return  # recorded as a failure
    parsed = pages[0].parsed
    if not await _same_channel(pipe, source, parsed, now=now):
        report.errors[source.name] = ErrorKind.IDENTITY.value
        return
    report.ok += 1
    report.items += sum(page.count for page in pages)
    deferred = sum(page.deferred for page in pages)
    report.deferred += deferred
    posts = _posts(pipe, source, pages, deferred=deferred)
    stored = await _store(
        pipe,
        source,
        posts,
        fetched,
        ttl_minutes=parsed.ttl_minutes,
        now=now,
        rhythm=pages[0].rhythm,
        deferred=deferred,
    )
    if stored is None:
        return  # nothing could be stored: recorded as a failure
    outcomes, back, unstored = stored
    _count(report, posts, outcomes)
    if pipe.on_queued is not None and any(outcome.queued for outcome in outcomes):
        pipe.on_queued()  # this source's alerts go now, whatever the other sources do
    await _recovered(pipe, source, back=back)
    rejected = [reason for page in pages for reason in page.rejected] + unstored
    report.rejected += len(rejected)
    if parsed.warning is not None:
        await _damaged(pipe, source, parsed.warning, parsed.detail, now=now)
    elif rejected:
        detail = f"{len(rejected)} item(s) skipped; " + "; ".join(rejected[:3])
        await _damaged(pipe, source, ErrorKind.BAD_ITEMS, detail, now=now)
    if parsed.hub is not None and pipe.websub is not None:
        await pipe.websub.ensure(source, hub=parsed.hub, topic=parsed.self_url or source.url)


async def _readable(
    pipe: Pipeline,
    source: Source,
    body: bytes,
    content_type: str | None,
    report: CycleReport,
    *,
    now: datetime,
) -> list[Page] | None:
    """Read a source's document into pages; None (recorded as its failure) if it cannot be."""
    try:
        pages = await _read(pipe, source, body, content_type)
    except BrokenProcessPool:
        detail = "a worker process died reading the document, twice"
        await _fail(pipe, source, report, now=now, kind=ErrorKind.PARSER_CRASH, detail=detail)
        return None
    except (TimeoutError, ParseBudgetError):
        detail = f"reading the document took longer than {pipe.parse_budget:g} s"
        await _fail(pipe, source, report, now=now, kind=ErrorKind.TOO_SLOW, detail=detail)
        return None
    if pages[0].failure is not None:
        detail = pages[0].parsed.detail
        await _fail(pipe, source, report, now=now, kind=pages[0].failure, detail=detail)
        return None
    return pages


async def _same_channel(
    pipe: Pipeline, source: Source, parsed: ParseResult, *, now: datetime
) -> bool:
    """Remember a channel's identity; tell the admins of a change; False: do not store.

    A new title is news for the admins and nothing more (channels rename themselves). A new
    id means the name now belongs to another channel: the source is paused and this page's
    posts are not stored, until an admin who checked it resumes the source.
    """
    if source.kind is not SourceKind.TELEGRAM:
        return True
    title, channel_id = parsed.title, parsed.channel_id
    if channel_id is not None and source.channel_id is not None and channel_id != source.channel_id:
        detail = f"the page shows channel {channel_id}, not {source.channel_id}"
        log.warning("source %s (%d): %s; pausing it", source.name, source.id, detail)
        paused = await pipe.db.sources.pause_for_identity(source.id, now=now, detail=detail)
        if paused:
            await _tell_identity(pipe, source, title, channel_id, paused=True)
        return False
    renamed = (
        title is not None and source.channel_title is not None and title != source.channel_title
    )
    if (title is not None and title != source.channel_title) or (
        channel_id is not None and source.channel_id is None
    ):
        await pipe.db.sources.record_identity(source.id, title=title, channel_id=channel_id)
    if renamed:
        log.info("source %s (%d) is now titled %r", source.name, source.id, title)
        await _tell_identity(pipe, source, title, channel_id, paused=False)
    return True


async def _tell_identity(
    pipe: Pipeline, source: Source, title: str | None, channel_id: int | None, *, paused: bool
) -> None:
    if pipe.on_identity_changed is None:
        return
    try:
        await pipe.on_identity_changed(IdentityChange(source, title, channel_id, paused))
    except Exception:
        # Best effort, like the other notices; /sources shows the source's state.
        log.exception("could not tell admins about the identity of source %s", source.name)


async def _read(
    pipe: Pipeline, source: Source, body: bytes, content_type: str | None
) -> list[Page]:
    """Read a fetched document, and on a channel's first poll some of its older pages.

    The first page comes first in the list; a first page that failed is the only one.
    """
    known = await pipe.db.events.known(source.id)
    limit = pipe.max_items_per_poll
    page = await pipe.read(
        body,
        kind=source.kind,
        content_type=content_type,
        base_url=source.url,
        known=known,
        limit=limit,
    )
    pages = [page]
    if (
        page.failure is None
        and not source.backfilled
        and source.kind is SourceKind.TELEGRAM
        and pipe.channel_backfill_pages
        and not page.deferred
    ):
        pages.extend(await _older_pages(pipe, source, page, known))
    return pages


async def _older_pages(
    pipe: Pipeline, source: Source, first: Page, known: Mapping[str, str | None]
) -> list[Page]:
    """Read up to channel_backfill_pages older pages of a channel (`?before=ID`)."""
    pages: list[Page] = []
    taken = {item.key for item in first.fresh}  # a newer page's item wins over an older's
    url = first.older
    room = None if pipe.max_items_per_poll is None else pipe.max_items_per_poll - len(taken)
    for _ in range(pipe.channel_backfill_pages):
        if url is None or (room is not None and room <= 0):
            break
        fetched = await pipe.fetcher.fetch(url)
        if fetched.body is None:
            break  # the newest page is stored; older history is a nicety
        try:
            page = await pipe.read(
                fetched.body,
                kind=source.kind,
                content_type=None,
                base_url=url,
                known=known,
                taken=taken,
                limit=room,
            )
        except (BrokenProcessPool, TimeoutError, ParseBudgetError) as exc:
            log.warning("source %s: could not read %s (%s)", source.name, url, type(exc).__name__)
            break  # the newer pages are stored; older history is a nicety
        if not page.count or page.older == url:
            break  # nothing older: a server that ignores ?before= must not loop us
        pages.append(page)
        taken.update(item.key for item in page.fresh)
        if room is not None:
            room -= len(page.fresh)
        if page.deferred:
            break  # the oldest of this page wait with the rest for the next poll
        url = page.older
    return pages


def _posts(
    pipe: Pipeline, source: Source, pages: Sequence[Page], *, deferred: int = 0
) -> list[Post]:
    """Return the new and changed items of a source's pages as posts to store.

    On a source's first poll only the newest `backfill_alerts` of them alert. A first
    poll that left items for the next (`deferred`) read the oldest: none of them alert,
    and the source's first poll goes on at the next one.
    """
    fresh = [
        (item, analysis)
        for page in pages
        for item, analysis in zip(page.fresh, page.analyses, strict=True)
    ]
    alerted = (
        _alerted_on_first_poll([item for item, _ in fresh], 0 if deferred else pipe.backfill_alerts)
        if not source.backfilled
        else None
    )
    origin = origin_of(source.url, source.kind)
    return [
        Post(
            item,
            analysis,
            source_id=source.id,
            source_name=source.name,
            alert=alerted is None or item.key in alerted,
            origin=origin,
        )
        for item, analysis in fresh
    ]


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


async def _store(
    pipe: Pipeline,
    source: Source,
    posts: list[Post],
    fetched: FetchResult,
    *,
    ttl_minutes: int | None,
    now: datetime,
    rhythm: float | None = None,
    deferred: int = 0,
) -> tuple[list[Outcome], bool, list[str]] | None:
    """Store the posts, queue their alerts and record the poll, in one transaction.

    One transaction, so a crash keeps neither the items nor the validators and the next
    poll reads the document again. Returns the outcomes, whether the source is back after
    failing, and the posts that could not be stored ("key: error").

    If the batch raises, each post is stored in a transaction of its own, so that one post
    that cannot be stored costs only itself; if none can be, the poll is recorded as a
    failure and None returned. With items `deferred` to the next poll the document's
    validators are not kept (a 304 would hide the rest), and a first poll stays unfinished.
    """
    answered = functools.partial(
        _answered,
        pipe,
        source,
        fetched,
        ttl_minutes=ttl_minutes,
        now=now,
        rhythm=rhythm,
        deferred=deferred,
    )
    # A new source's silent first poll joins stories too: its items may tell what other
    # sources already reported, they count as corroboration ("3 sources"), and a later
    # report must find them rather than start the story again.
    try:
        async with pipe.stories.transaction(pipe.db):
            outcomes = await _record(pipe, posts, now=now)
            back = await answered(outcomes)
    except Exception:
        if len(posts) < 2:
            raise
        log.exception("source %s: storing %d items failed; one by one", source.name, len(posts))
    else:
        return outcomes, back, []
    outcomes, unstored = [], []
    for post in posts:
        try:
            async with pipe.stories.transaction(pipe.db):
                outcomes += await _record(pipe, [post], now=now)
        except Exception as exc:
            log.exception("source %s: could not store item %s", source.name, post.item.key[:100])
            unstored.append(f"{post.item.key[:100]}: {type(exc).__name__}: {str(exc)[:100]}")
            outcomes.append(Outcome(new=False))
    if len(unstored) == len(posts):
        detail = f"no item could be stored; {unstored[0]}"
        await _fail(pipe, source, CycleReport(), now=now, kind=ErrorKind.INTERNAL, detail=detail)
        return None
    return outcomes, await answered(outcomes), unstored


async def _answered(
    pipe: Pipeline,
    source: Source,
    fetched: FetchResult,
    outcomes: Sequence[Outcome],
    *,
    ttl_minutes: int | None,
    now: datetime,
    rhythm: float | None,
    deferred: int,
) -> bool:
    """Record a poll that answered, learning the source's rhythm; True: it is back.

    The rhythm comes from the document's dates, else the new items it found, and sets the
    next poll.
    """
    new_items = sum(outcome.new and not outcome.edited for outcome in outcomes)
    since_last = (
        None if source.last_item_at is None else (now - source.last_item_at).total_seconds()
    )
    gap = schedule.learn_gap(
        source.item_gap, document=rhythm, new_items=new_items, since_last=since_last
    )
    learned = replace(source, item_gap=gap, last_item_at=now if new_items else source.last_item_at)
    interval = _interval(pipe, learned, fetched, ttl_minutes, now=now)
    return await pipe.db.sources.record_success(
        source.id,
        now=now,
        next_poll_at=pipe.next_poll(source, now, interval),
        etag=None if deferred else fetched.etag,
        last_modified=None if deferred else fetched.last_modified,
        backfilled=not deferred,
        ttl_minutes=ttl_minutes,
        item_gap=gap,
        new_items=new_items > 0,
    )


async def _record(pipe: Pipeline, posts: list[Post], *, now: datetime) -> list[Outcome]:
    return await record_posts(
        pipe.db,
        posts,
        matcher=pipe.matcher,
        catalog=pipe.catalog,
        now=now,
        stories=pipe.stories,
        audience=pipe.audience,
        edit_interval=pipe.edit_interval,
    )


def _count(report: CycleReport, posts: Sequence[Post], outcomes: Sequence[Outcome]) -> None:
    """Add what storing a source's posts did to the cycle's counters."""
    for post, outcome in zip(posts, outcomes, strict=True):
        report.new_events += int(outcome.new)
        report.joined += int(outcome.new and outcome.joined)
        report.edited += int(outcome.edited)
        report.backfilled += int(outcome.new and not post.alert)
        report.queued += outcome.queued


async def _damaged(
    pipe: Pipeline, source: Source, warning: ErrorKind, detail: str, *, now: datetime
) -> None:
    """Name the damage of a document that was read around it, without counting a failure."""
    log.warning(
        "source %s: %s (%s)",
        source.name,
        warning.value,
        detail,
        extra={"source": source.name, "source_id": source.id, "error_kind": warning.value},
    )
    await pipe.db.sources.record_problem(source.id, now=now, kind=warning.value, detail=detail)


async def _unchanged(
    pipe: Pipeline, source: Source, report: CycleReport, fetched: FetchResult, *, now: datetime
) -> None:
    """Record a poll that found the document as it was (a 304, or no body)."""
    report.not_modified += 1
    # Its <ttl> still holds; its rhythm too, stretched by how long it has been quiet.
    interval = _interval(pipe, source, fetched, source.ttl_minutes, now=now)
    back = await pipe.db.sources.record_success(
        source.id,
        now=now,
        next_poll_at=pipe.next_poll(source, now, interval),
        etag=None,
        last_modified=None,
        keep_ttl=True,
    )
    await _recovered(pipe, source, back=back)


def _interval(
    pipe: Pipeline,
    source: Source,
    fetched: FetchResult,
    ttl_minutes: int | None,
    *,
    now: datetime | None = None,
) -> float:
    """Return a source's interval after an answer: its own, stretched by the server's hints."""
    return schedule.polite_interval(
        pipe.interval_of(source, now),
        minimum=pipe.min_interval.total_seconds(),
        maximum=pipe.max_interval.total_seconds(),
        max_age=schedule.parse_max_age(fetched.cache_control),
        ttl_minutes=ttl_minutes,
    )


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
    log.warning(
        "source %s (%d) failed: %s (%s)",
        source.name,
        source.id,
        kind.value,
        detail,
        extra={"source": source.name, "source_id": source.id, "error_kind": kind.value},
    )
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
