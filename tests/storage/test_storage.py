"""Storage against a real SQLite file: migrations, events and stories, the outbox queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import DuplicateSourceError, SourceKind
from storage import Database, open_database
from storage.events import NewEvent

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_target: Path | str) -> AsyncIterator[Database]:
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


def event(
    key: str, *, source_id: int | None = 1, link: str | None = None, origin: str = "a.example"
) -> NewEvent:
    return NewEvent(
        source_id=source_id,
        source_name="S",
        item_key=key,
        title=f"title {key}",
        text="text",
        summary="text",
        link=link,
        canonical_link=link,
        lang="en",
        topics=("drills",),
        places=(),
        published_at=NOW,
        seen_at=NOW,
        link_key=f"{origin} {link}" if link else None,
    )


async def test_migrations_are_applied_once_and_pragmas_set(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = await open_database(path)
    assert await first.schema_version() >= 1
    mode = await first.fetchone("PRAGMA journal_mode")
    keys = await first.fetchone("PRAGMA foreign_keys")
    assert mode is not None
    assert mode[0] == "wal"
    assert keys is not None
    assert keys[0] == 1
    version = await first.schema_version()
    await first.close()
    again = await open_database(path)  # re-opening applies nothing twice
    assert await again.schema_version() == version
    await again.close()


async def test_source_urls_are_unique(db: Database) -> None:
    await db.sources.add("https://a.example/feed", kind=SourceKind.RSS, name="A", now=NOW)
    with pytest.raises(DuplicateSourceError):
        await db.sources.add("https://a.example/feed", kind=SourceKind.RSS, name="B", now=NOW)


async def test_an_item_is_stored_once_and_links_join_stories_of_one_origin(db: Database) -> None:
    await db.sources.add("https://a.example/feed", kind=SourceKind.RSS, name="A", now=NOW)
    await db.sources.add("https://a.example/other", kind=SourceKind.RSS, name="A2", now=NOW)
    await db.sources.add("https://b.example/feed", kind=SourceKind.RSS, name="B", now=NOW)
    first = await db.events.record(event("k1", link="https://x.example/story"))
    assert first is not None
    assert first.new_story
    assert await db.events.record(event("k1", link="https://x.example/story")) is None
    # Another feed of the same site: the same article, one story.
    sibling = await db.events.record(event("k9", source_id=2, link="https://x.example/story"))
    assert sibling is not None
    assert sibling.story_id == first.story_id
    assert not sibling.new_story
    alert = await db.events.alert(first.story_id)
    assert alert is not None
    assert len(alert.links) == 1  # the same URL is listed once
    # Another site with the same link does not join: it could have claimed the link first.
    stranger = await db.events.record(
        event("k9", source_id=3, link="https://x.example/story", origin="b.example")
    )
    assert stranger is not None
    assert stranger.new_story


LEASE = timedelta(minutes=1)


async def test_outbox_rows_are_unique_leased_and_prioritised(db: Database) -> None:
    for chat in (10, 20):
        await db.chats.register(chat, chat_type="private", title=None, language="en", now=NOW)
    await db.sources.add("https://a.example/feed", kind=SourceKind.RSS, name="A", now=NOW)
    low = await db.events.record(event("low"))
    high = await db.events.record(event("high"))
    assert low is not None
    assert high is not None
    assert await db.outbox.enqueue(low.story_id, [10, 20], priority=0, now=NOW) == 2
    assert await db.outbox.enqueue(low.story_id, [10, 20], priority=0, now=NOW) == 0
    assert await db.outbox.enqueue(high.story_id, [10], priority=2, now=NOW) == 1

    claimed = await db.outbox.claim(now=NOW, limit=2, lease=timedelta(minutes=1))
    assert [row.story_id for row in claimed] == [high.story_id, low.story_id]
    # Leased rows are not handed out again until the lease runs out.
    rest = await db.outbox.claim(now=NOW, limit=10, lease=timedelta(minutes=1))
    assert len(rest) == 1
    assert await db.outbox.claim(now=NOW, limit=10, lease=timedelta(minutes=1)) == []
    expired = await db.outbox.claim(
        now=NOW + timedelta(minutes=2), limit=10, lease=timedelta(minutes=1)
    )
    # One row per chat at a time: chat 10's second row waits for the next claim.
    assert [(row.chat_id, row.story_id) for row in expired] == [
        (10, high.story_id),
        (20, low.story_id),
    ]
    assert all(row.attempts == 2 for row in expired)  # this is their second try
    assert len(await db.outbox.claim(now=NOW + timedelta(minutes=2), limit=10, lease=LEASE)) == 1

    await db.outbox.mark_sent(expired[0].id, message_id=7, now=NOW)
    cancelled = await db.outbox.cancel_chat(20, reason="blocked")
    assert cancelled == 1
    counts = await db.outbox.counts()
    assert counts["sent"] == 1
    assert counts["cancelled"] == 1


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    await db.sources.add("https://a.example/feed", kind=SourceKind.RSS, name="A", now=NOW)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.events.record(event("k1"))
            raise RuntimeError("crash in the middle")
    assert await db.events.recent() == []


@pytest.mark.parametrize("yields", [0, 1, 2, 3])
async def test_a_task_cancelled_inside_a_transaction_leaves_the_connection_usable(
    db: Database, yields: int
) -> None:
    """Cancelled at any await of its transaction, a task leaves no transaction open behind."""

    async def write() -> None:
        async with db.transaction():
            await db.sources.add("https://a.example/feed", kind=SourceKind.RSS, name="A", now=NOW)

    task = asyncio.create_task(write())
    for _ in range(yields):
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    async with db.transaction():
        assert await db.fetchone("SELECT 1") is not None
