"""Chats that talked to the bot, and their topic subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from bot.models import Delivery, DeliveryChange, DeliveryChoices, QuietMode
from storage._base import Repository, Row

_PREF_COLUMNS = tuple(field.name for field in fields(DeliveryChoices))
# What a supergroup takes from the group it was: its language and delivery choices.
_MOVED_COLUMNS = ("language", *_PREF_COLUMNS)

# Every column that holds a chat's id, and what `ChatRepository.migrate` does with it when
# a group becomes a supergroup. tests/storage/test_chat_move.py reads the schema and fails
# if a table keyed by chat id is missing here: a new one must say how it moves.
CHAT_KEYED = {
    ("chats", "id"): "copied to the new id; the old one deactivated",
    ("subscriptions", "chat_id"): "moved",
    ("chat_filters", "chat_id"): "moved",
    ("chat_words", "chat_id"): "moved",
    ("outbox", "chat_id"): "pending rows moved; sent ones stay with the old chat",
    ("feedback", "chat_id"): "moved: what a chat said of its alerts stays its own",
    ("audience_changes", "chat_id"): "both ids get a new revision",
    ("chat_state", "chat_id"): "moved unless the new chat waits for an answer of its own",
    ("chat_explained", "chat_id"): "moved: a repeated Why in the supergroup points at the answer",
}

# The tables whose rows move to the new chat, with the rest of each one's key: a row the
# new chat already has with that key stays, and the old chat's copy is left behind.
_MOVED_ROWS = {
    "subscriptions": ("topic",),
    "chat_filters": (),
    "chat_words": ("kind", "phrase"),
    "feedback": ("story_id",),
}


def _taken(table: str, key: tuple[str, ...]) -> str:
    """Return SQL true when the new chat (the next parameter) already has this row's key.

    What SQLite's UPDATE OR IGNORE does, written for both databases.
    """
    same = "".join(f" AND t.{column} = {table}.{column}" for column in key)
    return f"EXISTS (SELECT 1 FROM {table} t WHERE t.chat_id = ?{same})"  # noqa: S608


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
        choices, _language = await self.delivery_profile(chat_id)
        return choices

    async def delivery_profile(self, chat_id: int) -> tuple[DeliveryChoices, str | None]:
        """Return a chat's delivery choices and its language, in one query (each message's)."""
        row = await self._db.fetchone(
            f"SELECT language, {', '.join(_PREF_COLUMNS)} FROM chats WHERE id = ?",  # noqa: S608 -- constant columns
            (chat_id,),
        )
        if row is None:
            return DeliveryChoices(), None
        return _choices(row), row["language"]

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

        One transaction moves every row keyed by the chat's id (`CHAT_KEYED` names each
        table and how): the new chat takes the old one's language and delivery choices,
        adds its topics, filters, own words and "not relevant" marks to its own (where both
        have one, the new chat's stays), takes its pending messages and what its /settings
        menu waits for (`storage.chat_state`). The old id is
        deactivated, and both ids' audience revisions move so that the audience index
        reloads them. A chat moved already (Telegram tells of a move twice) is left as it is.
        """
        cols = ", ".join(("type", "title", *_MOVED_COLUMNS))
        moved_prefs = ", ".join(f"{name} = excluded.{name}" for name in _MOVED_COLUMNS)
        async with self._db.transaction():
            old = await self._db.fetchone("SELECT active FROM chats WHERE id = ?", (old_id,))
            new = await self._db.fetchone("SELECT active FROM chats WHERE id = ?", (new_id,))
            if old is None or (not old["active"] and new is not None):
                return 0
            await self._db.execute(
                f"""
                INSERT INTO chats (id, {cols}, active, created_at)
                SELECT ?, {cols}, 1, ? FROM chats WHERE id = ?
                ON CONFLICT (id) DO UPDATE SET active = 1, {moved_prefs}
                """,  # noqa: S608 -- constant columns
                (new_id, now.timestamp(), old_id),
            )
            await self._db.execute("UPDATE chats SET type = 'supergroup' WHERE id = ?", (new_id,))
            for table, key in _MOVED_ROWS.items():
                # Rows the new chat already has win; the old chat's leftovers go.
                await self._db.execute(
                    f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?"  # noqa: S608
                    f" AND NOT {_taken(table, key)}",
                    (new_id, old_id, new_id),
                )
                await self._db.execute(
                    f"DELETE FROM {table} WHERE chat_id = ?",  # noqa: S608 -- constant names
                    (old_id,),
                )
            cursor = await self._db.execute(
                "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'"  # noqa: S608
                f" AND NOT {_taken('outbox', ('story_id',))}",
                (new_id, old_id, new_id),
            )
            moved = cursor.rowcount
            # What could not move was already queued for the new id: never send it twice.
            # Sent rows stay with the old id: their messages are in the old chat, where
            # they can no longer be edited.
            await self._db.execute(
                "UPDATE outbox SET status = 'cancelled', last_error = 'chat migrated'"
                " WHERE chat_id = ? AND status = 'pending'",
                (old_id,),
            )
            await self._db.execute(
                "UPDATE outbox SET edit_needed = 0 WHERE chat_id = ? AND edit_needed = 1",
                (old_id,),
            )
            await self._db.execute("UPDATE chats SET active = 0 WHERE id = ?", (old_id,))
            await self._db.chat_state.move(old_id, new_id)
            await self.audience_changed([old_id, new_id])
        return moved

    async def audience_changed(self, chat_ids: Iterable[int]) -> None:
        """Give chats a new audience revision, as the triggers do for the writes they see.

        Moving rows from one chat id to another is an UPDATE of `chat_id`, which the
        triggers (on insert and delete) do not see.
        """
        async with self._db.transaction():
            for chat_id in chat_ids:
                if self._db.dialect == "postgresql":
                    # The triggers' function, which takes turns with other instances.
                    await self._db.execute("SELECT audience_touch(?)", (chat_id,))
                    continue
                await self._db.execute(
                    "UPDATE audience_changes SET rev = "
                    "(SELECT MAX(rev) FROM audience_changes) + 1 WHERE chat_id = ?",
                    (chat_id,),
                )
                await self._db.execute(
                    "INSERT INTO audience_changes (chat_id, rev) "
                    "SELECT ?, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes) "
                    "WHERE NOT EXISTS (SELECT 1 FROM audience_changes WHERE chat_id = ?)",
                    (chat_id, chat_id),
                )

    async def subscribe(self, chat_id: int, topic: str, *, now: datetime) -> bool:
        """Subscribe a chat to a topic; return False when it already was."""
        cursor = await self._db.execute(
            "INSERT INTO subscriptions (chat_id, topic, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
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


def _choices(row: Row) -> DeliveryChoices:
    """Return the delivery choices held in a row of chats."""
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
