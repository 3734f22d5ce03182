"""Waiting out a database that cannot be written for a while, so delivery neither loses nor
doubles a message.

Another writer holding SQLite's lock past the busy timeout (a backup, a second process, a
stuck migration) or a disk out of room makes the dispatcher's statements fail. Given up,
each would cost a message: a row Telegram accepted but that could not be marked sent is
sent again once its lease runs out, and a claim that fails ends a drain. So the
dispatcher's statements go through `Patience.run`: tried again with backoff on the
delivery timer until the database answers, said once at WARNING when the waiting starts
and once at INFO when it is over, however many sends wait meanwhile. Any other error is
raised as it came.

Hand-written rather than a retry library (none is a dependency): the waits must be the
delivery `Timer`'s, which a test's simulated clock drives, and one log line must speak for
every task waiting at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from bot.delivery.pacer import Timer
from storage import unwritable_for_now

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_WAIT_S = 0.1
LONGEST_WAIT_S = 5.0  # on top of the busy timeout each try already waits in SQLite


class Patient(Protocol):
    """Something that makes a database call, waiting out a busy database or not."""

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """Return what `call` returns."""
        ...


async def at_once(call: Callable[[], Awaitable[T]]) -> T:
    """Make a database call once, raising what it raises (no patience)."""
    return await call()


class Patience:
    """Runs database calls again while the database cannot be used for now."""

    def __init__(self, timer: Timer) -> None:
        self._timer = timer
        self._waiting = 0  # calls waiting right now (the log speaks when it leaves 0)

    @property
    def waiting(self) -> int:
        """Return how many calls wait for the database right now."""
        return self._waiting

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """Return what `call` returns, calling it again for as long as the database is busy."""
        delay = FIRST_WAIT_S
        waited = False
        try:
            while True:
                try:
                    return await call()
                except Exception as exc:
                    if not unwritable_for_now(exc):
                        raise
                    if not waited:
                        waited = True
                        self._waiting += 1
                        if self._waiting == 1:
                            log.warning("delivery waits for the database (%s)", exc)
                await self._timer.sleep(delay)
                delay = min(2 * delay, LONGEST_WAIT_S)
        finally:
            if waited:
                self._waiting -= 1
                if self._waiting == 0:
                    log.info("delivery no longer waits for the database")
