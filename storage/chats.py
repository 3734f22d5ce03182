"""Chats that talked to the bot, and their topic subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storage._base import Repository


@dataclass(frozen=True, slots=True)
class Chat:
    """A chat the bot knows."""

    id: int
    type: str
    title: str | None
    language: str | None
    active: bool


class ChatRepository(Repository):
    """Chats and subscriptions."""

    async def register(
        self,
        chat_id: int,
        *,
        chat_type: str,
        title: str | None,
        language: str | None,
        now: datetime,
    ) -> bool:
        """Create or refresh a chat (reactivating it); return True when it is new."""
        async with self._db.transaction():
            row = await self._db.fetchone("SELECT 1 FROM chats WHERE id = ?", (chat_id,))
            await self._db.execute(
                """
                INSERT INTO chats (id, type, title, language, active, created_at)
                VALUES (?, ?, ?, ?, 1, ?)
                ON CONFLICT (id) DO UPDATE SET
                    type = excluded.type, title = excluded.title,
                    language = COALESCE(chats.language, excluded.language), active = 1
                """,
                (chat_id, chat_type, title, language, now.timestamp()),
            )
            return row is None

    async def get(self, chat_id: int) -> Chat | None:
        """Return a chat by id."""
        row = await self._db.fetchone(
            "SELECT id, type, title, language, active FROM chats WHERE id = ?", (chat_id,)
        )
        if row is None:
            return None
        return Chat(row["id"], row["type"], row["title"], row["language"], bool(row["active"]))

    async def set_language(self, chat_id: int, language: str) -> None:
        """Store the interface language a chat chose."""
        await self._db.execute("UPDATE chats SET language = ? WHERE id = ?", (language, chat_id))

    async def deactivate(self, chat_id: int) -> None:
        """Stop writing to a chat (the bot was blocked or removed)."""
        await self._db.execute("UPDATE chats SET active = 0 WHERE id = ?", (chat_id,))

    async def subscribe(self, chat_id: int, topic: str, *, now: datetime) -> bool:
        """Subscribe a chat to a topic; return False when it already was."""
        cursor = await self._db.execute(
            "INSERT OR IGNORE INTO subscriptions (chat_id, topic, created_at) VALUES (?, ?, ?)",
            (chat_id, topic, now.timestamp()),
        )
        return cursor.rowcount > 0

    async def unsubscribe(self, chat_id: int, topic: str) -> bool:
        """Remove a subscription; return False when there was none."""
        cursor = await self._db.execute(
            "DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?", (chat_id, topic)
        )
        return cursor.rowcount > 0

    async def topics_of(self, chat_id: int) -> set[str]:
        """Return the topics a chat is subscribed to."""
        rows = await self._db.fetchall(
            "SELECT topic FROM subscriptions WHERE chat_id = ?", (chat_id,)
        )
        return {row["topic"] for row in rows}

    async def subscribers(self, topics: Iterable[str]) -> list[int]:
        """Return the active chats subscribed to any of the topics."""
        wanted = sorted(set(topics))
        if not wanted:
            return []
        marks = ",".join("?" for _ in wanted)
        rows = await self._db.fetchall(
            f"""
            SELECT DISTINCT s.chat_id FROM subscriptions s JOIN chats c ON c.id = s.chat_id
            WHERE c.active = 1 AND s.topic IN ({marks}) ORDER BY s.chat_id
            """,  # noqa: S608 -- only placeholders are interpolated
            wanted,
        )
        return [int(row["chat_id"]) for row in rows]

    async def active_ids(self) -> list[int]:
        """Return every chat the bot may write to."""
        rows = await self._db.fetchall("SELECT id FROM chats WHERE active = 1 ORDER BY id")
        return [int(row["id"]) for row in rows]

    async def count(self) -> int:
        """Return how many active chats there are."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM chats WHERE active = 1")
        return int(row[0]) if row else 0
