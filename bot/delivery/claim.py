"""Claiming: the loop that takes due rows from the outbox and gives each a task of its own.

A chat has one row on its way at a time, and its next row is claimed as soon as the
previous one is answered, so it waits at the admission for exactly the moment its chat may
send again: a chat with a backlog sends once a second alongside a fan-out. The loop keeps
only a short horizon of sends claimed ahead of the pacer, so an urgent row queued meanwhile
is not stuck behind a long line of claimed ones, and rows held for a digest or quiet hours
never take a send's place.

`drain` claims until nothing is due and returns (tests, the CLI, benchmarks); `run` claims
forever, sleeping until woken or until the next row is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
from collections.abc import Awaitable, Callable

from bot.delivery.admission import Admission
from bot.delivery.pacer import PaceState, Timer
from bot.delivery.patience import Patient, at_once
from bot.delivery.types import DeliveryConfig, DrainReport, Job
from bot.models import HIGH_PRIORITY
from bot.runtime.clock import Clock
from storage import Database

log = logging.getLogger(__name__)

# A chat whose next send is at most this far off is claimed now and waits at the admission
# (a group's gap is three seconds); one paused for longer is left in the outbox meanwhile.
LOOKAHEAD_S = 5.0
# The longest the running loop waits before it looks at the outbox again, woken or not.
IDLE_S = 30.0

Handler = Callable[[Job, Admission, DrainReport], Awaitable[None]]


class ClaimLoop:
    """Claims due rows and runs each through `handle`, with the admission they wait at.

    `handle` delivers one claimed row, sending through the admission; it must not raise.
    `patient` makes the loop's own database calls (`bot.delivery.patience`), so a claim
    waits out a locked database instead of ending a drain.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        timer: Timer,
        pace: PaceState,
        *,
        config: DeliveryConfig,
        handle: Handler,
        on_tick: Callable[[], None] | None = None,
        admission: Admission | None = None,
        patient: Patient = at_once,
    ) -> None:
        self._db = db
        self._patient = patient
        self._on_tick = on_tick  # told each time the loop comes round (readiness)
        self._clock = clock
        self._timer = timer
        self._pace = pace
        self._config = config
        self._handle = handle
        # Set when the loop should claim again: rows were queued, a send was let go (room
        # in the pipeline), a chat's row is done, or a simulated clock moved.
        self._room = asyncio.Event()
        self._claiming = False
        self._pumping = 0  # drains and runs going on (a claim is pending only while one is)
        self._busy: set[int] = set()  # chats with a row on its way
        self._order = itertools.count()
        if admission is None:
            admission = Admission(pace, timer, max_wait=config.lease.total_seconds() / 2)
        admission.attach(claim_pending=self._claim_pending, claim_again=self._room.set)
        self._admission = admission

    def wake(self) -> None:
        """Tell the running loop that rows were queued."""
        self._room.set()

    async def drain(self) -> DrainReport:
        """Send every row that is due now and return."""
        report = DrainReport()
        await self._pump(report, burst=True)
        return report

    async def run(self) -> None:
        """Send forever, sleeping until woken or until the next row is due."""
        report = DrainReport()
        while True:
            try:
                await self._pump(report, burst=False)
            except Exception:
                log.exception("outbox dispatcher failed; retrying shortly")
                await asyncio.sleep(1.0)

    def _claim_pending(self) -> bool:
        """Whether a claim is running or due (the admission's simulated clock waits for it).

        Only while the loop runs: rows queued while nobody drains must not hold up the
        replies that share the admission.
        """
        return self._pumping > 0 and (self._claiming or self._room.is_set())

    async def _pump(self, report: DrainReport, *, burst: bool) -> None:
        self._pumping += 1
        try:
            await self._pump_once(report, burst=burst)
        finally:
            self._pumping -= 1

    async def _pump_once(self, report: DrainReport, *, burst: bool) -> None:
        tasks: set[asyncio.Task[None]] = set()
        async with self._admission.open():
            try:
                while True:
                    if self._on_tick is not None:
                        self._on_tick()
                    self._room.clear()
                    self._claiming = True
                    try:
                        jobs, full = await self._patient(self._claim)
                    finally:
                        self._claiming = False
                        self._admission.notify()
                    for job in jobs:
                        self._busy.add(job.row.chat_id)
                        self._admission.expect(job)
                        task = asyncio.create_task(self._deliver(job, report))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    if full:
                        continue  # there may be room for more
                    if not await self._idle(tasks, burst=burst):
                        return
            finally:
                if tasks:
                    await asyncio.gather(*tasks, return_exceptions=True)

    async def _deliver(self, job: Job, report: DrainReport) -> None:
        """Run one job through the handler; free its chat whatever happens."""
        try:
            await self._handle(job, self._admission, report)
        finally:
            self._admission.done(job)
            self._busy.discard(job.row.chat_id)
            self._room.set()

    def _room_for(self, now: float, *, paid: bool) -> int:
        """Return how many more rows of a kind the pipeline takes.

        It holds a horizon's worth of sends ready to start, no more. Rows waiting for
        their chat's gap do not count: they are not in anyone's way. It is refilled once
        half of it is gone, not after every send: a claim is a query over the outbox.
        """
        horizon = self._config.horizon
        cap = int(horizon * self._config.limits.rate(paid=paid)) + 1
        soon = self._admission.ready_soon(now + horizon, paid=paid)
        room = max(0, cap - soon)
        return room if 2 * room >= cap else 0

    async def _claim(self) -> tuple[list[Job], bool]:
        """Claim what the pipeline has room for; say whether it was filled."""
        now_m = self._timer.monotonic()
        now = self._clock.now()
        exclude = self._busy | self._pace.paused_chats(now_m, LOOKAHEAD_S)
        jobs: list[Job] = []
        full = False
        if self._config.paid_broadcast:
            # High-severity alerts ride the paid broadcast's own, far higher limit.
            room = self._room_for(now_m, paid=True)
            rows = await self._db.outbox.claim(
                now=now,
                limit=room,
                lease=self._config.lease,
                exclude=exclude,
                min_priority=HIGH_PRIORITY,
            )
            full = room > 0 and len(rows) == room
            jobs += [Job(row, row.edit_of is None, next(self._order)) for row in rows]
            exclude |= {row.chat_id for row in rows}
        room = self._room_for(now_m, paid=False)
        rows = await self._db.outbox.claim(
            now=now, limit=room, lease=self._config.lease, exclude=exclude
        )
        full = full or (room > 0 and len(rows) == room)
        for row in rows:
            paid = (
                self._config.paid_broadcast
                and row.priority >= HIGH_PRIORITY
                and row.edit_of is None
            )
            jobs.append(Job(row, paid, next(self._order)))
        return jobs, full

    async def _idle(self, tasks: set[asyncio.Task[None]], *, burst: bool) -> bool:
        """Wait for something to do; return False when a burst drain is finished."""
        if self._room.is_set():
            return True  # a row was done or let go while claiming: claim again
        now_m = self._timer.monotonic()
        paused = self._pace.next_unpaused(now_m, LOOKAHEAD_S)
        if tasks:
            timeout = None
            if paused is not None and self._timer.concurrent:
                timeout = max(paused - now_m, 0.01)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._room.wait(), timeout)
            return True
        now = self._clock.now()
        due_now = functools.partial(self._db.outbox.due_count, now=now)
        if paused is not None and await self._patient(due_now) > 0:
            # Only chats paused past the lookahead (a 429) have rows due: wait for them,
            # coming round at least every IDLE_S so a long pause does not look like a stall.
            await self._timer.sleep(min(paused - now_m, IDLE_S))
            return True
        if burst:
            return False
        due = await self._patient(self._db.outbox.next_due)
        timeout = IDLE_S
        if due is not None:
            timeout = min(max((due - now).total_seconds(), 0.05), IDLE_S)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._room.wait(), timeout)
        return True
