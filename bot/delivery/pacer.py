"""Pacing sends to Telegram's flood limits: overall, per private chat, per group or channel.

The scheduling is pure (`PaceState`, times are plain seconds on any monotonic clock) so it
is tested without waiting; `Timer` is the thin async edge the dispatcher sleeps through.

Why not `aiolimiter`: its leaky bucket lets a full bucket out at once (a burst of
`max_rate`) and then the steady rate, but Telegram counts messages in a sliding window, so
that burst followed by the steady rate is exactly what earns a 429. It also reads the event
loop's clock, which tests cannot move, cannot be keyed per chat, cannot be paused for one
chat's `retry_after`, and knows nothing of answers. What is needed is a few lines.

Two rules, both on times the bot itself knows for sure:

- The pace: sends start at the configured rate (`global_per_s`, GCRA with a burst of
  `BURST` so that a late wake-up can catch up) and each chat waits its own gap.
- The ceiling: Telegram counts a message when its request *arrives*, which the bot cannot
  see; it only knows that a request arrives after the bot let it go and before the bot has
  its answer. So a send counts from the moment it is let go until a second after its
  answer came back, and no more than Telegram's ceiling (30) may count at once. Whatever
  the network, a stalled event loop or a stalled server does to arrival times, no second
  of arrivals can then hold more than the ceiling: for any such second, take the last
  send of it to be let go; every other send arriving in that second was let go before it
  and answered after the second began, so it still counted when the last was let go. The
  same argument per chat: a chat's next send is let go only its gap after the previous
  one's answer. The price is the round trip: the ceiling allows ceiling / (1 s + round
  trip) sends a second, which stays above the pace while the round trip is short, and
  slows sending down exactly when the network or the machine gets slow.
"""

from __future__ import annotations

import asyncio
import bisect
import math
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from bot.runtime.clock import ManualClock

# Per-chat gaps count from the previous answer, which already covers any network delay;
# the slack only keeps float rounding and clock granularity on the safe side.
CHAT_MARGIN = 0.02
# A 429 is global when most recent answers were 429s from several chats.
FLOOD_WINDOW_S = 1.0
FLOOD_MIN_CHATS = 3
# Sends that may start back to back when the pace has fallen behind: on a busy machine the
# loop wakes late, or the pipeline runs dry for a moment, and the pace catches up (about a
# quarter of a second at 29/s). The ceiling still holds whatever this allows.
BURST = 8
# The window Telegram counts its limits in.
WINDOW_S = 1.0


@dataclass(frozen=True, slots=True)
class Limits:
    """The rates the pacer keeps to."""

    global_per_s: float = 29.0  # the pace aimed at (OUTPOST_GLOBAL_RATE)
    ceiling_per_s: float = 30.0  # Telegram's overall limit: never more arrive in a second
    private_per_s: float = 1.0
    group_per_min: float = 20.0
    paid_per_s: float = 1000.0  # allow_paid_broadcast sends

    def chat_gap(self, chat_id: int) -> float:
        """Return the seconds between an answer and the next send to that chat."""
        base = 1.0 / self.private_per_s if chat_id > 0 else 60.0 / self.group_per_min
        return base * (1.0 + CHAT_MARGIN)

    def rate(self, *, paid: bool) -> float:
        """Return the pace of one kind of send."""
        return self.paid_per_s if paid else self.global_per_s

    def cap(self, *, paid: bool) -> int:
        """Return how many sends of one kind may count in the window at once."""
        if paid:
            return max(1, int(self.paid_per_s))
        # An operator who sets a rate above Telegram's usual limit knows theirs is higher.
        return max(1, int(max(self.ceiling_per_s, self.global_per_s)))


@dataclass(slots=True)
class _Track:
    """One overall limit (ordinary or paid sends): its pace and what counts in its window."""

    tat: float = -math.inf  # GCRA's theoretical time of the next start
    open: int = 0  # sends let go whose answer has not come back
    answered: deque[float] = field(default_factory=deque)  # answer times, last window


