"""Backups of the SQLite database: a consistent copy of a live file, and putting one back.

Both directions go through SQLite's online backup API (`sqlite3.Connection.backup`), never
a file copy: the backup reads the source in one step inside one read transaction, so a bot
writing meanwhile (WAL mode lets it) cannot tear the copy, and what is committed in the
WAL file is included. The copy is written beside the target under a temporary name and
renamed into place only once it is complete and checked, so a half-written backup never
carries the target's name. These functions block; callers run them in a thread.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.db import latest_version


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a checked backup holds."""

    path: Path
    schema_version: int
    size: int


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """Open a plain sqlite3 connection, closed on exit.

    Not read-only, even to read: a read-only connection cannot open a WAL database whose
    shared-memory file is missing. Callers check that a file they only read exists.
    """
    try:
        conn = sqlite3.connect(path, timeout=30.0)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path}: {exc}") from None
    try:
        yield conn
    finally:
        conn.close()


def check(path: Path) -> BackupInfo:
    """Check a database file: SQLite's integrity check, then an Outpost schema this code knows.

    Raises BackupError naming the first problem: not a database, damaged, not Outpost's, or
    made by a newer Outpost (whose migrations this one does not have).
    """
    if not path.is_file():
        raise BackupError(f"no file {path}")
    with _connect(path) as conn:
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is not a usable SQLite database: {exc}") from None
    if [tuple(row) for row in result] != [("ok",)]:
        first = "; ".join(str(row[0]) for row in result[:3])
        raise BackupError(f"{path} failed SQLite's integrity check: {first}")
    if version == 0 or not {"sources", "events", "outbox"} <= tables:
        raise BackupError(f"{path} is not an Outpost database")
    newest = latest_version()
    if version > newest:
        raise BackupError(
            f"{path} has schema version {version}, newer than this Outpost's {newest}: "
            "upgrade Outpost before restoring it"
        )
    return BackupInfo(path, version, path.stat().st_size)


def _copy(source: Path, target: Path) -> None:
    """Copy `source` into a new file beside `target`, check it, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        with _connect(source) as src, _connect(partial) as dst:
            src.backup(dst)  # one step: one read transaction, a consistent snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        check(partial)
        with partial.open("rb") as done:
            os.fsync(done.fileno())
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def backup(database: Path, target: Path) -> BackupInfo:
    """Write a consistent, checked copy of the (possibly running) database to `target`."""
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    if target.resolve() == database.resolve():
        raise BackupError("the backup would overwrite the database itself")
    try:
        _copy(database, target)
    except sqlite3.Error as exc:
        raise BackupError(f"backup failed: {exc}") from None
    return check(target)


def restore(backup_file: Path, database: Path) -> BackupInfo:
    """Check a backup, keep the current database beside it, then put the backup back.

    The bot must be stopped (the caller makes sure): a running bot keeps state read from the
    database in memory. The current database, if any, is first copied to
    `<database>.before-restore`; the backup is then written into the database through the
    backup API, which goes through SQLite's own locking and journal (WAL included). A
    backup of an older schema is migrated by the bot when it next starts.
    """
    info = check(backup_file)
    if database.exists():
        _copy(database, database.with_name(database.name + ".before-restore"))
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _connect(backup_file) as src, _connect(database) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed: {exc}") from None
    check(database)
    return info
