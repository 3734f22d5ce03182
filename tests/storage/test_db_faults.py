"""Storage faults are named: a broken database file gives one line with its path and what to
do, and a missing one is created only where its folder exists, with a WARNING."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.cli import main
from storage import DatabaseFileError, open_database


async def filled(path: Path) -> bytes:
    """Create a database with some pages in it; return its bytes."""
    db = await open_database(path)
    await db.executemany(
        "INSERT INTO audit_log (user_id, action, detail, at) VALUES (1, 'x', ?, 0)",
        [(f"detail {n} " * 20,) for n in range(400)],
    )
    await db.close()
    return await asyncio.to_thread(path.read_bytes)


async def refusal(path: Path, **options: bool) -> str:
    """Open the database and return the refusal's one line."""
    with pytest.raises(DatabaseFileError) as refused:
        await open_database(path, **options)
    message = str(refused.value)
    assert "\n" not in message
    assert str(path) in message
    return message


async def test_a_file_of_garbage_is_named(tmp_path: Path) -> None:
    path = tmp_path / "outpost.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    message = await refusal(path)
    assert "is not an SQLite database" in message
    assert "restore it from a backup" in message


async def test_a_truncated_file_is_named(tmp_path: Path) -> None:
    whole = await filled(tmp_path / "whole.sqlite3")
    for cut in (len(whole) // 2, 60):
        path = tmp_path / f"cut{cut}.sqlite3"
        path.write_bytes(whole[:cut])
        assert "is cut short" in await refusal(path)


async def test_a_database_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    whole = await filled(tmp_path / "whole.sqlite3")
    path = tmp_path / "scrambled.sqlite3"
    # The header intact, every page after the first overwritten.
    path.write_bytes(whole[:4096] + bytes(range(256)) * ((len(whole) - 4096) // 256))
    message = await refusal(path)
    assert "cannot be read" in message or "cut short" in message


async def test_a_folder_in_place_of_the_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "outpost.sqlite3"
    path.mkdir()
    message = await refusal(path)
    assert "is a folder, not a file" in message


async def test_a_missing_folder_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "not-mounted" / "outpost.sqlite3"
    message = await refusal(path)
    assert "does not exist" in message
    assert not path.parent.exists()


async def test_a_missing_file_is_created_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "outpost.sqlite3"
    with caplog.at_level(logging.WARNING, logger="storage.sqlite"):
        db = await open_database(path)
        await db.close()
        again = await open_database(path)
        await again.close()
    created = [r for r in caplog.records if "created a new, empty one" in r.getMessage()]
    assert len(created) == 1  # once: the second start finds it
    assert str(path) in created[0].getMessage()


async def test_a_missing_file_can_be_refused(tmp_path: Path) -> None:
    path = tmp_path / "outpost.sqlite3"
    assert "OUTPOST_CREATE_DATABASE is false" in await refusal(path, create=False)
    assert not path.exists()


def test_the_command_line_says_it_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "outpost.sqlite3"
    path.write_bytes(b"\x00garbage" * 100)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OUTPOST_DATABASE", str(path))
    assert main(["sources", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"outpost: the database {path} is not an SQLite database")
