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
async def db(database_target: Path | str) -> AsyncIterator[Database]:
    """A fresh database in a SQLite file."""
    database = await open_database(database_target)
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


async def event_texts(db: Database) -> dict[str, str]:
    """Each event's item key and its stored text."""
    return {r[0]: r[1] for r in await db.fetchall("SELECT item_key, text FROM events")}


async def test_texts_go_after_their_days_and_never_while_the_alert_is_kept(
    db: Database, tmp_path: Path
) -> None:
    settings = load_settings(env_file=False, database=tmp_path / "outpost.sqlite3")
    assert settings.text_retention_days == 30  # the default, as README and .env.example say
    await add_chats(db, [1], NOW)
    month_old = NOW - timedelta(days=40)
    alerted = await add_story(db, "alerted", month_old)
    quiet = await add_story(db, "quiet", month_old)
    recent = await add_story(db, "recent", NOW - timedelta(days=20))
    # An alert about `alerted` sent late (a week ago) is kept: its Why still reads the text.
    week_ago = NOW - timedelta(days=7)
    await db.outbox.enqueue(alerted, [1], priority=0, now=week_ago)
    (late,) = await db.outbox.claim(now=week_ago, limit=1, lease=LEASE)
    await db.outbox.mark_sent(late.id, message_id=1, now=week_ago)
    texts_before = await event_texts(db)

    report = await run_retention(db, settings, ManualClock(NOW), batch=1)

    assert report.texts == 1
    assert report.texts_through == NOW - timedelta(days=30)
    texts = await event_texts(db)
    assert texts == {**texts_before, "quiet": ""}
    # Only the text went: the event keeps its id, title, summary, links and labels, and
    # its story is what /latest and alerts show, as before.
    [kept] = await db.fetchall(
        "SELECT id, title, summary, link, topics FROM events WHERE item_key = 'quiet'"
    )
    assert tuple(kept) == (
        quiet,
        "Drills quiet",
        "Drills quiet near the border.",
        "https://news.example.org/quiet",
        '["drills"]',
    )
    alert = await db.events.alert(quiet)
    assert alert is not None
    assert alert.summary == "Drills quiet near the border."
    latest = [e.story_id for e in await db.events.latest_stories(limit=10)]
    assert set(latest) == {alerted, quiet, recent}
    # The report Why would read has no text left, but its title (never reached: the
    # alert is gone from the outbox, so the button is refused before this is read).
    report_left = await db.feedback.report(quiet)
    assert report_left is not None
    assert (report_left.title, report_left.text) == ("Drills quiet", "")

    # Once the late alert is pruned too, the next run takes that text; a later run with
    # `texts_since` (what the daily job passes) looks only at the newer events.
    later = ManualClock(NOW + timedelta(days=30))
    second = await run_retention(db, settings, later, batch=1)
    assert (second.outbox, second.texts) == (1, 2)  # `alerted`'s alert first, then the texts
    assert set((await event_texts(db)).values()) == {""}
    third = await run_retention(db, settings, later, texts_since=second.texts_through)
    assert third.texts == 0


async def test_a_longer_outbox_keeps_texts_as_long_as_the_alerts(tmp_path: Path) -> None:
    path = tmp_path / "outpost.sqlite3"
    settings = load_settings(
        env_file=False, database=path, text_retention_days=5, outbox_retention_days=60
    )
    db = await open_database(path)
    try:
        await add_story(db, "forty", NOW - timedelta(days=40))
        await add_story(db, "seventy", NOW - timedelta(days=70))
        report = await run_retention(db, settings, ManualClock(NOW))
        assert report.texts_through == NOW - timedelta(days=60)
        assert await event_texts(db) == {"forty": "Drills forty near the border.", "seventy": ""}
    finally:
        await db.close()


async def test_dropping_texts_gives_their_pages_back(tmp_path: Path) -> None:
    path = tmp_path / "outpost.sqlite3"
    settings = load_settings(env_file=False, database=path)
    db = await open_database(path)
    try:
        long_text = "Колонна техники прошла к полигону у границы. " * 45  # about 2 KB
        for n in range(400):
            await add_story(db, f"old{n}", NOW - timedelta(days=60, minutes=n), summary=long_text)
        pages = await count(db, "PRAGMA page_count")
        report = await run_retention(db, settings, ManualClock(NOW))
        assert report.texts == 400
        assert report.pages_left == 0
        # The summaries stay (as long as the texts here), the texts' pages are handed back.
        after = await count(db, "PRAGMA page_count")
        assert after < pages * 0.75, (pages, after)
    finally:
        await db.close()


async def test_handled_updates_and_untouched_chat_state_go_after_their_days(
    db: Database, tmp_path: Path
) -> None:
    settings = load_settings(env_file=False, database=tmp_path / "outpost.sqlite3")
    old = NOW - timedelta(days=3)
    await db.updates.first_sight(1, now=old)  # polled, handled three days ago
    await db.updates.store(2, "{}", now=old)  # received then, never handled: kept
    await db.updates.first_sight(3, now=NOW - timedelta(hours=1))
    await db.chat_state.set_place(1, "Mazyr", now=old)
    await db.chat_state.set_place(2, "Yelsk", now=NOW)

    report = await run_retention(db, settings, ManualClock(NOW), batch=1)

    assert (report.updates, report.chat_state) == (1, 1)
    assert {r[0] for r in await db.fetchall("SELECT update_id FROM updates")} == {2, 3}
    assert (await db.chat_state.place(1), await db.chat_state.place(2)) == (None, "Yelsk")
