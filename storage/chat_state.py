"""What a chat's conversation with the bot is in the middle of, shared by every instance.

The answer the /settings menu waits for (and the place named before its radius), and the
stories whose "Why this alert?" a chat was answered lately. PTB's chat_data lives in one
process; kept here, an answer typed after another instance took over is still taken.
Portable SQL (no SQLite-only functions), so PostgreSQL runs the same statements.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Awaiting, Prompt
from storage._base import Repository


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class ChatStateRepository(Repository):
    """One row per chat with a pending /settings answer or place; the recent Whys."""

    async def await_answer(self, chat_id: int, waiting: Awaiting) -> None:
        """Note that the menu waits for `waiting` in this chat (replacing any other)."""
        since = waiting.since.timestamp()
        await self._db.execute(
            "INSERT INTO chat_state (chat_id, prompt, user_id, since, changed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
            " prompt = excluded.prompt, user_id = excluded.user_id, since = excluded.since,"
            " changed_at = excluded.changed_at",
            (chat_id, waiting.prompt.value, waiting.user_id, since, since),
        )

    async def awaiting(self, chat_id: int) -> Awaiting | None:
        """Return the answer the menu waits for in this chat, if any."""
        row = await self._db.fetchone(
            "SELECT prompt, user_id, since FROM chat_state"
            " WHERE chat_id = ? AND prompt IS NOT NULL",
            (chat_id,),
        )
        if row is None:
            return None
        try:
            prompt = Prompt(row["prompt"])
        except ValueError:
            return None  # a prompt of a later version: not ours to take
        return Awaiting(prompt, int(row["user_id"]), _at(float(row["since"])))

    async def stop_waiting(self, chat_id: int) -> None:
        """Wait for no answer in this chat any more (its place, if any, stays)."""
        await self._db.execute(
            "UPDATE chat_state SET prompt = NULL, user_id = NULL, since = NULL"
            " WHERE chat_id = ? AND prompt IS NOT NULL",
            (chat_id,),
        )

    async def set_place(self, chat_id: int, place: str, *, now: datetime) -> None:
        """Remember the place named in this chat, for the radius tapped next."""
        await self._db.execute(
            "INSERT INTO chat_state (chat_id, place, changed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET place = excluded.place,"
            " changed_at = excluded.changed_at",
            (chat_id, place, now.timestamp()),
        )

    async def place(self, chat_id: int) -> str | None:
        """Return the place last named in this chat, if any."""
        row = await self._db.fetchone("SELECT place FROM chat_state WHERE chat_id = ?", (chat_id,))
        return None if row is None or row["place"] is None else str(row["place"])

    async def explained_since(self, chat_id: int, story_id: int, since: datetime) -> bool:
        """Tell whether this chat was told why about this story after `since`."""
        row = await self._db.fetchone(
            "SELECT 1 FROM chat_explained WHERE chat_id = ? AND story_id = ? AND answered_at > ?",
            (chat_id, story_id, since.timestamp()),
        )
        return row is not None

    async def note_explained(
        self, chat_id: int, story_id: int, *, now: datetime, forget_before: datetime, keep: int
    ) -> None:
        """Note that this chat was told why about a story; keep at most `keep` of its
        latest, none answered before `forget_before`."""
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO chat_explained (chat_id, story_id, answered_at) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id, story_id) DO UPDATE SET answered_at = excluded.answered_at",
                (chat_id, story_id, now.timestamp()),
            )
            await self._db.execute(
                "DELETE FROM chat_explained WHERE chat_id = ? AND (answered_at < ? OR story_id"
                " NOT IN (SELECT story_id FROM chat_explained WHERE chat_id = ?"
                " ORDER BY answered_at DESC, story_id DESC LIMIT ?))",
                (chat_id, forget_before.timestamp(), chat_id, keep),
            )

    async def move(self, old_id: int, new_id: int) -> None:
        """Move a chat's state to its new id (a group that became a supergroup).

        Where the new chat has state of its own, its own stays; the old chat's goes.
        """
        async with self._db.transaction():
            await self._db.execute(
                "UPDATE chat_state SET chat_id = ? WHERE chat_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM chat_state WHERE chat_id = ?)",
                (new_id, old_id, new_id),
            )
            await self._db.execute(
                "UPDATE chat_explained SET chat_id = ? WHERE chat_id = ? AND story_id NOT IN"
                " (SELECT story_id FROM chat_explained WHERE chat_id = ?)",
                (new_id, old_id, new_id),
            )
            for table in ("chat_state", "chat_explained"):
                await self._db.execute(
                    f"DELETE FROM {table} WHERE chat_id = ?",  # noqa: S608 -- constant names
                    (old_id,),
                )

    async def prune(self, *, before: datetime, limit: int) -> int:
        """Delete up to `limit` rows of state last changed before a time; return how many."""
        cutoff = before.timestamp()
        async with self._db.transaction():
            explained = await self._db.execute(
                "DELETE FROM chat_explained WHERE (chat_id, story_id) IN ("
                " SELECT chat_id, story_id FROM chat_explained WHERE answered_at < ? LIMIT ?)",
                (cutoff, limit),
            )
            state = await self._db.execute(
                "DELETE FROM chat_state WHERE chat_id IN ("
                " SELECT chat_id FROM chat_state WHERE changed_at < ? LIMIT ?)",
                (cutoff, limit),
            )
        return max(explained.rowcount, 0) + max(state.rowcount, 0)
