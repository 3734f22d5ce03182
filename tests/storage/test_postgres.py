"""What only PostgreSQL needs: placeholders, rows, its migrations, its errors, its URL.

The repositories' behaviour itself is tested on both databases by the other storage tests
(the `database_target` fixture); the tests here that need a server use the session's
throwaway one, and skip where PostgreSQL cannot run.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import psycopg
import pytest

from bot.models import SourceKind
from storage import DatabaseFileError, open_database, postgres, sqlite, unwritable_for_now
from storage.db import latest_version
from storage.events import NewEvent
from storage.urls import redact

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)
only_postgresql = pytest.mark.parametrize("database_target", ["postgresql"], indirect=True)


def test_placeholders_become_psycopgs_outside_quotes_only() -> None:
    assert postgres.translate("SELECT ? , '?' , \"a?\" FROM t WHERE x = ?") == (
        "SELECT %s , '?' , \"a?\" FROM t WHERE x = %s"
    )
    assert postgres.translate("SELECT 'it''s ?%', 5 % ? -- what?\n") == (
        "SELECT 'it''s ?%%', 5 %% %s -- what?\n"
    )
    assert postgres.translate("/* ? */ SELECT ?") == "/* ? */ SELECT %s"


def test_a_row_is_read_by_position_and_by_name() -> None:
    row = postgres.Row((1, "a"), {"id": 0, "name": 1})
    assert (row[0], row["name"], list(row), row.keys(), len(row)) == (
        1,
        "a",
        [1, "a"],
        ["id", "name"],
        2,
    )
    assert tuple(row) == (1, "a")


def test_both_databases_reach_the_same_version_by_the_same_migrations() -> None:
    lite, pg = sqlite.migrations(), postgres.migrations()
    assert pg[0][1] == "011_baseline.sql" and pg[0][0] == 11
    assert lite[-1][0] == pg[-1][0] == latest_version()
    # Every migration after the baseline comes as two files of the same name.
    assert [name for version, name, _ in lite if version > 11] == [name for _, name, _ in pg[1:]]


def test_a_url_is_shown_without_its_password() -> None:
    assert redact("postgresql://bot:s3cret@db.example:5432/outpost") == (
        "postgresql://bot:***@db.example:5432/outpost"
    )
    assert "s3cret" not in redact("postgres://db/outpost?user=bot&password=s3cret")


async def test_a_server_that_cannot_be_reached_is_named_without_the_password() -> None:
    with pytest.raises(DatabaseFileError) as caught:
        await postgres.open_postgres("postgresql://bot:s3cret@127.0.0.1:9/outpost", wait=1.0)
    message = str(caught.value)
    assert "s3cret" not in message and "\n" not in message
    assert "postgresql://bot:***@127.0.0.1:9/outpost" in message


def test_transient_server_errors_are_told_from_broken_ones() -> None:
    def error(state: str) -> psycopg.Error:
        exc = psycopg.errors.lookup(state)("x")
        return exc

    for state in ("53100", "55P03", "40001", "40P01", "57P01", "08006"):
        assert unwritable_for_now(error(state)), state
    for state in ("23505", "42601", "42P01"):
        assert not unwritable_for_now(error(state)), state


@only_postgresql
async def test_two_instances_starting_together_migrate_once(database_target: str) -> None:
    first, second = await asyncio.gather(
        open_database(database_target), open_database(database_target)
    )
    try:
        assert await first.schema_version() == await second.schema_version() == latest_version()
        rows = await first.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
        assert [tuple(row) for row in rows] == [
            (version, name) for version, name, _ in postgres.migrations()
        ]
    finally:
        await first.close()
        await second.close()


def _event(key: str) -> NewEvent:
    return NewEvent(
        source_id=1,
        source_name="S",
        item_key=key,
        title=f"title {key}",
        text="text",
        summary="text",
        link=None,
        canonical_link=None,
        lang="en",
        topics=("drills",),
        places=(),
        published_at=NOW,
        seen_at=NOW,
    )


@only_postgresql
async def test_the_stories_version_moves_for_another_instances_writes_only(
    database_target: str,
) -> None:
    ours, theirs = await open_database(database_target), await open_database(database_target)
    try:
        await ours.sources.add("https://a.example/feed", kind=SourceKind.RSS, name="A", now=NOW)
        start = await ours.events.stories_version()
        await ours.events.record(_event("k1"))
        own = await ours.events.stories_version()
        assert own[0] == start[0] and own != start  # our own write: counted, not seen as theirs
        await theirs.events.record(_event("k2"))
        after = await ours.events.stories_version()
        assert after[0] != own[0]
        # Ids handed out by both instances do not collide.
        ids = [row[0] for row in await ours.fetchall("SELECT id FROM events ORDER BY id")]
        assert ids == [1, 2]
    finally:
        await ours.close()
        await theirs.close()


def test_the_baseline_takes_the_writers_lock() -> None:
    baseline = postgres.migrations()[0][2]
    assert f"pg_advisory_xact_lock({postgres.WRITER_LOCK})" in baseline


@only_postgresql
async def test_two_instances_claim_a_row_once(database_target: str) -> None:
    """The outbox claim reads, then leases: the writers' lock keeps two instances apart."""
    first, second = await open_database(database_target), await open_database(database_target)
    try:
        await first.chats.register(7, chat_type="private", title=None, language=None, now=NOW)
        await first.sources.add("https://a.example/feed", kind=SourceKind.RSS, name="A", now=NOW)
        recorded = await first.events.record(_event("k1"))
        assert recorded is not None
        await first.outbox.enqueue(recorded.story_id, [7], priority=0, now=NOW)
        lease = timedelta(minutes=5)
        claims = await asyncio.gather(
            *(
                db.outbox.claim(now=NOW, limit=10, lease=lease)
                for db in (first, second, first, second)
            )
        )
        assert sorted(len(rows) for rows in claims) == [0, 0, 0, 1]
    finally:
        await first.close()
        await second.close()


@only_postgresql
async def test_a_wrong_database_is_named_with_the_reason_and_no_password(
    database_target: str,
) -> None:
    server = urlsplit(database_target)
    wrong = f"postgresql://nobody:s3cret@{server.hostname}:{server.port or 5432}/no_such_database"
    with pytest.raises(DatabaseFileError) as caught:
        await open_database(wrong)
    message = str(caught.value)
    assert "s3cret" not in message and "\n" not in message
    assert "nobody:***@" in message
