"""A real outbox to test the delivery roles on: chats, stories and claimed rows in SQLite."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.models import OutboxRow
from storage import Database
from storage.events import NewEvent

LEASE = timedelta(minutes=2)


async def add_chats(db: Database, ids: Iterable[int], now: datetime) -> None:
    """Register chats (private for positive ids, supergroups for negative ones)."""
    for chat_id in ids:
        kind = "private" if chat_id > 0 else "supergroup"
        await db.chats.register(chat_id, chat_type=kind, title=None, language="en", now=now)


async def add_story(db: Database, key: str, now: datetime, *, summary: str | None = None) -> int:
    """Store a one-event story about drills and return its id."""
    text = summary or f"Drills {key} near the border."
    recorded = await db.events.record(
        NewEvent(
            source_id=None,
            source_name="Src",
            item_key=key,
            title=f"Drills {key}",
            text=text,
            summary=text,
            link=f"https://news.example.org/{key}",
            canonical_link=f"https://news.example.org/{key}",
            lang="en",
            topics=("drills",),
            places=(),
            published_at=None,
            seen_at=now,
        )
    )
    assert recorded is not None
    return recorded.story_id


async def add_empty_story(db: Database, now: datetime) -> int:
    """Store a story that has no events (as if they were all removed) and return its id."""
    row = await db.fetchone(
        "INSERT INTO stories (created_at) VALUES (?) RETURNING id", (now.timestamp(),)
    )
    assert row is not None
    return int(row[0])


async def claim_one(db: Database, now: datetime, chat_id: int) -> OutboxRow:
    """Claim the next due row of one chat."""
    rows = await db.outbox.claim(now=now, limit=1000, lease=LEASE)
    mine = [row for row in rows if row.chat_id == chat_id]
    assert mine, f"nothing due for chat {chat_id}"
    for other in rows:
        if other is not mine[0]:
            await db.outbox.retry_at(other.id, not_before=now, error="")
    return mine[0]


async def sent_then_grown(db: Database, now: datetime, chat_id: int, message_id: int) -> OutboxRow:
    """Send a chat's next row as `message_id`, ask for it to be edited, and claim the edit."""
    row = await claim_one(db, now, chat_id)
    await db.outbox.mark_sent(row.id, message_id=message_id, now=now)
    assert await db.outbox.request_edits(row.story_id, now=now) >= 1
    edit = await claim_one(db, now, chat_id)
    assert edit.edit_of == message_id
    return edit


async def statuses(db: Database) -> dict[int, str]:
    """Return each outbox row's status by id."""
    return {r["id"]: r["status"] for r in await db.fetchall("SELECT id, status FROM outbox")}
