"""One chat-id move: a group that becomes a supergroup takes every row keyed by its id.

The schema is read, not listed by hand: a table added later with a chat id (a column named
chat_id, or a foreign key to chats) fails the first test until `CHAT_KEYED` says how it
moves, and the second test fills every such table and checks that nothing stays behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Awaiting, Delivery, DeliveryChange, Prompt, Severity
from storage import Database, open_database
from storage.chats import CHAT_KEYED
from storage.events import NewEvent

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)
GROUP, SUPERGROUP = -5, -1005


@pytest.fixture
async def db(database_target: Path | str) -> AsyncIterator[Database]:
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


async def chat_id_columns(db: Database) -> set[tuple[str, str]]:
    """Every (table, column) of the schema that holds a chat's id."""
    if db.dialect == "postgresql":
        rows = await db.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'chat_id'"
            " UNION SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
            " WHERE c.contype = 'f' AND c.confrelid = 'chats'::regclass"
        )
        return {("chats", "id")} | {(row[0], row[1]) for row in rows}
    tables = [
        row["name"]
        for row in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    found = {("chats", "id")}
    for table in tables:
        for column in await db.fetchall(f"PRAGMA table_info({table})"):
            if column["name"] == "chat_id":
                found.add((table, column["name"]))
        for key in await db.fetchall(f"PRAGMA foreign_key_list({table})"):
            if key["table"] == "chats":
                found.add((table, key["from"]))
    return found


async def test_every_column_keyed_by_chat_id_says_how_it_moves(db: Database) -> None:
    assert await chat_id_columns(db) == set(CHAT_KEYED)


async def rows_of(db: Database, chat_id: int) -> dict[str, int]:
    """How many rows each chat-keyed table has for a chat (outbox: pending ones)."""
    counts = {}
    for table, column in CHAT_KEYED:
        extra = " AND status = 'pending'" if table == "outbox" else ""
        extra += " AND active = 1" if table == "chats" else ""
        row = await db.fetchone(
            f"SELECT COUNT(*) FROM {table} WHERE {column} = ?{extra}",  # noqa: S608
            (chat_id,),
        )
        counts[table] = int(row[0]) if row else 0
    return counts


async def test_a_move_takes_every_row_in_one_step_and_tells_the_index(db: Database) -> None:
    await db.chats.register(GROUP, chat_type="group", title="G", language="ru", now=NOW)
    await db.chats.subscribe(GROUP, "drills", now=NOW)
    await db.filters.set_filters(
        GROUP, min_severity=Severity.MEDIUM, regions=("gomel",), near=(), borders=(("ua", 30.0),)
    )
    await db.filters.add_words(GROUP, "watch", ["колонна"], now=NOW)
    await db.filters.add_words(GROUP, "exclude", ["учения"], now=NOW)
    await db.chats.update_prefs(GROUP, DeliveryChange(delivery=Delivery.HOURLY))
    recorded = await db.events.record(
        NewEvent(
            source_id=None,
            source_name="S",
            item_key="k",
            title="t",
            text="t",
            summary="t",
            link=None,
            canonical_link=None,
            lang="ru",
            topics=("drills",),
            places=(),
            published_at=NOW,
            seen_at=NOW,
        )
    )
    assert recorded is not None
    await db.outbox.enqueue(recorded.story_id, [GROUP], priority=0, now=NOW)
    report = await db.feedback.report(recorded.story_id)
    assert report is not None
    assert await db.feedback.flag(report, chat_id=GROUP, user_id=7, now=NOW)
    await db.chat_state.set_place(GROUP, "Mazyr", now=NOW)
    await db.chat_state.await_answer(GROUP, Awaiting(Prompt.KEYWORDS, 7, NOW))
    await db.chat_state.note_explained(
        GROUP, recorded.story_id, now=NOW, forget_before=NOW, keep=50
    )
    before = await rows_of(db, GROUP)
    assert all(before[table] for table in before if table != "audience_changes"), before
    _, revision = await db.filters.changed_since(None)

    assert await db.chats.migrate(GROUP, SUPERGROUP, now=NOW) == 1

    after = await rows_of(db, SUPERGROUP)
    left = await rows_of(db, GROUP)
    for table, count in before.items():
        assert after[table] == max(count, 1), table
        assert left[table] == (1 if table == "audience_changes" else 0), table
    moved = await db.filters.get(SUPERGROUP)
    assert moved.topics == {"drills"}
    assert moved.min_severity is Severity.MEDIUM
    assert moved.regions == ("gomel",) and moved.borders == (("ua", 30.0),)
    assert moved.watch == ("колонна",) and moved.exclude == ("учения",)
    assert (await db.chats.prefs(SUPERGROUP)).delivery is Delivery.HOURLY
    assert await db.feedback.flagged_by(recorded.story_id, SUPERGROUP) == 7
    assert await db.chat_state.awaiting(SUPERGROUP) == Awaiting(Prompt.KEYWORDS, 7, NOW)
    assert await db.chat_state.place(SUPERGROUP) == "Mazyr"
    assert await db.chat_state.explained_since(
        SUPERGROUP, recorded.story_id, NOW.replace(year=2000)
    )
    assert await db.chat_state.awaiting(GROUP) is None
    chat = await db.chats.get(SUPERGROUP)
    assert chat is not None and chat.language == "ru" and chat.type == "supergroup"
    # The audience index reloads both chats: the group leaves it, the supergroup joins it.
    changed, _ = await db.filters.changed_since(revision)
    assert {c.chat_id: c.active for c in changed} == {GROUP: False, SUPERGROUP: True}

    # Telegram tells of a move twice (a service message in each chat): nothing changes.
    assert await db.chats.migrate(GROUP, SUPERGROUP, now=NOW) == 0
    assert await rows_of(db, SUPERGROUP) == after


async def test_what_the_supergroup_already_has_stays(db: Database) -> None:
    await db.chats.register(GROUP, chat_type="group", title="G", language=None, now=NOW)
    await db.chats.subscribe(GROUP, "drills", now=NOW)
    await db.filters.add_words(GROUP, "watch", ["колонна", "эшелон"], now=NOW)
    # A message in the supergroup came first: it is known, with a word of its own.
    await db.chats.register(SUPERGROUP, chat_type="supergroup", title="G", language=None, now=NOW)
    await db.filters.add_words(SUPERGROUP, "watch", ["колонна"], now=NOW)
    await db.chats.migrate(GROUP, SUPERGROUP, now=NOW)
    moved = await db.filters.get(SUPERGROUP)
    assert sorted(moved.watch) == ["колонна", "эшелон"]
    assert moved.topics == {"drills"}
    assert await rows_of(db, GROUP) == dict.fromkeys(await rows_of(db, GROUP), 0) | {
        "audience_changes": 1
    }
