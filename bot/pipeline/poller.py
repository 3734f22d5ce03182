"""The polling loop: each source is polled when it is due, and the loop sleeps until the next.

No grid of its own: the loop reads when the next active source is due (`next_poll_at`,
set by each poll from the source's rhythm) and sleeps exactly until then, or until it is
woken because a source was added or resumed, or a poll finished. Right after start every
source that is not backing off is due (`SourceRepository.due_now`), so the first poll of
each comes at once rather than at the slot the previous run left it.

With several instances on one database every one runs this loop: a due source is leased
to the instance that claims it (`SourceRepository.claim_due`) until its poll is recorded,
and is free for the others if that instance's heartbeat runs out (it was killed). An
instance claims only as many as it has free polling slots, so that several share a burst.

Sources are polled as tasks of their own, a few at a time overall and per host (the same
limits as a `run_cycle`), so a slow source never holds up one that is due after it.

A poll that fails unexpectedly (a bug, or a database locked by another writer or out of
room) is a failed poll, counted like any other (`internal_error`), never an exception out of
its task: its failure is recorded in the database (`poll_source`), or, when even that write
fails, the source is held back here for `RETRY_S`, so the loop neither loses the source nor
polls it again at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.models import Source
from bot.pipeline.cycle import CycleReport, Pipeline, host_of, poll_source
from bot.runtime.lease import instance_id

log = logging.getLogger(__name__)

IDLE_S = 3600.0  # with no active source at all, look again after this (or when woken)
RETRY_S = 5.0  # after a failure the database could not record, look again this much later


class Sleeper(Protocol):
    """Waits for an event, at most a number of seconds of the pipeline's clock."""

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        """Return when `event` is set or `seconds` have passed, whichever is first."""
        ...


class RealSleeper:
    """Sleeps on the event loop's clock."""

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        """Return when `event` is set or `seconds` have passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(seconds, 0.0))


class Poller:
    """Polls due sources as they come due, forever (`run`), a bounded few at a time."""

    def __init__(
        self,
        pipe: Pipeline,
        *,
        sleeper: Sleeper | None = None,
        on_poll: Callable[[Source, CycleReport], None] | None = None,
        on_round: Callable[[], None] | None = None,
        max_sleep: float = IDLE_S,
        holder: str | None = None,
    ) -> None:
        self._pipe = pipe
        # This instance's id in source leases (`SourceRepository.claim_due`).
        self.holder = holder or instance_id()
        self._sleeper = sleeper or RealSleeper()
        self._on_poll = on_poll
        self._on_round = on_round  # the loop came round (readiness heartbeats)
        self._max_sleep = max_sleep  # never sleep longer: the heartbeat must come round
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}
        # Sources whose failed poll could not be recorded: not polled again before this.
        self._held: dict[int, datetime] = {}
        self._limit = asyncio.Semaphore(pipe.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def wake(self) -> None:
        """Look at the sources again now (one was added, resumed or pushed)."""
        self._wake.set()

    @property
    def polling(self) -> frozenset[int]:
        """Return the ids of the sources being polled right now."""
        return frozenset(self._running)

    async def run(self) -> None:
        """Poll forever: every healthy source at once, then each when it is due.

        No error ends the loop: a database locked by another writer (or out of room) when
        the loop starts or while it runs is logged and tried again a few seconds later.
        """
        try:
            while True:
                try:
                    await self._start_rhythm()
                    break
                except Exception:
                    log.exception("the polling loop could not start; retrying shortly")
                    await self._sleeper.wait(asyncio.Event(), RETRY_S)
            while True:
                try:
                    await self.step()
                except Exception:
                    log.exception("the polling loop failed; retrying shortly")
                    await self._sleeper.wait(asyncio.Event(), RETRY_S)
        finally:
            tasks = list(self._running.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _start_rhythm(self) -> None:
        """Make every healthy source due now, unless another instance is already polling.

        The first instance to start polls everything at once; one joining a running group
        leaves the others' rhythm as it is (each source is polled once per interval
        across all of them).
        """
        now = self._pipe.clock.now()
        if not await self._pipe.db.leases.others_alive(self.holder, now=now):
            await self._pipe.db.sources.due_now(now)

    async def step(self) -> datetime | None:
        """Start the polls that are due, then sleep until the next one (or a wake-up).

        Returns when the next source is due (None: no active source).
        """
        self._wake.clear()
        if self._on_round is not None:
            self._on_round()
        now = self._pipe.clock.now()
        self._held = {sid: until for sid, until in self._held.items() if until > now}
        mine = self._running.keys() | self._held
        db = self._pipe.db
        # Only as many as it has free slots for: the rest stay free for the other instances
        # (a burst of due sources is shared), and this one claims more as its polls end.
        room = self._pipe.concurrency - len(self._running)
        claimed = (
            await db.sources.claim_due(self.holder, now=now, exclude=mine, limit=room)
            if room > 0
            else []
        )
        for source in claimed:
            task = asyncio.create_task(self._poll(source), name=f"poll-{source.id}")
            self._running[source.id] = task
        due = await db.sources.next_due(
            exclude=self._running.keys() | self._held, holder=self.holder, now=now
        )
        if self._held:
            released = min(self._held.values())
            due = released if due is None else min(due, released)
        wait = IDLE_S if due is None else (due - self._pipe.clock.now()).total_seconds()
        if len(self._running) >= self._pipe.concurrency:
            wait = IDLE_S  # no room for another poll: the end of one wakes the loop
        wait = min(wait, self._max_sleep)
        if wait > 0:
            await self._sleeper.wait(self._wake, wait)
        return due

    async def _poll(self, source: Source) -> None:
        """Poll one source under the limits; whatever happens, free it and wake the loop."""
        host = self._hosts.setdefault(host_of(source), asyncio.Semaphore(self._pipe.per_host))
        report = CycleReport(sources=1)
        try:
            async with host, self._limit:
                await poll_source(self._pipe, source, report)
            if source.name in report.unrecorded:
                # Its failure is not in the database, so it still looks due: not at once.
                self._held[source.id] = self._pipe.clock.now() + timedelta(seconds=RETRY_S)
        except Exception:
            # A bug or a database that cannot be written, not a bad feed: log it with its
            # traceback, count the poll as failed, keep polling the others.
            log.exception("polling source %s failed unexpectedly", source.name)
            report = CycleReport(sources=1, failed=1, errors={source.name: "internal_error"})
            await self._put_off(source)
        finally:
            self._running.pop(source.id, None)
            self._wake.set()
        if report.queued and self._pipe.on_queued is not None:
            self._pipe.on_queued()
        if self._on_poll is not None:
            self._on_poll(source, report)

    async def _put_off(self, source: Source) -> None:
        """Move a source's next poll an interval on after a crashed poll.

        When the database refuses that write too (still locked, still full), the source is
        held back in memory for RETRY_S instead: one line in the log, no second traceback.
        """
        now = self._pipe.clock.now()
        try:
            await self._pipe.db.sources.postpone(source.id, until=now + self._pipe.poll_interval)
        except Exception as exc:  # noqa: BLE001 -- any failure to record it: hold it here
            log.error(  # noqa: TRY400 -- the poll's own traceback was just logged
                "source %s: could not put off its next poll either (%s); trying it again in %g s",
                source.name,
                exc,
                RETRY_S,
            )
            self._held[source.id] = now + timedelta(seconds=RETRY_S)
