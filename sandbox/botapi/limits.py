"""Telegram's flood limits, and the faults a test asks the sandbox to answer with.

Both turn a call that would otherwise succeed into an error answer before the method runs
(faults) or before it records anything (flood limits), so the bot meets them exactly where
it would meet Telegram's.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sandbox.botapi.errors import APIError, too_many_requests
from sandbox.botapi.params import chat_ref

__all__ = ["FaultInjector", "FloodControl", "RateLimits"]

# Random 429s (``FaultInjector.random_429``) only hit the methods that send a message.
_SEND_METHODS: Final = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Telegram's flood limits for a bot: overall, per private chat and per group or channel."""

    global_per_s: float = 30.0
    private_per_s: float = 1.0
    group_per_min: float = 20.0
    paid_per_s: float = 1000.0  # sends with allow_paid_broadcast, counted apart from the rest

    def __post_init__(self) -> None:
        if min(self.global_per_s, self.private_per_s, self.group_per_min) <= 0:
            raise ValueError("rate limits must be positive")


class _Window:
    """A sliding-window counter: at most ``capacity`` events in any ``period`` seconds."""

    def __init__(self, capacity: int, period: float) -> None:
        self._capacity = capacity
        self._period = period
        self._stamps: deque[float] = deque()

    @classmethod
    def per_second(cls, rate: float) -> _Window:
        # A rate below one per second becomes one event per 1/rate seconds.
        if rate >= 1:
            return cls(int(rate), 1.0)
        return cls(1, 1.0 / rate)

    def wait_time(self, now: float) -> float:
        while self._stamps and self._stamps[0] <= now - self._period:
            self._stamps.popleft()
        if len(self._stamps) < self._capacity:
            return 0.0
        return self._stamps[0] + self._period - now

    def add(self, now: float) -> None:
        self._stamps.append(now)


class FloodControl:
    """Counts sends and edits against ``RateLimits``; with no limits it lets everything by."""

    def __init__(self, limits: RateLimits | None, monotonic: Callable[[], float]) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._global_window: _Window | None = None
        self._paid_window: _Window | None = None
        self._chat_windows: dict[int, _Window] = {}
        if limits is not None:
            self._global_window = _Window.per_second(limits.global_per_s)
            self._paid_window = _Window.per_second(limits.paid_per_s)

    def check(self, chat_id: int, *, paid: bool = False) -> None:
        """Refuse a send or edit that would break the flood limits; count it if it passes.

        A paid broadcast (allow_paid_broadcast) is counted against its own, much higher,
        overall limit instead of the usual one; per-chat limits apply to it all the same.
        Positive chat ids are private chats; negative ones are groups and channels.
        """
        if self.limits is None or self._global_window is None:
            return
        overall = self._global_window
        if paid and self._paid_window is not None:
            overall = self._paid_window
        now = self._monotonic()
        window = self._chat_windows.get(chat_id)
        if window is None:
            if chat_id > 0:
                window = _Window.per_second(self.limits.private_per_s)
            else:
                window = _Window(max(1, int(self.limits.group_per_min)), 60.0)
            self._chat_windows[chat_id] = window
        wait = max(overall.wait_time(now), window.wait_time(now))
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        overall.add(now)
        window.add(now)


@dataclass(slots=True)
class _Fault:
    method: str  # lower-case method name
    error_code: int
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    chat_id: int | None
    remaining: int


class FaultInjector:
    """Errors a test orders for coming calls, and a chance of a 429 on any send."""

    def __init__(self, rng: random.Random) -> None:
        self.random_429: float = 0.0  # probability that a send is refused with a 429
        self._rng = rng
        self._faults: list[_Fault] = []

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of a method (optionally for one chat) fail as given."""
        self._faults.append(
            _Fault(
                method=method.lower(),
                error_code=error_code,
                description=description,
                retry_after=retry_after,
                migrate_to_chat_id=migrate_to_chat_id,
                chat_id=chat_id,
                remaining=count,
            )
        )

    def inject(self, name: str, params: dict[str, Any]) -> None:
        """Raise the error ordered for this call, if any; ``name`` is the canonical method."""
        lowered = name.lower()
        for fault in self._faults:
            if fault.method != lowered:
                continue
            if fault.chat_id is not None:
                try:
                    if chat_ref(params) != fault.chat_id:
                        continue
                except APIError:
                    continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            parameters: dict[str, int] = {}
            if fault.retry_after is not None:
                parameters["retry_after"] = fault.retry_after
            if fault.migrate_to_chat_id is not None:
                parameters["migrate_to_chat_id"] = fault.migrate_to_chat_id
            raise APIError(fault.error_code, fault.description, parameters)
        if name in _SEND_METHODS and self.random_429 > 0 and self._rng.random() < self.random_429:
            raise too_many_requests(1)
