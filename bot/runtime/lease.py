"""The sender lease: which of several instances on one database sends, and when it stops.

Every instance polls and matches; one at a time sends (the dispatcher, and with it
digests and quiet hours, and reading updates). `SenderLease.step` runs every `renew`
seconds (a quarter of the lease): it writes this instance's heartbeat and takes or renews
the `sender` lease row (`storage.leases`) until `now + ttl`.

Why the numbers: a holder killed just after renewing leaves a lease that runs out `ttl`
later; a standby looks every `renew`, so it takes over within `ttl + renew` (10 + 2.5 s
with the defaults, inside the 15 s the issue asks for) and starts sending at once, since
taking over frees every row the old holder had claimed (`OutboxRepository.release_claims`).

A holder stops before another can start: it treats the lease as its own only until
`ttl - margin` after the renewal that granted it (the renewal's start, not its end, so a
slow database shortens its tenure rather than lengthening it), and every send checks that
time first (`LeasedSender`), so sending stops on time even while the keeper's own step is
stuck waiting for a locked database. Every outbox claim also checks, in its transaction,
that the stored lease still names this instance at the epoch it was granted. The margin
also covers the drift between two hosts' clocks.

Lease time is the injectable clock passed here (the application gives it the system clock:
the lease is shared with other processes, whatever the application's own clock is doing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.runtime.clock import Clock
from storage import Database
from storage.leases import Tenure

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


def instance_id() -> str:
    """Return a new id for this process: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class LeaseTimings:
    """How long a lease lasts, how often it is renewed, and how early its holder stops."""

    ttl: timedelta = timedelta(seconds=10)

    @property
    def renew(self) -> timedelta:
        """Renew four times per lease: three renewals may fail before the holder stops."""
        return self.ttl / 4

    @property
    def margin(self) -> timedelta:
        """Stop this long before the stored expiry (a fifth of the lease, one renewal less)."""
        return self.ttl / 5


class SenderLease:
    """Keeps (or waits for) the sender lease and says when this instance gains or loses it.

    `on_gain` starts what only the sender runs, `on_loss` stops it; both are awaited, and
    `on_loss` always runs before a later `on_gain`.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        instance: str | None = None,
        timings: LeaseTimings | None = None,
        on_gain: Hook | None = None,
        on_loss: Hook | None = None,
        on_step: Callable[[bool], Awaitable[None]] | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.instance = instance or instance_id()
        self.timings = timings or LeaseTimings()
        self._on_gain = on_gain
        self._on_loss = on_loss
        self._on_step = on_step  # told after every step whether this instance holds it
        self._tenure: Tenure | None = None
        self.started_at: datetime | None = None  # when this instance last gained it
        self.others = False  # another instance's heartbeat was current at the last step
        self._holding = asyncio.Event()  # set from a gain to the next loss

    @property
    def held(self) -> bool:
        """Tell whether this instance may send right now (its tenure has not run out)."""
        tenure = self._tenure
        return tenure is not None and self._clock.now() < tenure.expires_at

    @property
    def epoch(self) -> int | None:
        """Return the epoch this instance holds the lease at (None: it does not)."""
        return self._tenure.epoch if self._tenure is not None else None

    async def step(self) -> bool:
        """Renew the heartbeat and try to take or keep the lease; return whether it is held."""
        if not self._db.leases.checked:
            self._db.leases.hold(None, self._clock)  # from now on claims are checked
        if self._tenure is not None and not self.held:
            # It ran out before this renewal: sends were refused meanwhile and their rows
            # left claimed, so even if no one else took it, start over (and free them).
            await self._lose("its lease ran out before it could be renewed")
        started = self._clock.now()
        ttl = self.timings.ttl
        epoch: int | None
        try:
            await self._db.leases.heartbeat(self.instance, now=started, ttl=ttl)
            self.others = await self._db.leases.others_alive(self.instance, now=started)
            epoch = await self._db.leases.acquire(self.instance, now=started, ttl=ttl)
        except Exception:  # a locked or failing database: keep the tenure it has
            log.warning("could not renew the sender lease; trying again", exc_info=True)
            if self._tenure is not None and not self.held:
                await self._lose("its lease ran out while the database did not answer")
            await self._told()
            return self.held
        if self._tenure is not None and self._tenure.epoch != epoch:
            # Refused, or granted at a new epoch: another instance held it in between.
            await self._lose("another instance holds the lease")
        if epoch is not None:
            gained = self._tenure is None
            self._tenure = Tenure(self.instance, epoch, started + ttl - self.timings.margin)
            self._db.leases.hold(self._tenure, self._clock)
            if gained:
                await self._gain(epoch)
        await self._told()
        return self.held

    async def _told(self) -> None:
        if self._on_step is not None:
            await self._on_step(self.held)

    async def until_held(self) -> None:
        """Return once this instance holds the lease (at once if it does)."""
        await self._holding.wait()

    async def _gain(self, epoch: int) -> None:
        self._holding.set()
        freed = await self._db.outbox.release_claims()
        self.started_at = self._clock.now()
        log.info(
            "instance %s holds the sender lease (epoch %d); %d claimed rows freed",
            self.instance,
            epoch,
            freed,
        )
        if self._on_gain is not None:
            await self._on_gain()

    async def _lose(self, why: str) -> None:
        self._tenure = None
        self._holding.clear()
        self._db.leases.hold(None, self._clock)
        log.warning("instance %s stops sending: %s", self.instance, why)
        if self._on_loss is not None:
            await self._on_loss()

    async def run(self) -> None:
        """Step every `renew` forever; between steps, stop sending the moment the tenure ends."""
        while True:
            try:
                await self.step()
            except Exception:
                # A gain or loss that failed half-way (its hooks write to the database):
                # the next step tries again; sending still stops with the tenure.
                log.exception("the sender lease's step failed; trying again")
            wait = self.timings.renew.total_seconds()
            tenure = self._tenure
            if tenure is not None:
                left = (tenure.expires_at - self._clock.now()).total_seconds()
                wait = min(wait, max(left, 0.0))
            await asyncio.sleep(wait)
            if self._tenure is not None and not self.held:
                await self._lose("its lease ran out before it could be renewed")

    async def close(self) -> None:
        """Stop sending and hand the lease and the sources over at once (a clean stop)."""
        if self._tenure is not None:
            await self._lose("the instance stops")
        with contextlib.suppress(Exception):
            await self._db.leases.release(self.instance)
            await self._db.leases.leave(self.instance)
