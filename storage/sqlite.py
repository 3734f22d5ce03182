"""The SQLite backend: one aiosqlite connection, its migrations and transactions.

Opening names what is wrong with the file in one line (`DatabaseFileError`): a folder
where the file should be, a file that is not an SQLite database or was cut short, a folder
that does not exist (a failed mount, a typo in the path). A missing file is created only
in a folder that exists, and the log says so at WARNING; `create=False` refuses instead.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.errors import DatabaseFileError
from storage.migrations import packaged

log = logging.getLogger(__name__)

_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


def migrations() -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for every SQLite migration, numbered from 001."""
    found = packaged("storage.migrations")
    if found and found[0][0] != 1:
        raise RuntimeError("SQLite migrations must start at 001")
    return found


class SqliteBackend:
    """One SQLite connection shared by the whole process.

    aiosqlite runs statements on one thread, but two tasks could still interleave their
    statements inside one transaction; `transaction()` serialises writers with a lock, and
    every statement waits for that lock (or runs inside the transaction that holds it), so
    a reader never sees half a write.

    A statement on its own is one trip to the database thread: the connection is in
    autocommit mode, where SQLite makes a single statement a transaction of its own
    (taking the write lock, with the busy timeout, before it reads when it writes), so
    wrapping it in BEGIN and COMMIT would add two trips and change nothing. Only
    `transaction()` and `executemany` (one statement, many rows) begin one explicitly.
    """

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path | None = None) -> None:
        self._conn = conn
        self._path = path
        self._lock = asyncio.Lock()
        self._in_tx: contextvars.ContextVar[bool] = contextvars.ContextVar(
            f"outpost_sqlite_tx_{id(self)}", default=False
        )

    @property
    def in_transaction(self) -> bool:
        """Tell whether the running task is inside `transaction()`."""
        return self._in_tx.get()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the enclosed statements as one atomic write; nested uses join the outer one."""
        if self._in_tx.get():
            yield
            return
        async with self._lock:
            token = self._in_tx.set(True)
            try:
                try:
                    # Inside the try: a task cancelled while BEGIN waits for the database
                    # thread still has it run there, and the rollback queued after it ends
                    # that transaction instead of leaving the connection inside one.
                    await self._conn.execute("BEGIN IMMEDIATE")
                    yield
                except BaseException:
                    await self._conn.rollback()
                    raise
                await self._conn.commit()
            finally:
                self._in_tx.reset(token)

    @asynccontextmanager
    async def _statement(self) -> AsyncIterator[None]:
        """Hold the lock for one statement (it is its own transaction), unless in one already."""
        if self._in_tx.get():
            yield
            return
        async with self._lock:
            yield

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """Run one statement, atomically, and return its cursor."""
        async with self._statement():
            return await self._conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement for many parameter rows inside a transaction; return rows changed."""
        async with self.transaction():
            cursor = await self._conn.executemany(sql, rows)
            return cursor.rowcount

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        """Return every row of a query."""
        async with self._statement():
            # One trip to the database thread, not three (execute, fetch, close).
            rows = await self._conn.execute_fetchall(sql, params)
            return list(rows)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        """Return the first row of a query (every caller's query has at most one), or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def size_bytes(self) -> int:
        """Return how many bytes the database takes on disk (its file and its WAL)."""
        rows = await self.fetchall(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        )
        wal = Path(f"{self._path}-wal") if self._path else None
        extra = wal.stat().st_size if wal is not None and wal.exists() else 0
        return (int(rows[0][0]) if rows else 0) + extra

    async def reclaim(self, pages: int) -> int:
        """Give up to `pages` free pages back to the file system; return how many are left.

        SQLite's incremental vacuum (the database runs with auto_vacuum=INCREMENTAL, see
        `open_database`): deleting rows only frees pages inside the file; this hands a few
        of them back at a time, holding the database no longer than that takes. The
        SQLite-specific half of retention lives here so that other databases replace one
        method.
        """
        if self.in_transaction:
            raise RuntimeError("reclaim cannot run inside a transaction")
        async with self._lock:
            # executescript steps the pragma to completion (one step frees one page).
            await self._conn.executescript(f"PRAGMA incremental_vacuum({int(pages)});")
            left = await self._free_pages()
            if left == 0:
                # In WAL mode the file shrinks only when the log is written back.
                await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        return left

    async def trace(self, callback: Callable[[str], None] | None) -> None:
        """Call `callback` with every statement the connection runs (None: stop).

        For tests and diagnostics: `tests/storage/test_query_plans.py` checks the plan of
        every statement the bot ran.
        """
        # aiosqlite's hint leaves out None, which sqlite3 takes to stop tracing.
        await self._conn.set_trace_callback(callback)  # type: ignore[arg-type]

    async def schema_version(self) -> int:
        """Return the number of the last migration applied."""
        cursor = await self._conn.execute("PRAGMA user_version")
        row = await cursor.fetchone()
        await cursor.close()
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply every migration newer than the database; return the resulting version.

        Each migration is one transaction, run with foreign keys off and checked before it
        commits: SQLite's procedure for changing a table (copy it, drop the old one, give
        the copy its name) would otherwise cascade the drop to the rows pointing at it.
        Pages a migration freed are handed back to the file system afterwards.
        """
        current = await self.schema_version()
        pending = [migration for migration in migrations() if migration[0] > current]
        if not pending:
            return current
        await self._conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction
        try:
            for version, name, sql in pending:
                log.info("applying migration %s", name)
                # executescript commits first, so run the script and the version bump as
                # one explicit transaction of its own, committed once the check passed.
                await self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};"
                )
                try:
                    await self._check_keys(name)
                    await self._conn.execute("COMMIT")
                except BaseException:
                    await self._conn.rollback()
                    raise
                current = version
        finally:
            await self._conn.execute("PRAGMA foreign_keys = ON")
        if await self._free_pages() > 0:
            await self._conn.executescript("PRAGMA incremental_vacuum;")
            await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        return current

    async def _check_keys(self, migration: str) -> None:
        """Raise RuntimeError if a row points at a row that is not there (foreign keys)."""
        broken = list(await self._conn.execute_fetchall("PRAGMA foreign_key_check"))
        if broken:
            raise RuntimeError(
                f"migration {migration} leaves {len(broken)} rows pointing nowhere,"
                f" e.g. {tuple(broken[0])}"
            )

    async def _free_pages(self) -> int:
        """Return how many pages inside the file are free (SQLite's freelist)."""
        rows = list(await self._conn.execute_fetchall("PRAGMA freelist_count"))
        return int(rows[0][0]) if rows else 0

    async def close(self) -> None:
        """Close the connection."""
        await self._conn.close()


