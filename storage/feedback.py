"""Subscribers' "not relevant" presses, and the flagged stories they are about.

A flag is one row per (story, chat): the primary key, not the caller, makes a second press
count for nothing. The story is copied into `flagged_stories` when first flagged, so the
export still has its text once the story itself is pruned.
"""

from __future__ import annotations

from datetime import datetime

from bot.models import FlaggedStory, StoryReport
from bot.runtime.clock import from_timestamp
from storage._base import Repository, Row, dump_list, load_list

# Each count is a search of one story's rows (feedback's key, outbox_story), so a page costs
# its own rows, however many stories were ever flagged or sent.
_FLAGGED = """
    SELECT s.story_id, s.lang, s.text, s.url, s.topics, s.places, s.first_at, s.last_at,
           (SELECT COUNT(*) FROM feedback f WHERE f.story_id = s.story_id) AS chats,
           (SELECT COUNT(*) FROM outbox o
            WHERE o.story_id = s.story_id AND o.status = 'sent') AS reached
    FROM flagged_stories s
    WHERE EXISTS (SELECT 1 FROM feedback f WHERE f.story_id = s.story_id)
"""


def _flagged(row: Row) -> FlaggedStory:
    first, last = from_timestamp(row["first_at"]), from_timestamp(row["last_at"])
    assert first is not None and last is not None  # noqa: S101 -- NOT NULL columns
    return FlaggedStory(
        story_id=int(row["story_id"]),
        lang=row["lang"],
        text=row["text"],
        url=row["url"],
        topics=load_list(row["topics"]),
        places=load_list(row["places"]),
        chats=int(row["chats"]),
        # The outbox forgets old rows; a story reached at least the chats that flagged it.
        reached=max(int(row["reached"]), int(row["chats"])),
        first_at=first,
        last_at=last,
    )


class FeedbackRepository(Repository):
    """Flags of alerts as not relevant, per chat and story."""

    async def report(self, story_id: int) -> StoryReport | None:
        """Return a story's first report (what its alerts show and the matcher read)."""
        row = await self._db.fetchone(
            "SELECT story_id, title, text, lang, link, topics, places, is_admin, is_announcement"
            " FROM events WHERE story_id = ? ORDER BY id LIMIT 1",
            (story_id,),
        )
        if row is None:
            return None
        return StoryReport(
            story_id=int(row["story_id"]),
            title=row["title"],
            text=row["text"],
            lang=row["lang"],
            url=row["link"],
            topics=load_list(row["topics"]),
            places=load_list(row["places"]),
            is_admin=bool(row["is_admin"]),
            is_announcement=bool(row["is_announcement"]),
        )

    async def flag(self, report: StoryReport, *, chat_id: int, user_id: int, now: datetime) -> bool:
        """Record that a chat found a story not relevant; False if it had said so already."""
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO flagged_stories"
                " (story_id, lang, text, url, topics, places, first_at, last_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (story_id) DO NOTHING",
                (
                    report.story_id,
                    report.lang,
                    report.shown_text,
                    report.url,
                    dump_list(report.topics),
                    dump_list(report.places),
                    now.timestamp(),
                    now.timestamp(),
                ),
            )
            cursor = await self._db.execute(
                "INSERT INTO feedback (story_id, chat_id, user_id, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (story_id, chat_id) DO NOTHING",
                (report.story_id, chat_id, user_id, now.timestamp()),
            )
            if cursor.rowcount != 1:
                return False
            await self._db.execute(
                "UPDATE flagged_stories SET last_at = ? WHERE story_id = ? AND last_at < ?",
                (now.timestamp(), report.story_id, now.timestamp()),
            )
            return True

    async def flagged_by(self, story_id: int, chat_id: int) -> int | None:
        """Return who flagged a story for a chat, or None if the chat has not."""
        row = await self._db.fetchone(
            "SELECT user_id FROM feedback WHERE story_id = ? AND chat_id = ?", (story_id, chat_id)
        )
        return int(row[0]) if row else None

    async def unflag(self, story_id: int, chat_id: int) -> bool:
        """Take a chat's flag back; False if there was none. A story no chat flags is dropped."""
        async with self._db.transaction():
            cursor = await self._db.execute(
                "DELETE FROM feedback WHERE story_id = ? AND chat_id = ?", (story_id, chat_id)
            )
            if cursor.rowcount != 1:
                return False
            await self._db.execute(
                "DELETE FROM flagged_stories WHERE story_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM feedback WHERE story_id = ?)",
                (story_id, story_id),
            )
            await self._db.execute(
                "UPDATE flagged_stories SET last_at ="
                " (SELECT MAX(created_at) FROM feedback WHERE story_id = ?) WHERE story_id = ?",
                (story_id, story_id),
            )
        return True

    async def page(self, *, offset: int, limit: int) -> list[FlaggedStory]:
        """Return flagged stories, the most recently flagged first, a page at a time."""
        rows = await self._db.fetchall(
            _FLAGGED + " ORDER BY s.last_at DESC, s.story_id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_flagged(row) for row in rows]

    async def every(self) -> list[FlaggedStory]:
        """Return every flagged story, in story order (what the export writes)."""
        rows = await self._db.fetchall(_FLAGGED + " ORDER BY s.story_id")
        return [_flagged(row) for row in rows]
