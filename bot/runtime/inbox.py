"""The webhook's updates handled from the database, a short claim at a time.

Whatever instance received an update stored it (`bot.runtime.webhook_http`); the one that
runs this loop claims the waiting ones for `lease` (`storage.updates`: two instances never
claim one row), hands each to `handle` (the composition root turns it into a PTB
`Update` and processes it), and marks it handled once that returned. Claimed updates are
started in update_id order, so the update processor keeps each chat's in order while
different chats go at once. An instance that stops half-way through an update gives its
claim up; one that dies holding a claim leaves it to run out. Either way the update is
handled again, a duplicate rather than a loss. One whose handling
raised is marked handled all the same (logged): a poison update must not come back forever.

The loop is woken at once by its own listener (`wake`) and otherwise looks at the table
every `look_every` seconds, for updates another instance received.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.runtime.clock import Clock
from storage import Database
from storage.updates import StoredUpdate

log = logging.getLogger(__name__)

Handle = Callable[[int, str], Awaitable[None]]  # (update_id, JSON)

LEASE = timedelta(seconds=60)  # a claim's length: longer than any update's handling
BATCH = 50  # updates claimed at once
LOOK_EVERY_S = 1.0  # how often the table is looked at with nothing heard


class Inbox:
    """Stores the webhook's updates and handles them from the table."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        handle: Handle,
        *,
        lease: timedelta = LEASE,
        batch: int = BATCH,
        look_every: float = LOOK_EVERY_S,
        on_round: Callable[[], None] | None = None,
        may_handle: Callable[[], bool] | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._handle = handle
        self._lease = lease
        self._batch = batch
        self._look_every = look_every
        self._on_round = on_round
        self._may_handle = may_handle  # False: another instance handles (it holds the lease)
        self._wake = asyncio.Event()

    async def receive(self, update_id: int, payload: str) -> bool:
        """Store an update received; False when it was received before (it is dropped)."""
        new = await self._db.updates.store(update_id, payload, now=self._clock.now())
        if new:
            self._wake.set()
        return new

    def wake(self) -> None:
        """Look at the table now."""
        self._wake.set()

    async def drain(self) -> int:
        """Handle every waiting update this instance can claim; return how many."""
        handled = 0
        while True:
            now = self._clock.now()
            claimed = await self._db.updates.claim(
                now=now, until=now + self._lease, limit=self._batch
            )
            if not claimed:
                return handled
            tasks = [asyncio.create_task(self._one(update)) for update in claimed]
            try:
                await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()  # when cancelled itself: none is left running
            handled += len(claimed)

    async def run(self) -> None:
        """Handle updates as they are stored, until cancelled."""
        while True:
            self._wake.clear()
            try:
                if self._may_handle is None or self._may_handle():
                    await self.drain()
            except Exception:
                # A database that is locked or full for now: the next round tries again.
                log.exception("handling stored updates failed; trying again")
            if self._on_round is not None:
                self._on_round()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._look_every)

    async def _one(self, update: StoredUpdate) -> None:
        """Handle one claimed update, then mark it handled (whatever handling raised)."""
        try:
            await self._handle(update.update_id, update.payload)
        except asyncio.CancelledError:
            # Stopping half-way: the claim is given up, so that the instance running next
            # handles it at once rather than after the claim ran out.
            with contextlib.suppress(Exception):
                await self._db.updates.release(update.update_id)
            raise
        except Exception:
            log.exception("update %d could not be handled; it is dropped", update.update_id)
        await self._db.updates.handled(update.update_id, now=self._clock.now())
