"""Pacing sends to Telegram's flood limits: overall, per private chat, per group or channel.

The scheduling is pure (`PaceState`, times are plain seconds on any monotonic clock) so it
is tested without waiting; `Timer` is the thin async edge the dispatcher sleeps through.

Why not `aiolimiter`: its leaky bucket lets a full bucket out at once (a burst of
`max_rate`) and then the steady rate, but Telegram counts messages in a sliding window, so
that burst followed by the steady rate is exactly what earns a 429. It also reads the event
loop's clock, which tests cannot move, cannot be keyed per chat, and cannot be paused for
one chat's `retry_after`. What is needed is one "earliest next start" per key (GCRA with no
burst), which is a few lines.

Booked slots are a plan; what Telegram counts is when requests reach it. The event loop can
fall behind (a slow database read, a busy machine) and then write a bunch of overdue
requests at once. So right before each send the pacer checks the sliding window of the
times requests really went on the wire (reported by the sender, see `on_wire`), counting
sends let go but not yet written as if they were written now, and it releases overdue
sends no faster than `CATCH_UP` times the rate, so a burst after a stall is spread.
"""

from __future__ import annotations

import asyncio
import bisect
import math
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.clock import ManualClock

# Per-chat gaps get a little slack so that network jitter never makes two sends arrive
# closer together than Telegram's window allows.
CHAT_MARGIN = 0.1
# A 429 is global when most recent answers were 429s from several chats.
FLOOD_WINDOW_S = 1.0
FLOOD_MIN_CHATS = 3
# After a stall, overdue sends go out at most this many times the overall rate (then the
# sliding window stops them), instead of all at once.
CATCH_UP = 1.5


@dataclass(frozen=True, slots=True)
class Limits:
    """The rates the pacer keeps to."""

    global_per_s: float = 28.0
    private_per_s: float = 1.0
    group_per_min: float = 20.0
    paid_per_s: float = 1000.0  # allow_paid_broadcast sends

    def chat_gap(self, chat_id: int) -> float:
        """Return the seconds between two sends to one chat (private ids are positive)."""
        base = 1.0 / self.private_per_s if chat_id > 0 else 60.0 / self.group_per_min
        return base * (1.0 + CHAT_MARGIN)


