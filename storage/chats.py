"""Chats that talked to the bot, and their topic subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from bot.models import Delivery, DeliveryChange, DeliveryChoices, QuietMode
from storage._base import Repository

_PREF_COLUMNS = tuple(field.name for field in fields(DeliveryChoices))


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

    async def deactivate(self, chat_id: int) -> bool:
        """Stop writing to a chat (the bot was blocked or removed, or the chat is gone).

        Returns whether it was active until now.
        """
        cursor = await self._db.execute(
            "UPDATE chats SET active = 0 WHERE id = ? AND active = 1", (chat_id,)
        )
        return cursor.rowcount > 0

    async def prefs(self, chat_id: int) -> DeliveryChoices:
        """Return a chat's delivery choices (the defaults for an unknown chat)."""
        row = await self._db.fetchone(
            f"SELECT {', '.join(_PREF_COLUMNS)} FROM chats WHERE id = ?",  # noqa: S608 -- constant columns
            (chat_id,),
        )
        if row is None:
            return DeliveryChoices()
        return DeliveryChoices(
            delivery=Delivery(row["delivery"]),
            digest_hour=int(row["digest_hour"]),
            timezone=row["timezone"],
            quiet_start=row["quiet_start"],
            quiet_end=row["quiet_end"],
            quiet_mode=QuietMode(row["quiet_mode"]),
            quiet_urgent=bool(row["quiet_urgent"]),
            link_previews=bool(row["link_previews"]),
            thread_id=row["thread_id"],
        )

    async def update_prefs(self, chat_id: int, change: DeliveryChange) -> DeliveryChoices:
        """Make a change to a chat's delivery choices and return all of them."""
        async with self._db.transaction():
            merged = change.apply(await self.prefs(chat_id))
            values = [getattr(merged, name) for name in _PREF_COLUMNS]
            values = [int(v) if isinstance(v, bool) else v for v in values]
            assignments = ", ".join(f"{name} = ?" for name in _PREF_COLUMNS)
            await self._db.execute(
                f"UPDATE chats SET {assignments} WHERE id = ?",  # noqa: S608 -- constant columns
                (*values, chat_id),
            )
        return merged

    async def migrate(self, old_id: int, new_id: int, *, now: datetime) -> int:
        """Follow a group that became a supergroup; return how many pending rows moved.

        The new chat inherits the old one's choices and subscriptions, and its pending
        messages; the old id is deactivated.
        """
        cols = ", ".join(("type", "title", "language", *_PREF_COLUMNS))
        async with self._db.transaction():
            await self._db.execute(
                f"""
                INSERT INTO chats (id, {cols}, active, created_at)
                SELECT ?, {cols}, 1, ? FROM chats WHERE id = ?
                ON CONFLICT (id) DO UPDATE SET active = 1
                """,  # noqa: S608 -- constant columns
                (new_id, now.timestamp(), old_id),
            )
            await self._db.execute("UPDATE chats SET type = 'supergroup' WHERE id = ?", (new_id,))
            await self._db.execute(
                "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?",
                (new_id, old_id),
            )
            cursor = await self._db.execute(
                "UPDATE OR IGNORE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'",
                (new_id, old_id),
            )
            moved = cursor.rowcount
            # What could not move was already queued for the new id: never send it twice.
            await self._db.execute(
                "UPDATE outbox SET status = 'cancelled', last_error = 'chat migrated'"
                " WHERE chat_id = ? AND status = 'pending'",
                (old_id,),
            )
            await self._db.execute("UPDATE chats SET active = 0 WHERE id = ?", (old_id,))
        return moved

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

    async def newest(self, limit: int) -> list[Chat]:
        """Return the chats that most recently started the bot, newest first."""
        rows = await self._db.fetchall(
            "SELECT id, type, title, language, active FROM chats"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [
            Chat(row["id"], row["type"], row["title"], row["language"], bool(row["active"]))
            for row in rows
        ]

    async def count(self) -> int:
        """Return how many active chats there are."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM chats WHERE active = 1")
        return int(row[0]) if row else 0
