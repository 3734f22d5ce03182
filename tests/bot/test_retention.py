"""Retention: what is past its time goes, what /status and the chart need stays."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.retention import run_retention
from bot.runtime.clock import ManualClock
from bot.settings import load_settings
from storage import Database, open_database
from tests.helpers.outbox import LEASE, add_chats, add_story

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database in a SQLite file."""
    database = await open_database(tmp_path / "outpost.sqlite3")
    try:
        yield database
    finally:
        await database.close()


async def count(db: Database, sql: str) -> int:
    row = await db.fetchone(sql)
    assert row is not None
    return int(row[0])


async def test_retention_prunes_old_rows_and_keeps_counts_and_the_recent(
    db: Database, tmp_path: Path
) -> None:
    settings = load_settings(env_file=False, database=tmp_path / "outpost.sqlite3")
    await add_chats(db, [1, 2], NOW)
    ancient = NOW - timedelta(days=500)
    month_old = NOW - timedelta(days=40)
    yesterday = NOW - timedelta(days=1)
    old_story = await add_story(db, "ancient", ancient)
    mid_story = await add_story(db, "month", month_old)
    new_story = await add_story(db, "new", yesterday)
    recent_story = await add_story(db, "recent", NOW - timedelta(hours=1))
    # Alerts: sent long ago (pruned), sent yesterday (kept), still pending (kept).
    for story, when in ((mid_story, month_old), (new_story, yesterday)):
        await db.outbox.enqueue(story, [1], priority=0, now=when)
        (row,) = await db.outbox.claim(now=when, limit=1, lease=LEASE)
        await db.outbox.mark_sent(row.id, message_id=1, now=when)
    await db.outbox.enqueue(mid_story, [2], priority=0, now=month_old)
    await db.execute(  # every story fingerprinted
        "INSERT INTO story_signatures (story_id, last_seen_at, signature)"
        " SELECT id, last_seen_at, '{}' FROM stories"
    )
    chart_day = int(ancient.timestamp() // 86_400)

    report = await run_retention(db, settings, ManualClock(NOW), batch=1)

    assert report.outbox == 1  # the month-old sent row; the pending one stays
    assert await count(db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 1
    assert await count(db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 1
    # The 500-day-old story is gone with its events and labels; its day's count stays.
    assert report.stories == 1
    stories = {r[0] for r in await db.fetchall("SELECT id FROM stories")}
    assert stories == {mid_story, new_story, recent_story}
    assert await count(db, f"SELECT COUNT(*) FROM events WHERE story_id = {old_story}") == 0  # noqa: S608
    assert await count(db, f"SELECT COUNT(*) FROM story_labels WHERE story_id = {old_story}") == 0  # noqa: S608
    assert await count(db, f"SELECT stories FROM daily_counts WHERE day = {chart_day}") == 1  # noqa: S608
    # Fingerprints go once the joining window has passed; the last hour's stay.
    signed = {r[0] for r in await db.fetchall("SELECT story_id FROM story_signatures")}
    assert signed == {recent_story}
    assert report.pages_left == 0  # every freed page handed back to the file system


async def test_databases_free_pages_incrementally(tmp_path: Path) -> None:
    fresh = await open_database(tmp_path / "fresh.sqlite3")
    await fresh.close()
    # A database made before incremental vacuum is switched once, when it is opened.
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old)
    conn.execute("CREATE TABLE leftover (x)")
    conn.commit()
    conn.close()
    switched = await open_database(old)
    await switched.close()
    for path in (tmp_path / "fresh.sqlite3", old):
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # INCREMENTAL
        finally:
            conn.close()