class PaceState:
    """When each chat, and the bot as a whole, may send next."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._next_global = 0.0
        self._next_paid = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        self._answers: deque[tuple[float, int | None]] = deque()  # (when, chat if 429)
        self._wire: deque[float] = deque()  # when sends went on the wire, in order
        self._unwritten = 0  # sends let go whose request is not on the wire yet
        self._last_start = -math.inf
        self._chat_started: dict[int, float] = {}

    def waiting_chats(self, now: float) -> set[int]:
        """Return the chats that may not send yet (forgetting those that may)."""
        done = [chat for chat, at in self._chat_next.items() if at <= now]
        for chat in done:
            del self._chat_next[chat]
        return set(self._chat_next)

    def next_chat_ready(self) -> float | None:
        """Return the earliest time a waiting chat may send again."""
        return min(self._chat_next.values(), default=None)

    def global_ready(self, *, paid: bool = False) -> float:
        """Return the earliest start the overall limit allows."""
        return max(self._paused_until, self._next_paid if paid else self._next_global)

    def free_slots(self, now: float, horizon: float, *, paid: bool = False) -> int:
        """Return how many sends could start between now and now + horizon."""
        rate = self.limits.paid_per_s if paid else self.limits.global_per_s
        span = now + horizon - max(now, self.global_ready(paid=paid))
        return max(0, int(span * rate) + (1 if span >= 0 else 0))

    def reserve(self, chat_id: int, now: float, *, paid: bool = False) -> float:
        """Book the next slot for a chat and return when that send may start."""
        slot = max(now, self.global_ready(paid=paid))
        start = max(slot, self._chat_next.get(chat_id, 0.0))
        # Only a send in the next overall slot moves the overall track on; one that waits for
        # its chat (a later part of a long message) must not hold back every other chat.
        if start == slot:
            if paid:
                self._next_paid = start + 1.0 / self.limits.paid_per_s
            else:
                self._next_global = start + 1.0 / self.limits.global_per_s
        self._chat_next[chat_id] = start + self.limits.chat_gap(chat_id)
        return start

    def answered(self, chat_id: int, now: float, *, retry_after: float | None = None) -> bool:
        """Note Telegram's answer; on a 429 pause what it applies to and return True if global.

        Telegram does not say which limit a 429 is about. One chat's 429 pauses that chat;
        when most answers of the last second were 429s from several chats, the overall
        limit was hit, and everything pauses.
        """
        self._answers.append((now, chat_id if retry_after is not None else None))
        while self._answers and self._answers[0][0] < now - FLOOD_WINDOW_S:
            self._answers.popleft()
        if retry_after is None:
            return False
        until = now + retry_after
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)
        flooded = [chat for _, chat in self._answers if chat is not None]
        if len(set(flooded)) >= FLOOD_MIN_CHATS and 2 * len(flooded) > len(self._answers):
            self._paused_until = max(self._paused_until, until)
            return True
        return False

    def hold(self, chat_id: int, now: float, *, paid: bool = False) -> float:
        """Return how much longer a send about to start must wait (0.0: go now).

        The booked slots already keep to the limits; this is the guard against the event
        loop falling behind and then starting a bunch of overdue sends at once. It counts
        the sends of the last second by when they went on the wire, as Telegram counts
        them, and those let go but not written yet as written now.
        """
        while self._wire and self._wire[0] <= now - 1.0:
            self._wire.popleft()
        wait = 0.0
        if not paid:
            rate = self.limits.global_per_s
            excess = len(self._wire) + self._unwritten - max(1, int(rate)) + 1
            if excess > len(self._wire):
                wait = 1.0 / rate  # the window is full of sends still on their way: look again
            elif excess > 0:
                wait = self._wire[excess - 1] + 1.0 - now  # until enough leave the window
            wait = max(wait, self._last_start + 1.0 / (rate * CATCH_UP) - now)
        last = self._chat_started.get(chat_id)
        if last is not None:
            gap = (
                1.0 / self.limits.private_per_s if chat_id > 0 else 60.0 / self.limits.group_per_min
            )
            wait = max(wait, last + gap * (1.0 + CHAT_MARGIN / 2) - now)
        return max(wait, 0.0)

    def started(self, chat_id: int, now: float, *, paid: bool = False) -> None:
        """Note that a send is let go now; `on_wire` follows once it is written."""
        if not paid:
            self._unwritten += 1
            self._last_start = now
        self._chat_started[chat_id] = now
        if len(self._chat_started) > 10_000:  # forget chats whose last send is long past
            cutoff = now - 60.0 / self.limits.group_per_min * 2
            self._chat_started = {c: t for c, t in self._chat_started.items() if t > cutoff}

    def on_wire(self, chat_id: int, now: float, *, paid: bool = False) -> None:
        """Note that a started send's request went on the wire now (once per `started`)."""
        if not paid:
            self._unwritten = max(0, self._unwritten - 1)
            bisect.insort(self._wire, now)  # kept in order whatever order reports come in
        self._chat_started[chat_id] = max(self._chat_started.get(chat_id, now), now)

    def forget(self, chat_id: int) -> None:
        """Drop what is known about a chat (blocked, or moved to a new id)."""
        self._chat_next.pop(chat_id, None)
        self._chat_started.pop(chat_id, None)


class Timer(Protocol):
    """A monotonic clock the dispatcher can sleep on."""

    concurrent: bool  # whether sends may overlap (a simulated clock needs them one by one)

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes back."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait this long."""
        ...


class RealTimer:
    """The event loop's clock."""

    concurrent = True

    def monotonic(self) -> float:
        """Return the event loop's time."""
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        await asyncio.sleep(max(seconds, 0.0))


class ClockTimer:
    """Time read from a `ManualClock`; sleeping moves that clock instead of waiting.

    Tests and simulations use it so pacing runs at full speed while every send still
    happens at the (simulated) time the limits allow. Sends then go one at a time: were
    they to overlap, one send's sleep would move the clock past another's start while
    that one is still on the wire.
    """

    concurrent = False

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock

    def monotonic(self) -> float:
        """Return the manual clock as Unix seconds."""
        return self._clock.now().timestamp()

    async def sleep(self, seconds: float) -> None:
        """Move the clock forward instead of waiting, then let other tasks run."""
        if seconds > 0:
            # Round up: datetimes hold microseconds, and rounding down could leave the clock
            # a hair before the time slept for, forever.
            self._clock.advance(timedelta(microseconds=math.ceil(seconds * 1_000_000)))
        await asyncio.sleep(0)