def unwritable(exc: BaseException) -> bool:
    """Tell whether an error means the database cannot be used for now, not that it is broken.

    Another writer holding the lock past the busy timeout ("database is locked", "database
    is busy") or a disk out of room ("database or disk is full"): the same statement
    succeeds once that passes.
    """
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return any(sign in text for sign in ("locked", "busy", "disk is full"))


_MAGIC = b"SQLite format 3\x00"
_HEADER = 100


def _header_problem(path: Path) -> str | None:
    """Return what the first bytes of an existing file say is wrong with it, if anything.

    An empty file is an empty database to SQLite. Otherwise the header must start with
    SQLite's magic string, and when its page count is current (its change counter matches
    its "version valid for" number) the file must be as long as that many pages: a shorter
    one was cut off (a full disk, a copy that stopped half-way).
    """
    size = path.stat().st_size
    if size == 0:
        return None
    with path.open("rb") as file:
        header = file.read(_HEADER)
    if not header.startswith(_MAGIC):
        return "is not an SQLite database"
    if len(header) < _HEADER:
        return "is cut short (its header is incomplete)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    current = header[24:28] == header[92:96]
    if current and pages and pages * page_size > size:
        return f"is cut short ({size} bytes of the {pages * page_size} it should have)"
    return None


def _check_file(path: Path, *, create: bool) -> bool:
    """Refuse a path that cannot hold the database; return whether the file is new."""
    if path.is_dir():
        raise DatabaseFileError(
            f"the database path {path} is a folder, not a file: "
            f"point OUTPOST_DATABASE at a file (e.g. {path / 'outpost.sqlite3'})"
        )
    if not path.exists():
        if not path.parent.is_dir():
            raise DatabaseFileError(
                f"the database {path} is in a folder that does not exist ({path.parent}; "
                "a mount that failed, or a typo in OUTPOST_DATABASE?): create it or fix the path"
            )
        if not create:
            raise DatabaseFileError(
                f"there is no database at {path} and OUTPOST_CREATE_DATABASE is false: "
                "restore it from a backup, fix the path, or allow creating a new one"
            )
        return True
    try:
        problem = _header_problem(path)
    except OSError as exc:
        raise DatabaseFileError(
            f"cannot read the database {path} ({exc.strerror}): check its permissions"
        ) from exc
    if problem is not None:
        raise DatabaseFileError(
            f"the database {path} {problem}: restore it from a backup, "
            "or move it away to start with an empty one"
        )
    return False


async def open_sqlite(
    path: Path | str, *, busy_timeout_ms: int = 5000, create: bool = True
) -> SqliteBackend:
    """Open the database file (creating a missing one if `create`), set it up, migrate it.

    Raises DatabaseFileError, naming the path and what to do, when the file cannot be used.
    """
    new = False
    if str(path) != ":memory:":
        new = _check_file(Path(path), create=create)
    try:
        conn = await aiosqlite.connect(str(path), isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseFileError(
            f"cannot open the database {path} ({exc}): check the file and its folder's permissions"
        ) from exc
    conn.row_factory = aiosqlite.Row
    try:
        await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        await _incremental_vacuum(conn)
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        db = SqliteBackend(conn, None if str(path) == ":memory:" else Path(path))
        await db.migrate()
    except sqlite3.DatabaseError as exc:
        await conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
            raise  # busy, not broken: the caller's retry or restart will get it
        raise DatabaseFileError(
            f"the database {path} cannot be read ({exc}): restore it from a backup, "
            "or move it away to start with an empty one"
        ) from exc
    except BaseException:
        await conn.close()
        raise
    if new:
        log.warning("no database at %s: created a new, empty one there", path)
    return db


async def _incremental_vacuum(conn: aiosqlite.Connection) -> None:
    """Make sure the database frees pages incrementally (auto_vacuum=INCREMENTAL).

    A new database takes the setting before its first table. An existing one needs one
    full VACUUM to switch, once: it rewrites the file, which takes a while on a large
    database (and room for a copy of it), so it is logged.
    """
    rows = list(await conn.execute_fetchall("PRAGMA auto_vacuum"))
    if rows and int(rows[0][0]) == _INCREMENTAL:
        return
    await conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    tables = list(await conn.execute_fetchall("SELECT COUNT(*) FROM sqlite_master"))
    if tables and int(tables[0][0]) > 0:
        log.warning("switching the database to incremental vacuum: a one-time VACUUM")
        await conn.execute("VACUUM")
        log.info("incremental vacuum is on")
