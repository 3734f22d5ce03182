"""The updates table: stored once by update_id, claimed by one holder at a time, a claim
that ran out taken again, handled rows pruned; chats' unfinished state pruned likewise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Awaiting, Prompt
from storage import Database, open_database

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


async def test_an_update_is_stored_once_and_claimed_by_one_holder(
    db: Database, database_target: str
) -> None:
    assert await db.updates.store(7, '{"update_id": 7}', now=NOW)
    assert not await db.updates.store(7, '{"update_id": 7, "again": 1}', now=NOW)
    assert await db.updates.store(5, '{"update_id": 5}', now=NOW)

    # A second connection to the same file stands for another instance.
    other = await open_database(database_target)
    try:
        taken = await db.updates.claim(now=NOW, until=NOW + LEASE, limit=10)
        assert [(u.update_id, u.payload) for u in taken] == [
            (5, '{"update_id": 5}'),
            (7, '{"update_id": 7}'),
        ]
        assert await other.updates.claim(now=NOW, until=NOW + LEASE, limit=10) == []

        # The holder handles 5 and dies holding 7: once its claim ran out, 7 is taken again.
        await db.updates.handled(5, now=NOW)
        later = NOW + LEASE + timedelta(seconds=1)
        again = await other.updates.claim(now=later, until=later + LEASE, limit=10)
        assert [u.update_id for u in again] == [7]
        # One given up (its handler stopped half-way) is free again at once.
        await other.updates.release(7)
        assert [u.update_id for u in await db.updates.claim(now=later, until=later, limit=9)] == [7]
        await other.updates.handled(7, now=later)
        assert await other.updates.waiting() == 0
    finally:
        await other.close()


async def test_polling_notes_an_update_once(db: Database) -> None:
    assert await db.updates.first_sight(9, now=NOW)
    assert not await db.updates.first_sight(9, now=NOW)
    assert not await db.updates.store(9, "{}", now=NOW)  # a webhook's copy is dropped too
    assert await db.updates.claim(now=NOW, until=NOW + LEASE, limit=10) == []


async def test_handled_updates_and_old_chat_state_are_pruned(db: Database) -> None:
    await db.updates.store(1, "{}", now=NOW)
    await db.updates.store(2, "{}", now=NOW)
    await db.updates.handled(1, now=NOW)
    assert await db.updates.prune(before=NOW + timedelta(seconds=1), limit=10) == 1
    assert await db.updates.waiting() == 1  # an unhandled update is never pruned

    await db.chat_state.await_answer(5, Awaiting(Prompt.ZONE, 5, NOW))
    await db.chat_state.note_explained(5, 77, now=NOW, forget_before=NOW, keep=2)
    await db.chat_state.set_place(6, "Mazyr", now=NOW + timedelta(days=1))
    assert await db.chat_state.prune(before=NOW + timedelta(hours=1), limit=10) == 2
    assert await db.chat_state.awaiting(5) is None
    assert await db.chat_state.place(6) == "Mazyr"


async def test_a_chat_keeps_its_latest_whys_only(db: Database) -> None:
    for story in range(5):
        at = NOW + timedelta(seconds=story)
        await db.chat_state.note_explained(1, story, now=at, forget_before=NOW, keep=3)
    kept = [s for s in range(5) if await db.chat_state.explained_since(1, s, NOW - LEASE)]
    assert kept == [2, 3, 4]
    assert not await db.chat_state.explained_since(1, 4, NOW + timedelta(seconds=4))
