"""Leases shared by the instances on one database: who sends, and who is alive.

A lease is a row (holder, epoch, expiry) taken with one conditional `UPDATE … RETURNING`:
the holder renews it, anyone takes it once it has expired, and every change of hands adds
one to the epoch. A row, not a session advisory lock, because connection poolers hand a
session's lock to whichever client uses the connection next.

Every outbox claim checks, inside its own transaction, that this process still holds the
sender lease at the epoch it took it with (`sending_allowed`); a process that never asked
for the lease (the CLI, tests that drain by hand, a lone bot with the keeper off) is not
checked, so one instance on its own works as it always did.

Instances also keep a heartbeat row (`instances`), which is what makes a source lease
(`sources.poll_holder`) worth anything: a source held by an instance whose heartbeat ran
out is free for the others, so a killed instance blocks its sources only until then.

The SQL is portable (no SQLite-only functions): it runs on PostgreSQL unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.runtime.clock import Clock, from_timestamp
from storage._base import Repository

if TYPE_CHECKING:
    from storage.db import Database

SENDER = "sender"


class LeaseLostError(Exception):
    """This process no longer holds the sender lease: it must not send (or claim) now."""


@dataclass(frozen=True, slots=True)
class Tenure:
    """This process's hold on a lease: who, at which epoch, and until when it may send.

    `expires_at` is the holder's own deadline, a margin before the expiry stored in the
    row, so that it has stopped before a standby may take the lease over.
    """

    holder: str
    epoch: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LeaseRow:
    """A lease as stored (for the CLI, tests and benchmarks)."""

    name: str
    holder: str | None
    epoch: int
    expires_at: datetime | None


class LeaseRepository(Repository):
    """The `leases` and `instances` tables, and this process's sender tenure."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._checked = False  # set once this process takes part in the sender lease
        self._tenure: Tenure | None = None
        self._clock: Clock | None = None

    @property
    def checked(self) -> bool:
        """Tell whether outbox claims check the sender lease in this process."""
        return self._checked

    def hold(self, tenure: Tenure | None, clock: Clock) -> None:
        """Record this process's sender tenure (None: it does not hold the lease).

        From the first call on, every outbox claim checks it: without a tenure nothing
        is claimed at all. `clock` is the lease's (claims pass their own `now`, which in
        tests may be a simulated day while the lease runs on real time).
        """
        self._checked = True
        self._tenure = tenure
        self._clock = clock

    @property
    def tenure(self) -> Tenure | None:
        """Return the sender tenure this process last recorded."""
        return self._tenure

    async def sending_allowed(self) -> bool:
        """Tell whether this process may claim outbox rows now (inside the claim's transaction).

        The stored row must still name this process at the epoch it took it with, and
        not have expired: a holder that was replaced, or that could not renew in time,
        claims nothing. On SQLite the claim's `BEGIN IMMEDIATE` keeps a takeover from
        committing between this check and the claim's own writes. On PostgreSQL one may
        commit in between, which costs nothing: a takeover comes only after the stored
        expiry, and the old holder's own deadline (checked here and before every send)
        passed a margin before that, so it sends none of what it claimed.
        """
        if not self._checked:
            return True
        tenure, clock = self._tenure, self._clock
        if tenure is None or clock is None:
            return False
        now = clock.now()
        if now >= tenure.expires_at:
            return False  # the holder's own deadline, a margin before the stored expiry
        row = await self._db.fetchone(
            "SELECT 1 FROM leases WHERE name = ? AND holder = ? AND epoch = ? AND expires_at > ?",
            (SENDER, tenure.holder, tenure.epoch, now.timestamp()),
        )
        return row is not None

    async def acquire(
        self, holder: str, *, now: datetime, ttl: timedelta, name: str = SENDER
    ) -> int | None:
        """Take or renew a lease until `now + ttl`; return its epoch, or None if another holds it.

        Renewing keeps the epoch; taking it from another (expired) holder, or from nobody,
        adds one to it. One statement, so two instances racing for it cannot both win.
        """
        ts = now.timestamp()
        row = await self._db.fetchone(
            "UPDATE leases SET holder = ?,"
            " epoch = CASE WHEN holder = ? THEN epoch ELSE epoch + 1 END,"
            " expires_at = ?"
            " WHERE name = ? AND (holder = ? OR holder IS NULL OR expires_at <= ?)"
            " RETURNING epoch",
            (holder, holder, ts + ttl.total_seconds(), name, holder, ts),
        )
        return int(row[0]) if row else None

    async def release(self, holder: str, *, name: str = SENDER) -> bool:
        """Let a lease go at once (a clean stop): a standby need not wait for it to expire."""
        cursor = await self._db.execute(
            "UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?", (name, holder)
        )
        return cursor.rowcount > 0

    async def get(self, name: str = SENDER) -> LeaseRow | None:
        """Return a lease as stored."""
        row = await self._db.fetchone(
            "SELECT name, holder, epoch, expires_at FROM leases WHERE name = ?", (name,)
        )
        if row is None:
            return None
        return LeaseRow(
            row["name"], row["holder"], int(row["epoch"]), from_timestamp(row["expires_at"])
        )

    async def heartbeat(self, instance: str, *, now: datetime, ttl: timedelta) -> None:
        """Say this instance is alive until `now + ttl` (and forget long-dead ones)."""
        ts = now.timestamp()
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO instances (id, started_at, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at",
                (instance, ts, ts + ttl.total_seconds()),
            )
            await self._db.execute(
                "DELETE FROM instances WHERE expires_at < ?",
                (ts - timedelta(days=1).total_seconds(),),
            )

    async def others_alive(self, instance: str, *, now: datetime) -> bool:
        """Tell whether another instance's heartbeat is current."""
        row = await self._db.fetchone(
            "SELECT 1 FROM instances WHERE id <> ? AND expires_at > ? LIMIT 1",
            (instance, now.timestamp()),
        )
        return row is not None

    async def leave(self, instance: str) -> None:
        """Take a stopping instance's heartbeat and source leases away at once."""
        async with self._db.transaction():
            await self._db.execute(
                "UPDATE sources SET poll_holder = NULL WHERE poll_holder = ?", (instance,)
            )
            await self._db.execute("DELETE FROM instances WHERE id = ?", (instance,))
