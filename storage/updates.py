"""Telegram updates received, by their unique `update_id`: stored before answering, claimed
and handled by one instance, noted so that one read twice is dropped.

A webhook's update is stored with its JSON before Telegram gets its 200, then claimed for
a short lease by the instance that handles it (`UPDATE … RETURNING`, the claim re-checked
in the same statement, so two instances never take one row) and marked handled after. An
instance that dies mid-way leaves its claim to run out; the update is handled again then
(a duplicate rather than a loss). Polling notes each update as it is handled. Portable SQL:
PostgreSQL runs the same statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage._base import Repository


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    """An update waiting to be handled, as Telegram sent it."""

    update_id: int
    payload: str  # the update's JSON


class UpdateRepository(Repository):
    """The `updates` table."""

    async def store(self, update_id: int, payload: str, *, now: datetime) -> bool:
        """Store a received update to be handled; False when it was received already."""
        row = await self._db.fetchone(
            "INSERT INTO updates (update_id, payload, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, payload, now.timestamp()),
        )
        return row is not None

    async def first_sight(self, update_id: int, *, now: datetime) -> bool:
        """Note an update read by polling as handled now; False when it was seen before."""
        at = now.timestamp()
        row = await self._db.fetchone(
            "INSERT INTO updates (update_id, received_at, handled_at) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, at, at),
        )
        return row is not None

    async def claim(self, *, now: datetime, until: datetime, limit: int) -> list[StoredUpdate]:
        """Take up to `limit` unhandled updates no one else holds, oldest first, until a time.

        The outer WHERE repeats the inner one: under PostgreSQL's read committed another
        instance's claim made meanwhile is seen there, and that row is left to it.
        """
        rows = await self._db.fetchall(
            "UPDATE updates SET claimed_until = ? WHERE update_id IN ("
            " SELECT update_id FROM updates WHERE handled_at IS NULL"
            " AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY update_id LIMIT ?)"
            " AND handled_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)"
            " RETURNING update_id, payload",
            (until.timestamp(), now.timestamp(), limit, now.timestamp()),
        )
        found = [StoredUpdate(int(row["update_id"]), str(row["payload"] or "{}")) for row in rows]
        return sorted(found, key=lambda stored: stored.update_id)  # RETURNING has no order

    async def handled(self, update_id: int, *, now: datetime) -> None:
        """Mark an update handled (its JSON is not needed any more)."""
        await self._db.execute(
            "UPDATE updates SET handled_at = ?, payload = NULL, claimed_until = NULL"
            " WHERE update_id = ?",
            (now.timestamp(), update_id),
        )

    async def release(self, update_id: int) -> None:
        """Give up the claim on an update not handled (its handler stopped half-way)."""
        await self._db.execute(
            "UPDATE updates SET claimed_until = NULL WHERE update_id = ? AND handled_at IS NULL",
            (update_id,),
        )

    async def waiting(self) -> int:
        """Return how many received updates are not handled yet."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM updates WHERE handled_at IS NULL")
        return int(row[0]) if row else 0

    async def prune(self, *, before: datetime, limit: int) -> int:
        """Delete up to `limit` updates handled before a time; return how many."""
        cursor = await self._db.execute(
            "DELETE FROM updates WHERE update_id IN ("
            " SELECT update_id FROM updates WHERE handled_at < ? LIMIT ?)",
            (before.timestamp(), limit),
        )
        return max(cursor.rowcount, 0)
