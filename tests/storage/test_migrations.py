"""Migrations on a database that already holds data: nothing pointing at a story is lost."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from bot.retention import run_retention
from bot.runtime.clock import ManualClock
from bot.settings import load_settings
from storage import Database, open_database
from storage.events import NewEvent

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def signatures_version() -> int:
    """Return the number of the migration that moves signatures out of `stories`."""
    (name,) = (
        e.name for e in resources.files("storage.migrations").iterdir() if "_signatures" in e.name
    )
    return int(name[:3])


def at_version(path: Path, version: int) -> sqlite3.Connection:
    """Create a database at a schema version, as the bot of that version left it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    conn.execute("PRAGMA foreign_keys = ON")
    for number in range(1, version + 1):
        entry = next(
            e
            for e in resources.files("storage.migrations").iterdir()
            if e.name.startswith(f"{number:03d}_")
        )
        sql = entry.read_text(encoding="utf-8")
        conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    return conn


async def test_signatures_move_out_of_stories_and_what_points_at_stories_stays(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    conn = at_version(path, signatures_version() - 1)
    before = [row[1] for row in conn.execute("PRAGMA table_info(stories)")]
    indexes = {row[1] for row in conn.execute("PRAGMA index_list(stories)")} - {"stories_signed"}
    ts = NOW.timestamp()
    conn.execute("INSERT INTO chats (id, type, created_at) VALUES (1, 'private', ?)", (ts,))
    for story in (1, 2, 3):
        signature = None if story == 3 else json.dumps({"sketch": [story]})
        conn.execute(
            "INSERT INTO stories (id, canonical_link, first_event_id, topics, places, created_at,"
            " sources_count, signature, last_seen_at)"
            " VALUES (?, ?, ?, '[\"drills\"]', '[]', ?, 2, ?, ?)",
            (story, f"https://a.example/{story}", story, ts, signature, ts + story),
        )
        conn.execute(
            "INSERT INTO events (id, item_key, story_id, title, text, summary, lang, seen_at)"
            " VALUES (?, ?, ?, 't', 'x', 's', 'en', ?)",
            (story, f"k{story}", story, ts),
        )
        conn.execute(
            "INSERT INTO story_labels (story_id, kind, name, created_at)"
            " VALUES (?, 'topic', 'drills', ?)",
            (story, ts),
        )
        conn.execute(
            "INSERT INTO outbox (story_id, chat_id, not_before, created_at) VALUES (?, 1, ?, ?)",
            (story, ts, ts),
        )
    conn.close()

    db = await open_database(path)
    try:
        assert await db.schema_version() >= signatures_version()
        signed = await db.fetchall(
            "SELECT story_id, last_seen_at, signature FROM story_signatures ORDER BY story_id"
        )
        assert [tuple(row) for row in signed] == [
            (1, ts + 1, json.dumps({"sketch": [1]})),
            (2, ts + 2, json.dumps({"sketch": [2]})),
        ]
        # The copy keeps every column earlier migrations gave stories, but the signature.
        columns = [row[1] for row in await db.fetchall("PRAGMA table_info(stories)")]
        assert sorted(columns) == sorted(c for c in before if c != "signature")
        assert {row[1] for row in await db.fetchall("PRAGMA index_list(stories)")} >= indexes
        stories = await db.fetchall(
            "SELECT id, canonical_link, first_event_id, sources_count, last_seen_at"
            " FROM stories ORDER BY id"
        )
        assert [tuple(row) for row in stories] == [
            (n, f"https://a.example/{n}", n, 2, ts + n) for n in (1, 2, 3)
        ]
        # Dropping the old table took nothing with it: labels (ON DELETE CASCADE), events
        # and outbox rows still point at their stories, under the table's name.
        for table in ("story_labels", "events", "outbox"):
            row = await db.fetchone(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 -- constant
            assert row is not None
            assert row[0] == 3, table
            parents = {r["table"] for r in await db.fetchall(f"PRAGMA foreign_key_list({table})")}
            assert "stories" in parents
        assert await db.fetchall("PRAGMA foreign_key_check") == []
        keys = await db.fetchone("PRAGMA foreign_keys")
        assert keys is not None
        assert keys[0] == 1  # back on once the migrations are done
        # The joining code reads them as before: newest first, None for the unsigned.
        recent = await db.events.recent_signatures(since=NOW, limit=10)
        assert [(story, signature) for story, _, signature in recent] == [
            (3, None),
            (2, json.dumps({"sketch": [2]})),
            (1, json.dumps({"sketch": [1]})),
        ]
    finally:
        await db.close()


async def pages(db: Database) -> int:
    """Return the bytes of the database's pages (whatever is still in its log included)."""
    row = await db.fetchone(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
    )
    assert row is not None
    return int(row[0])


async def test_dropped_signatures_hand_whole_pages_back(tmp_path: Path) -> None:
    path = tmp_path / "outpost.sqlite3"
    settings = load_settings(env_file=False, database=path)
    db = await open_database(path)
    try:
        signature = json.dumps({"sketch": list(range(10**18, 10**18 + 64))})  # ~1.3 KB
        for n in range(1_500):
            await db.events.record(
                NewEvent(
                    source_id=None,
                    source_name="S",
                    item_key=f"k{n}",
                    title="t",
                    text="x",
                    summary="s",
                    link=None,
                    canonical_link=None,
                    lang="en",
                    topics=(),
                    places=(),
                    published_at=None,
                    seen_at=NOW,
                    signature=signature,
                )
            )
        before = await pages(db)
        report = await run_retention(db, settings, ManualClock(NOW + timedelta(days=1)))
        after = await pages(db)
        assert report.fingerprints == 1_500
        assert report.stories == 0  # the stories stay: only their signatures were past time
        # Most of what the signatures took is given back, not left as part-empty pages.
        assert before - after > 0.8 * 1_500 * len(signature)
    finally:
        await db.close()