class PaceState:
    """When each chat, and the bot as a whole, may send next."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._tracks = {False: _Track(), True: _Track()}
        self._paused_until = -math.inf
        self._chat_ready: dict[int, float] = {}  # earliest next start, once answered
        self._chat_open: dict[int, int] = {}  # sends to a chat not answered yet
        self._answers: deque[tuple[float, int | None]] = deque()  # (when, chat if 429)

    @property
    def open_sends(self) -> int:
        """Return how many sends are let go and not answered yet."""
        return sum(track.open for track in self._tracks.values())

    @property
    def paused_until(self) -> float:
        """Return until when a flood answer paused everything."""
        return self._paused_until

    def chat_ready(self, chat_id: int) -> float:
        """Return when a chat may be sent to next (infinity while a send to it is open)."""
        if self._chat_open.get(chat_id):
            return math.inf
        return self._chat_ready.get(chat_id, -math.inf)

    def global_ready(self, now: float, *, paid: bool = False) -> float:
        """Return the earliest start the overall limits allow (infinity: wait for answers)."""
        track = self._tracks[paid]
        rate = self.limits.rate(paid=paid)
        pace = track.tat - (BURST - 1) / rate
        while track.answered and track.answered[0] <= now - WINDOW_S:
            track.answered.popleft()
        cap = self.limits.cap(paid=paid)
        excess = track.open + len(track.answered) - cap + 1
        ceiling = -math.inf
        if excess > len(track.answered):
            ceiling = math.inf  # the window is full of sends still waiting for answers
        elif excess > 0:
            ceiling = track.answered[excess - 1] + WINDOW_S
        return max(pace, ceiling, self._paused_until)

    def ready_at(self, chat_id: int, now: float, *, paid: bool = False) -> float:
        """Return the earliest time a send to this chat may start."""
        return max(self.chat_ready(chat_id), self.global_ready(now, paid=paid))

    def started(self, chat_id: int, now: float, *, paid: bool = False) -> None:
        """Note that a send is let go now; `answered` must follow, whatever happens."""
        track = self._tracks[paid]
        track.tat = max(track.tat, now) + 1.0 / self.limits.rate(paid=paid)
        track.open += 1
        self._chat_open[chat_id] = self._chat_open.get(chat_id, 0) + 1

    def answered(
        self,
        chat_id: int,
        now: float,
        *,
        paid: bool = False,
        retry_after: float | None = None,
        unsure: bool = False,
    ) -> bool:
        """Note a started send's answer; on a 429 pause what it applies to; True if global.

        Telegram does not say which limit a 429 is about. One chat's 429 pauses that chat;
        when most answers of the last second were 429s from several chats, the overall
        limit was hit, and everything pauses. `unsure`: no answer came (a timeout, a network
        error), so the request may still be on its way; it counts a second longer.
        """
        track = self._tracks[paid]
        track.open = max(0, track.open - 1)
        if unsure:
            now += WINDOW_S
        bisect.insort(track.answered, now)  # in order, whatever order answers come in
        left = self._chat_open.get(chat_id, 0) - 1
        if left > 0:
            self._chat_open[chat_id] = left
        else:
            self._chat_open.pop(chat_id, None)
        ready = now + self.limits.chat_gap(chat_id)
        if retry_after is not None:
            ready = max(ready, now + retry_after)
        self._chat_ready[chat_id] = max(self._chat_ready.get(chat_id, -math.inf), ready)
        self._answers.append((now, chat_id if retry_after is not None else None))
        while self._answers and self._answers[0][0] < now - FLOOD_WINDOW_S:
            self._answers.popleft()
        if retry_after is None:
            return False
        flooded = [chat for _, chat in self._answers if chat is not None]
        if len(set(flooded)) >= FLOOD_MIN_CHATS and 2 * len(flooded) > len(self._answers):
            self._paused_until = max(self._paused_until, now + retry_after)
            return True
        return False

    def paused_chats(self, now: float, beyond: float) -> set[int]:
        """Return the chats that may not send until more than `beyond` seconds from now."""
        done = [chat for chat, at in self._chat_ready.items() if at <= now]
        for chat in done:  # forget chats that may send again
            del self._chat_ready[chat]
        return {chat for chat, at in self._chat_ready.items() if at > now + beyond}

    def next_unpaused(self, now: float, beyond: float) -> float | None:
        """Return when the first of the `paused_chats(now, beyond)` stops being one."""
        return min(
            (at - beyond for at in self._chat_ready.values() if at > now + beyond), default=None
        )

    def forget(self, chat_id: int) -> None:
        """Drop what is known about a chat (blocked, or moved to a new id)."""
        self._chat_ready.pop(chat_id, None)


class Timer(Protocol):
    """A monotonic clock the dispatcher can sleep on."""

    concurrent: bool  # whether time passes by itself (a simulated clock moves only when slept)

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
    happens at the (simulated) time the limits allow. The dispatcher then moves the clock
    only when nothing else can happen first: no send on the wire, no row being prepared.
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
