"""Admission: the queue of sends ready to start, let go one at a time as the pacer allows.

Every message request to Telegram waits here: each part of an alert and each edit the
dispatcher makes, and every command reply, apology and admin notice (they come through
PTB's rate limiter, `bot.delivery.sender.PacedRateLimiter`). Each is let go the moment its
chat's gap and the overall limits allow, replies before any alert, then the most urgent
(then the oldest claimed) alert first; the pacer hears of its start and of its answer,
whatever happens. One task makes the decisions, so two sends can never take the same free
moment; it runs while anyone holds the admission open (the rate limiter for the life of
the application, the claim loop while it runs).

A reply is patient: a chat or the whole bot paused by flood control holds it until the
pause is over, and the limiter sends it again after a 429, so no reply is dropped. An
alert held longer than `max_wait` goes back to the outbox instead, where it is safe.

With a simulated clock (`Timer.concurrent` false) the queue moves the clock only when
nothing else can happen first: no claim running or due, no claimed row still being
composed, no send on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from bot.delivery.pacer import PaceState, Timer
from bot.delivery.sender import SendResult, SendStatus
from bot.delivery.types import Job

log = logging.getLogger(__name__)

# Replies, apologies and admin notices go ahead of every alert, whatever its severity.
REPLY_PRIORITY = 1 << 30


def _never() -> bool:
    return False


def _nothing() -> None:
    return None


@dataclass(slots=True)
class _Waiter:
    """A send waiting at the admission."""

    chat_id: int
    key: tuple[int, int]  # (-priority, claim or arrival order): the smallest goes first
    paid: bool
    admitted: asyncio.Future[bool]
    patient: bool = False  # a reply: waits out any pause instead of going back


class Admission:
    """Lets claimed rows' requests go to Telegram in order, each when the pacer allows.

    The claim loop tells it which rows are on their way (`expect`) and done (`done`); it
    tells the claim loop when there is room for more (`claim_again`) and asks it whether a
    claim is running or due (`claim_pending`); a claim loop given an admission that was
    built before it (the application's, shared with the rate limiter) `attach`es these.
    """

    def __init__(
        self,
        pace: PaceState,
        timer: Timer,
        *,
        max_wait: float,
        claim_pending: Callable[[], bool] = _never,
        claim_again: Callable[[], None] = _nothing,
    ) -> None:
        self._pace = pace
        self._timer = timer
        self._max_wait = max_wait  # a send held longer than this goes back to the outbox
        self._claim_pending = claim_pending
        self._claim_again = claim_again
        self._arrivals = itertools.count()  # the order replies came in
        self._changed = asyncio.Event()  # a waiter came or left, a send was answered
        self._waiters: list[_Waiter] = []
        self._preparing: set[int] = set()  # claim orders of jobs not yet at the admission
        self._unstarted: dict[int, bool] = {}  # chats claimed, send not let go -> paid or not
        self._task: asyncio.Task[None] | None = None
        self._users = 0

    @property
    def pace(self) -> PaceState:
        """Return the pacing state every send is counted in."""
        return self._pace

    @property
    def timer(self) -> Timer:
        """Return the clock the admission paces on."""
        return self._timer

    def attach(self, *, claim_pending: Callable[[], bool], claim_again: Callable[[], None]) -> None:
        """Connect the claim loop that feeds this admission (see the class docstring)."""
        self._claim_pending = claim_pending
        self._claim_again = claim_again

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[None]:
        """Run the admission's task while the block runs (claim loops may share it)."""
        self._users += 1
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="send-admission")
        try:
            yield
        finally:
            self._users -= 1
            if self._users == 0 and self._task is not None:
                task, self._task = self._task, None
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def expect(self, job: Job) -> None:
        """Note a claimed job on its way here."""
        self._preparing.add(job.order)
        self._unstarted[job.row.chat_id] = job.paid

    def done(self, job: Job) -> None:
        """Note a job finished, whether or not it got here."""
        self._arrived(job)
        self._unstarted.pop(job.row.chat_id, None)

    def notify(self) -> None:
        """Have the admission look again (a claim ended)."""
        self._changed.set()

    def ready_soon(self, until: float, *, paid: bool) -> int:
        """Return how many claimed chats of a kind, not let go yet, may send by `until`."""
        return sum(
            1
            for chat, kind in self._unstarted.items()
            if kind == paid and self._pace.chat_ready(chat) <= until
        )

    async def send(self, job: Job, call: Callable[[], Awaitable[SendResult]]) -> SendResult:
        """Make one request to Telegram when the pacer admits it, and report its answer.

        A chat paused past `max_wait` is answered with a retry at the end of its pause,
        without a request.
        """
        chat_id = job.row.chat_id
        if not await self._admit(job):
            now = self._timer.monotonic()
            wait = max(self._pace.chat_ready(chat_id), self._pace.paused_until) - now
            wait = wait if math.isfinite(wait) and wait > 0 else 1.0
            return SendResult(SendStatus.RETRY, retry_after=wait, error="paused by flood control")
        result: SendResult | None = None
        try:
            result = await call()
            return result
        finally:
            self._pace.answered(
                chat_id,
                self._timer.monotonic(),
                paid=job.paid,
                retry_after=result.retry_after if result is not None else None,
                unsure=result is None or _unanswered(result),
            )
            self._changed.set()

    async def reply_turn(self, chat_id: int) -> None:
        """Wait until a reply to this chat may be sent, ahead of every alert; then send it.

        The send is counted as started when this returns: `reply_answered` must follow,
        whatever happens to the request.
        """
        waiter = _Waiter(
            chat_id,
            (-REPLY_PRIORITY, next(self._arrivals)),
            False,
            asyncio.get_running_loop().create_future(),
            patient=True,
        )
        await self._wait(waiter)

    def reply_answered(
        self, chat_id: int, *, retry_after: float | None = None, unsure: bool = False
    ) -> None:
        """Note the answer to a reply let go by `reply_turn` (see `PaceState.answered`)."""
        self._pace.answered(
            chat_id, self._timer.monotonic(), retry_after=retry_after, unsure=unsure
        )
        self._changed.set()

    def _arrived(self, job: Job) -> None:
        """Note that a job is done preparing (here, or finished without coming)."""
        if job.order in self._preparing:
            self._preparing.discard(job.order)
            self._changed.set()

    def _settled(self) -> bool:
        """Whether nothing but the clock can move things on (for a simulated clock)."""
        return not self._preparing and not self._claim_pending() and self._pace.open_sends == 0

    async def _admit(self, job: Job) -> bool:
        """Wait until this job's send may start; False if its chat is paused for long."""
        self._arrived(job)
        waiter = _Waiter(
            job.row.chat_id,
            (-job.row.priority, job.order),
            job.paid,
            asyncio.get_running_loop().create_future(),
        )
        return await self._wait(waiter)

    async def _wait(self, waiter: _Waiter) -> bool:
        """Queue a waiter and wait for the admission's decision."""
        if self._task is None:
            raise RuntimeError("the admission is not open")
        self._waiters.append(waiter)
        self._changed.set()
        try:
            return await waiter.admitted
        finally:
            if waiter in self._waiters:  # cancelled while waiting
                self._waiters.remove(waiter)
                self._changed.set()

    async def _run(self) -> None:
        """Let sends go while there are any; should that fail, put them back, not strand them."""
        while True:
            try:
                await self._let_go()
            except Exception:
                log.exception("the send admission failed; its sends go back to the outbox")
                for waiter in self._waiters:
                    if not waiter.admitted.done():
                        waiter.admitted.set_result(False)
                self._waiters.clear()
            self._changed.clear()
            await self._changed.wait()

    async def _let_go(self) -> None:
        """Let the waiting sends go, one at a time, each as soon as the pacer allows."""
        while self._waiters:
            self._changed.clear()
            if not self._timer.concurrent and not self._settled():
                await self._changed.wait()
                continue
            now = self._timer.monotonic()
            best: _Waiter | None = None
            wake = math.inf
            for waiter in list(self._waiters):
                if waiter.admitted.done():  # its task was cancelled; it is on its way out
                    self._waiters.remove(waiter)
                    continue
                held = max(self._pace.chat_ready(waiter.chat_id), self._pace.paused_until)
                if not waiter.patient and math.isfinite(held) and held > now + self._max_wait:
                    # Paused past half the lease: put the row back rather than hold it.
                    self._waiters.remove(waiter)
                    waiter.admitted.set_result(False)
                    continue
                at = self._pace.ready_at(waiter.chat_id, now, paid=waiter.paid)
                if at > now:
                    wake = min(wake, at)
                elif best is None or waiter.key < best.key:
                    best = waiter
            if best is not None:
                self._waiters.remove(best)
                self._pace.started(best.chat_id, now, paid=best.paid)
                if not best.patient:
                    self._unstarted.pop(best.chat_id, None)
                    self._claim_again()
                best.admitted.set_result(True)
                continue
            if self._timer.concurrent or math.isinf(wake):
                timeout = None if math.isinf(wake) else wake - now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
            else:
                await self._timer.sleep(wake - now)
                self._claim_again()  # the simulated clock moved: paused chats may be due


def _unanswered(result: SendResult) -> bool:
    """Whether a request may not have reached Telegram yet (a timeout or network error)."""
    return result.status is SendStatus.RETRY and result.retry_after is None
