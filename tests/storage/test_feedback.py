"""Flags against a real SQLite file: once per chat and story, taken back, paged newest first,
and kept for the export when the story itself is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.feedback.export import corpus_lines
from bot.models import StoryReport
from storage import Database, open_database
from tests.helpers.outbox import add_chats, add_story

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_target: Path | str) -> AsyncIterator[Database]:
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


async def story(db: Database, key: str) -> StoryReport:
    """Store a one-report story and return its report as feedback reads it."""
    report = await db.feedback.report(await add_story(db, key, NOW))
    assert report is not None
    return report


async def test_a_chat_flags_a_story_once(db: Database) -> None:
    await add_chats(db, [1, 2], NOW)
    report = await story(db, "a")
    assert report.topics == ("drills",)
    assert report.read_text == "Drills a\nDrills a near the border."  # what the matcher read
    assert report.shown_text == "Drills a near the border."  # the title is its first words
    assert await db.feedback.flag(report, chat_id=1, user_id=1, now=NOW)
    assert not await db.feedback.flag(report, chat_id=1, user_id=1, now=NOW)
    assert not await db.feedback.flag(report, chat_id=1, user_id=7, now=NOW)  # same chat
    assert await db.feedback.flag(report, chat_id=2, user_id=2, now=NOW)
    assert await db.feedback.flagged_by(report.story_id, 1) == 1
    [flagged] = await db.feedback.page(offset=0, limit=10)
    assert (flagged.story_id, flagged.chats) == (report.story_id, 2)
    assert flagged.reached == 2  # no outbox row says it was sent: at least the flaggers


async def test_taking_a_flag_back_forgets_a_story_nobody_flags(db: Database) -> None:
    await add_chats(db, [1, 2], NOW)
    report = await story(db, "a")
    await db.feedback.flag(report, chat_id=1, user_id=1, now=NOW)
    await db.feedback.flag(report, chat_id=2, user_id=2, now=NOW)
    assert await db.feedback.unflag(report.story_id, 1)
    assert not await db.feedback.unflag(report.story_id, 1)
    [left] = await db.feedback.every()
    assert left.chats == 1
    assert await db.feedback.unflag(report.story_id, 2)
    assert await db.feedback.every() == []
    assert await db.fetchall("SELECT * FROM flagged_stories") == []


async def test_pages_go_by_the_latest_flag(db: Database) -> None:
    await add_chats(db, [1, 2], NOW)
    reports = [await story(db, key) for key in "abc"]
    for minutes, report in enumerate(reports):
        await db.feedback.flag(report, chat_id=1, user_id=1, now=NOW + timedelta(minutes=minutes))
    # A new flag on the oldest story brings it to the top.
    await db.feedback.flag(reports[0], chat_id=2, user_id=2, now=NOW + timedelta(hours=1))
    page = await db.feedback.page(offset=0, limit=2)
    assert [s.story_id for s in page] == [reports[0].story_id, reports[2].story_id]
    assert page[0].last_at == NOW + timedelta(hours=1)
    assert page[0].first_at == NOW
    rest = await db.feedback.page(offset=2, limit=2)
    assert [s.story_id for s in rest] == [reports[1].story_id]
    assert [s.story_id for s in await db.feedback.every()] == [r.story_id for r in reports]


async def test_the_flagged_text_outlives_the_story_and_a_gone_chat_takes_its_flag(
    db: Database,
) -> None:
    await add_chats(db, [1, 2], NOW)
    report = await story(db, "a")
    await db.feedback.flag(report, chat_id=1, user_id=1, now=NOW)
    await db.feedback.flag(report, chat_id=2, user_id=2, now=NOW)
    # Retention prunes old stories with their events: the flag keeps what it was about.
    await db.execute("DELETE FROM events WHERE story_id = ?", (report.story_id,))
    await db.execute("DELETE FROM stories WHERE id = ?", (report.story_id,))
    [line] = corpus_lines(await db.feedback.every())
    assert '"text": "Drills a near the border."' in line
    assert '"flagged_by": 2' in line
    await db.execute("DELETE FROM chats WHERE id = ?", (2,))
    [flagged] = await db.feedback.every()
    assert flagged.chats == 1
