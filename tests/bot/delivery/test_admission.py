"""The admission: requests go out one at a time, most urgent first, when the pacer allows.

Time is the test's manual clock, moved by the admission itself through `ClockTimer`; the
requests are plain coroutines that note when they were made (the seam where the sender
would be).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.delivery.admission import Admission
from bot.delivery.pacer import BURST, ClockTimer, Limits, PaceState
from bot.delivery.sender import SendResult, SendStatus
from bot.delivery.types import Job
from bot.models import OutboxRow
from bot.runtime.clock import ManualClock


def job(chat_id: int, order: int, *, priority: int = 0) -> Job:
    """A claimed row for a chat, `order`-th in claim order."""
    return Job(OutboxRow(order + 1, 1, chat_id, 1, priority=priority), paid=False, order=order)


class Wire:
    """Notes each request the admission lets go: which chat, at what time."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock
        self.calls: list[tuple[int, float]] = []

    def request(self, chat_id: int) -> Callable[[], Awaitable[SendResult]]:
        """Return a request to a chat that Telegram accepts."""

        async def call() -> SendResult:
            self.calls.append((chat_id, self._clock.now().timestamp()))
            return SendResult(SendStatus.SENT, message_id=len(self.calls))

        return call


class Claims:
    """The claim loop's side, as the admission sees it."""

    def __init__(self) -> None:
        self.pending = False
        self.asked = 0

    def claim_pending(self) -> bool:
        """Whether a claim is running or due."""
        return self.pending

    def claim_again(self) -> None:
        """Count the admission's requests for another claim."""
        self.asked += 1


def admission_for(pace: PaceState, clock: ManualClock, claims: Claims) -> Admission:
    """An admission on the simulated clock, putting back sends held over a minute."""
    return Admission(
        pace,
        ClockTimer(clock),
        max_wait=60.0,
        claim_pending=claims.claim_pending,
        claim_again=claims.claim_again,
    )


async def test_the_most_urgent_goes_first_then_the_first_claimed(clock: ManualClock) -> None:
    pace, claims, wire = PaceState(Limits()), Claims(), Wire(clock)
    admission = admission_for(pace, clock, claims)
    jobs = [job(1, 0), job(2, 1, priority=2), job(3, 2), job(4, 3, priority=2)]

    async with admission.open():
        for each in jobs:
            admission.expect(each)
        await asyncio.gather(*(admission.send(j, wire.request(j.row.chat_id)) for j in jobs))

    assert [chat for chat, _ in wire.calls] == [2, 4, 1, 3]
    assert claims.asked >= len(jobs)  # every send let go makes room for another claim


async def test_requests_keep_the_overall_pace_and_each_chats_gap(clock: ManualClock) -> None:
    limits = Limits(global_per_s=10.0)
    pace, wire = PaceState(limits), Wire(clock)
    admission = admission_for(pace, clock, Claims())
    start = clock.now().timestamp()
    jobs = [job(chat, chat) for chat in range(BURST + 4)]
    twice = job(100, 100)  # a message in two parts to one chat

    async def two_parts() -> None:
        for _ in range(2):
            await admission.send(twice, wire.request(100))

    async with admission.open():
        for each in [*jobs, twice]:
            admission.expect(each)
        await asyncio.gather(
            two_parts(), *(admission.send(j, wire.request(j.row.chat_id)) for j in jobs)
        )

    first, second = (at - start for chat, at in wire.calls if chat == 100)
    times = sorted(at - start for _, at in wire.calls)
    times.remove(second)
    # A catch-up of BURST at once, then one every tenth of a second.
    steady = [0.1 * n for n in range(1, len(times) - BURST + 1)]
    assert times == pytest.approx([0.0] * BURST + steady, abs=1e-5)
    # The second part waits for its chat's gap after the first one's answer.
    assert second - first == pytest.approx(limits.chat_gap(100), abs=1e-5)


async def test_a_chat_paused_for_long_is_answered_without_a_request(clock: ManualClock) -> None:
    pace, wire = PaceState(Limits()), Wire(clock)
    admission = admission_for(pace, clock, Claims())
    now = clock.now().timestamp()
    pace.started(1, now)
    pace.answered(1, now, retry_after=300)
    paused = job(1, 0)

    async with admission.open():
        admission.expect(paused)
        result = await admission.send(paused, wire.request(1))

    assert result.status is SendStatus.RETRY
    assert result.retry_after == pytest.approx(300, abs=1e-5)
    assert wire.calls == []


