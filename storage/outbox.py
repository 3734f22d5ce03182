"""The outbox: the durable queue of messages to send, one row per (story, chat)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.clock import from_timestamp
from bot.models import OutboxRow
from storage._base import Repository


class OutboxRepository(Repository):
    """Pending, claimed, sent and failed messages."""

    async def enqueue(
        self, story_id: int, chat_ids: Iterable[int], *, priority: int, now: datetime
    ) -> int:
        """Queue a story for chats that have not had it; return how many rows were added."""
        rows = [
            (story_id, chat_id, priority, now.timestamp(), now.timestamp()) for chat_id in chat_ids
        ]
        if not rows:
            return 0
        async with self._db.transaction():
            before = await self._db.fetchone("SELECT total_changes()")
            await self._db.executemany(
                "INSERT OR IGNORE INTO outbox (story_id, chat_id, priority, not_before, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            after = await self._db.fetchone("SELECT total_changes()")
        return int(after[0]) - int(before[0]) if before and after else 0

    async def claim(self, *, now: datetime, limit: int, lease: timedelta) -> list[OutboxRow]:
        """Take due pending rows (highest priority, then oldest) under a lease.

        A row whose lease ran out (its sender died) becomes claimable again: that is the
        only way a message can be sent twice.
        """
        ts = now.timestamp()
        async with self._db.transaction():
            rows = await self._db.fetchall(
                """
                SELECT id, story_id, chat_id, attempts FROM outbox
                WHERE status = 'pending' AND not_before <= ?
                  AND (lease_until IS NULL OR lease_until <= ?)
                ORDER BY priority DESC, id LIMIT ?
                """,
                (ts, ts, limit),
            )
            claimed = [
                OutboxRow(r["id"], r["story_id"], r["chat_id"], r["attempts"] + 1) for r in rows
            ]
            await self._db.executemany(
                "UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                [(ts + lease.total_seconds(), row.id) for row in claimed],
            )
        return claimed

    async def mark_sent(self, row_id: int, *, message_id: int, now: datetime) -> None:
        """Record that Telegram accepted the message."""
        await self._db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, lease_until = NULL,"
            " last_error = NULL WHERE id = ?",
            (now.timestamp(), message_id, row_id),
        )

    async def retry_at(self, row_id: int, *, not_before: datetime, error: str) -> None:
        """Release a row to be tried again later."""
        await self._db.execute(
            "UPDATE outbox SET not_before = ?, lease_until = NULL, last_error = ? WHERE id = ?",
            (not_before.timestamp(), error[:500], row_id),
        )

    async def fail(self, row_id: int, *, error: str) -> None:
        """Give a row up for good, keeping the reason."""
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = ? WHERE id = ?",
            (error[:500], row_id),
        )

    async def cancel_chat(self, chat_id: int, *, reason: str) -> int:
        """Cancel every pending row of a chat; return how many."""
        cursor = await self._db.execute(
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL, last_error = ?"
            " WHERE chat_id = ? AND status = 'pending'",
            (reason[:500], chat_id),
        )
        return cursor.rowcount

    async def next_due(self) -> datetime | None:
        """Return when the earliest pending row becomes due, if any."""
        row = await self._db.fetchone(
            "SELECT MIN(MAX(not_before, COALESCE(lease_until, 0))) FROM outbox"
            " WHERE status = 'pending'"
        )
        if row is None or row[0] is None:
            return None

        return from_timestamp(float(row[0]))

    async def counts(self) -> dict[str, int]:
        """Return how many rows are in each status."""
        rows = await self._db.fetchall("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {row["status"]: int(row["n"]) for row in rows}
