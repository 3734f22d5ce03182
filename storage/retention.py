"""Pruning what is kept only for a while: finished outbox rows, old stories, fingerprints.

Every method does one small batch in one short transaction and says how many rows it
took, so the caller (`bot.retention`) can go on batch after batch while the sender's own
transactions get the database in between.
"""

from __future__ import annotations

from datetime import datetime

from storage._base import Repository


class RetentionRepository(Repository):
    """Deletes in bounded batches, each an index range."""

    async def prune_outbox(self, *, before: datetime, limit: int) -> int:
        """Delete up to `limit` sent, failed or cancelled rows queued before a time."""
        cursor = await self._db.execute(
            "DELETE FROM outbox WHERE id IN ("
            " SELECT id FROM outbox WHERE status IN ('sent', 'failed', 'cancelled')"
            " AND created_at < ? LIMIT ?)",
            (before.timestamp(), limit),
        )
        return max(cursor.rowcount, 0)

    async def prune_stories(self, *, before: datetime, limit: int) -> int:
        """Delete up to `limit` stories last reported before a time, with their events.

        A story that an outbox row still points at stays until that row is pruned. The
        story's labels and signature go with it; its day's counts (`daily_counts`) stay.
        """
        async with self._db.transaction():
            rows = await self._db.fetchall(
                "SELECT id FROM stories WHERE last_seen_at < ?"
                " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.story_id = stories.id)"
                " ORDER BY last_seen_at LIMIT ?",
                (before.timestamp(), limit),
            )
            ids = [(int(row[0]),) for row in rows]
            if not ids:
                return 0
            await self._db.executemany("DELETE FROM events WHERE story_id = ?", ids)
            await self._db.executemany("DELETE FROM story_labels WHERE story_id = ?", ids)
            await self._db.executemany("DELETE FROM story_signatures WHERE story_id = ?", ids)
            await self._db.executemany("DELETE FROM stories WHERE id = ?", ids)
        return len(ids)

    async def drop_fingerprints(self, *, before: datetime, limit: int) -> int:
        """Delete the signatures of up to `limit` stories last reported before a time.

        A signature is read only to join new reports to a story within the joining
        window. It is a row of its own (`story_signatures`), so deleting it frees whole
        pages, which `Database.reclaim` can hand back.
        """
        cursor = await self._db.execute(
            "DELETE FROM story_signatures WHERE story_id IN ("
            " SELECT story_id FROM story_signatures WHERE last_seen_at < ? LIMIT ?)",
            (before.timestamp(), limit),
        )
        return max(cursor.rowcount, 0)