async def test_the_clock_waits_while_a_claim_is_due(clock: ManualClock) -> None:
    pace, claims, wire = PaceState(Limits()), Claims(), Wire(clock)
    admission = admission_for(pace, clock, claims)
    start = clock.now().timestamp()
    pace.started(1, start)
    pace.answered(1, start)  # chat 1 may send again a second from now
    claims.pending = True
    waiting = job(1, 0)

    async with admission.open():
        admission.expect(waiting)
        send = asyncio.create_task(admission.send(waiting, wire.request(1)))
        for _ in range(20):
            await asyncio.sleep(0)
        # A claim may still bring a send that can go now: time must not move past it.
        assert clock.now().timestamp() == start
        assert wire.calls == []
        claims.pending = False
        admission.notify()
        await send

    assert wire.calls == [(1, pytest.approx(start + Limits().chat_gap(1), abs=1e-5))]


async def test_a_request_that_raises_still_counts_as_on_its_way(clock: ManualClock) -> None:
    pace = PaceState(Limits())
    admission = admission_for(pace, clock, Claims())
    broken = job(1, 0)

    async def request() -> SendResult:
        raise RuntimeError("the sender broke")

    async with admission.open():
        admission.expect(broken)
        with pytest.raises(RuntimeError):
            await admission.send(broken, request)

    now = clock.now().timestamp()
    assert pace.open_sends == 0
    # No answer came, so it may still arrive: it counts a second longer, and so does the gap.
    assert pace.chat_ready(1) == pytest.approx(now + 1.0 + Limits().chat_gap(1), abs=1e-5)


async def test_the_admission_runs_its_task_only_while_open(clock: ManualClock) -> None:
    admission = admission_for(PaceState(Limits()), clock, Claims())

    def running() -> list[asyncio.Task[object]]:
        return [t for t in asyncio.all_tasks() if t.get_name() == "send-admission"]

    assert running() == []
    async with admission.open():
        async with admission.open():  # a drain while the loop runs shares the one task
            assert len(running()) == 1
        assert len(running()) == 1
    assert running() == []


# -- replies share the admission, ahead of the alerts -----------------------------------------


async def reply(admission: Admission, wire: Wire, chat_id: int, *, retry_after: float = 0) -> None:
    """Send a command reply the way the rate limiter does: turn, request, answer."""
    await admission.reply_turn(chat_id)
    await wire.request(chat_id)()
    admission.reply_answered(chat_id, retry_after=retry_after or None)


async def test_a_reply_goes_before_every_alert_waiting_for_its_chat(clock: ManualClock) -> None:
    pace, wire = PaceState(Limits()), Wire(clock)
    admission = admission_for(pace, clock, Claims())
    start = clock.now().timestamp()
    first, urgent = job(1, 0), job(1, 1, priority=2)

    async with admission.open():
        admission.expect(first)
        await admission.send(first, wire.request(1))  # chat 1 must now wait its gap
        admission.expect(urgent)
        alert = asyncio.create_task(admission.send(urgent, wire.request(1)))
        await asyncio.sleep(0)
        await reply(admission, wire, 1)  # asked later, let go first
        await alert

    gap = Limits().chat_gap(1)
    assert wire.calls == [
        (1, pytest.approx(start, abs=1e-5)),
        (1, pytest.approx(start + gap, abs=1e-5)),  # the reply
        (1, pytest.approx(start + 2 * gap, abs=1e-5)),  # the high-priority alert after it
    ]


async def test_a_429_on_a_reply_holds_that_chats_alerts_too(clock: ManualClock) -> None:
    # One pacing state: what Telegram said about a reply holds for the alerts to that chat.
    pace, wire = PaceState(Limits()), Wire(clock)
    admission = admission_for(pace, clock, Claims())
    start = clock.now().timestamp()
    alert = job(1, 0)

    async with admission.open():
        await reply(admission, wire, 1, retry_after=30)
        admission.expect(alert)
        result = await admission.send(alert, wire.request(1))

    assert result.status is SendStatus.SENT
    assert wire.calls[-1] == (1, pytest.approx(start + 30, abs=1e-3))


async def test_a_reply_waits_out_a_pause_an_alert_would_go_back_for(clock: ManualClock) -> None:
    pace, wire = PaceState(Limits()), Wire(clock)
    admission = admission_for(pace, clock, Claims())  # alerts held over a minute go back
    now = clock.now().timestamp()
    pace.started(1, now)
    pace.answered(1, now, retry_after=300)
    alert = job(1, 0)

    async with admission.open():
        admission.expect(alert)
        assert (await admission.send(alert, wire.request(1))).status is SendStatus.RETRY
        await reply(admission, wire, 1)

    assert wire.calls == [(1, pytest.approx(now + 300, abs=1e-3))]  # never dropped
