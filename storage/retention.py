"""Pruning what is kept only for a while: finished outbox rows, old stories, fingerprints,
events' texts.

Every method does one small batch in one short transaction and says how many rows it
took, so the caller (`bot.retention`) can go on batch after batch while the sender's own
transactions get the database in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage._base import Repository
from storage.events import BUMP_STORIES_VERSION


@dataclass(frozen=True, slots=True)
class TextStep:
    """What one batch of `drop_texts` did, and where the next batch goes on from."""

    examined: int  # events looked at (a batch that looked at fewer than asked is the last)
    dropped: int  # events whose text it dropped
    last: tuple[float, int]  # (seen_at, id) of the last event looked at


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
            if self._db.dialect == "postgresql":
                await self._db.execute(BUMP_STORIES_VERSION)
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

    async def drop_texts(
        self, *, before: datetime, after: tuple[float, int], limit: int
    ) -> TextStep:
        """Drop the text of events seen before a time, looking at up to `limit` of them.

        Events are looked at in (seen_at, id) order after the key `after`, so batch after
        batch walks the range once. An event keeps its text while an outbox row about its
        story is kept ("Why this alert?" and "Not relevant" read the story's first report,
        and only while its alert is in the outbox); its title, summary, labels and
        everything else stay until the story itself is pruned.

        Why delete and write back instead of `UPDATE ... SET text = ''`: SQLite does not
        merge b-tree pages when a row shrinks in place, so an event whose text filled most
        of its page, made small by an UPDATE, keeps that page all the same. Deleting the rows
        lets the b-tree merge their emptied pages and free them (`Database.reclaim` hands
        them back); the rows are then written again, small, under their own ids. They are
        copied with `SELECT *`, so a column a later migration adds is kept too.
        """
        seen, event_id = after
        async with self._db.transaction():
            rows = await self._db.fetchall(
                "SELECT id, seen_at, text <> '' AS has_text,"
                " EXISTS (SELECT 1 FROM outbox o WHERE o.story_id = e.story_id) AS alerted"
                " FROM events e WHERE e.seen_at >= ? AND e.seen_at < ?"
                " AND NOT (e.seen_at = ? AND e.id <= ?)"
                " ORDER BY e.seen_at, e.id LIMIT ?",
                (seen, before.timestamp(), seen, event_id, limit),
            )
            if not rows:
                return TextStep(examined=0, dropped=0, last=after)
            last = (float(rows[-1]["seen_at"]), int(rows[-1]["id"]))
            ids = [int(row["id"]) for row in rows if row["has_text"] and not row["alerted"]]
            if ids:
                marks = ", ".join("?" * len(ids))
                full = await self._db.fetchall(
                    f"SELECT * FROM events WHERE id IN ({marks})",  # noqa: S608 -- placeholders
                    ids,
                )
                columns = list(full[0].keys())
                await self._db.execute(
                    f"DELETE FROM events WHERE id IN ({marks})",  # noqa: S608 -- placeholders
                    ids,
                )
                await self._db.executemany(
                    f"INSERT INTO events ({', '.join(columns)})"  # noqa: S608 -- its own columns
                    f" VALUES ({', '.join('?' * len(columns))})",
                    [tuple("" if c == "text" else row[c] for c in columns) for row in full],
                )
        return TextStep(examined=len(rows), dropped=len(ids), last=last)
