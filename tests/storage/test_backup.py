"""Backups: a copy taken while the bot writes is consistent; restore checks before it replaces.

The writer keeps an invariant that only whole transactions preserve (every source added in
the same transaction as its audit line), so a torn copy would show as a mismatch.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import SourceKind
from storage import Database, open_database
from storage.backup import BackupError, backup, check, restore
from storage.db import latest_version
from tests.helpers.cli import outpost

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)


async def write_pairs(
    db: Database, stop: asyncio.Event, written: list[int], progress: asyncio.Condition
) -> None:
    """Add a source and its audit line in one transaction, again and again, until stopped."""
    n = 0
    while not stop.is_set():
        n += 1
        async with db.transaction():
            await db.sources.add(
                f"https://n{n}.example.org/feed", kind=SourceKind.RSS, name=f"n{n}", now=NOW
            )
            await db.admin.audit(1, "source_add", f"n{n}", now=NOW)
        written.append(n)
        async with progress:
            progress.notify_all()


def pairs(path: Path) -> tuple[int, int]:
    """Count sources and audit lines in a database file."""
    conn = sqlite3.connect(path)
    try:
        sources = conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
        audits = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()
    return int(sources), int(audits)


async def test_a_backup_taken_under_write_load_restores_to_a_consistent_copy(
    tmp_path: Path,
) -> None:
    live = tmp_path / "outpost.sqlite3"
    db = await open_database(live)
    stop = asyncio.Event()
    written: list[int] = []
    progress = asyncio.Condition()
    writer = asyncio.create_task(write_pairs(db, stop, written, progress))
    try:
        copies = []
        for i in range(3):
            # Wait for more writes between the copies, then copy while the writer runs on.
            async with progress:
                await progress.wait_for(lambda n=(i + 1) * 50: len(written) >= n)
            copies.append(await asyncio.to_thread(backup, live, tmp_path / f"b{i}.sqlite3"))
        assert not writer.done()
    finally:
        stop.set()
        await writer
        await db.close()
    counts = [pairs(info.path) for info in copies]
    for sources, audits in counts:
        assert sources == audits  # no copy holds half a transaction
    assert 0 < counts[0][0] < counts[-1][0] < len(written)  # taken while writes went on
    assert all(info.schema_version == latest_version() for info in copies)

    # Put the middle copy back over the live database: exactly its rows come back.
    restored = tmp_path / "restored" / "outpost.sqlite3"
    restored.parent.mkdir()
    await asyncio.to_thread(backup, live, restored)  # something to replace
    await asyncio.to_thread(restore, copies[1].path, restored)
    assert pairs(restored) == counts[1]
    assert pairs(restored.with_name("outpost.sqlite3.before-restore")) == (
        len(written),
        len(written),
    )
    reopened = await open_database(restored)  # the bot opens it as usual
    try:
        assert len(await reopened.sources.all()) == counts[1][0]
    finally:
        await reopened.close()


def test_restore_refuses_a_damaged_or_foreign_or_newer_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a usable SQLite database"):
        check(junk)
    foreign = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(BackupError, match="not an Outpost database"):
        check(foreign)
    newer = tmp_path / "newer.sqlite3"
    asyncio.run(_fresh(newer))
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    with pytest.raises(BackupError, match="newer than this Outpost's"):
        check(newer)
    live = tmp_path / "live.sqlite3"
    asyncio.run(_fresh(live))
    with pytest.raises(BackupError):
        restore(newer, live)
    assert check(live).schema_version == latest_version()  # untouched


async def _fresh(path: Path) -> None:
    db = await open_database(path)
    await db.close()


async def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    await _fresh(tmp_path / "outpost.sqlite3")
    code, out, err = await outpost("backup", str(tmp_path / "copy.sqlite3"), cwd=tmp_path)
    assert code == 0, err
    assert out.startswith(f"wrote {tmp_path / 'copy.sqlite3'} (")
    code, out, err = await outpost("restore", str(tmp_path / "copy.sqlite3"), cwd=tmp_path)
    assert code == 0, err
    assert "restored" in out
    assert "before-restore" in out
    code, _, err = await outpost("restore", str(tmp_path / "missing.sqlite3"), cwd=tmp_path)
    assert code == 1
    assert err.strip() == f"outpost: no file {tmp_path / 'missing.sqlite3'}"
