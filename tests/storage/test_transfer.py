"""`outpost migrate-db`: an SQLite database in use moves to PostgreSQL whole, as the CLI does it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import SourceKind
from sandbox import SourceServer
from storage import Database, open_database
from tests.helpers.cli import outpost
from tests.helpers.paths import SAMPLES
from tests.helpers.postgres import PgServer

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def _counts(db: Database, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        row = await db.fetchone(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 -- test's names
        counts[table] = int(row[0]) if row else -1
    return counts


async def _tables(db: Database) -> list[str]:
    rows = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [str(row[0]) for row in rows]


@pytest.mark.timeout(180)  # four `outpost` processes, each loading the matcher, and a server
async def test_a_polled_database_moves_to_postgresql_whole(
    tmp_path: Path, source_server: SourceServer, postgres_server: PgServer
) -> None:
    file = tmp_path / "outpost.sqlite3"
    env = {"OUTPOST_DATABASE": str(file), "OUTPOST_ALLOW_PRIVATE_SOURCES": "true"}
    for name in ("news_ru.rss", "analysis_en.atom"):
        feed = source_server.add_file(f"feeds/{name}", SAMPLES / name)
        assert (await outpost("sources", "add", feed, env=env))[0] == 0
    code, out, _ = await outpost("poll", "--once", env=env)
    assert code == 0
    assert json.loads(out)["new_events"] > 0
    db = await open_database(file)
    try:
        await db.chats.register(4242, chat_type="private", title=None, language="en", now=NOW)
        await db.chats.subscribe(4242, "drills", now=NOW)
        tables = await _tables(db)
        before = await _counts(db, tables)
        titles = [row[0] for row in await db.fetchall("SELECT title FROM events ORDER BY id")]
    finally:
        await db.close()
    assert before["events"] > 0
    assert before["stories"] > 0

    url = postgres_server.create_database()
    code, out, err = await outpost("migrate-db", "--to", url, env=env)
    assert code == 0, err
    assert "now set OUTPOST_DATABASE" in out

    pg = await open_database(url)
    try:
        assert await _counts(pg, tables) == before
        moved = [row[0] for row in await pg.fetchall("SELECT title FROM events ORDER BY id")]
        assert moved == titles
        assert await pg.chats.subscribers(["drills"]) == [4242]
        # The identity sequences moved past the copied ids: a new source takes the next one.
        added = await pg.sources.add(
            "https://example.org/new.rss", kind=SourceKind.RSS, name="New", now=NOW
        )
        assert added.id == before["sources"] + 1
    finally:
        await pg.close()

    # A database in use is never overwritten.
    code, _, err = await outpost("migrate-db", "--to", url, env=env)
    assert code == 1
    assert "already holds" in err
    assert "Traceback" not in err


async def test_migrate_db_refuses_what_it_cannot_copy(tmp_path: Path) -> None:
    env = {"OUTPOST_DATABASE": str(tmp_path / "none.sqlite3")}
    code, _, err = await outpost("migrate-db", "--to", "outpost.sqlite3", env=env)
    assert code == 2
    assert "postgresql://" in err
    code, _, err = await outpost(
        "migrate-db", "--to", "postgresql://u:s3cret@127.0.0.1:1/x", env=env
    )
    assert code == 2
    assert "none.sqlite3" in err  # no such file: said in one line, nothing created
    assert "s3cret" not in err
    assert not (tmp_path / "none.sqlite3").exists()
