"""Connection set-up, versioned migrations and transactions over one aiosqlite connection."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.admin import AdminRepository
from storage.chats import ChatRepository
from storage.events import EventRepository
from storage.filters import FilterRepository
from storage.outbox import OutboxRepository
from storage.sources import SourceRepository
from storage.stats import StatsRepository

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def _migrations() -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for every packaged migration, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 001.. without gaps, found {versions}")
    return found


def latest_version() -> int:
    """Return the schema version the packaged migrations bring a database to."""
    return len(_migrations())


class Database:
    """One SQLite connection shared by the whole process, with its repositories.

    aiosqlite runs statements on one thread, but two tasks could still interleave their
    statements inside one transaction; `transaction()` serialises writers with a lock, and
    every repository call runs inside it (re-entrantly) so a reader never sees half a write.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._in_tx: contextvars.ContextVar[bool] = contextvars.ContextVar(
            f"outpost_db_tx_{id(self)}", default=False
        )
        self.chats = ChatRepository(self)
        self.filters = FilterRepository(self)
        self.sources = SourceRepository(self)
        self.events = EventRepository(self)
        self.outbox = OutboxRepository(self)
        self.admin = AdminRepository(self)
        self.stats = StatsRepository(self)

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

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """Run one statement inside a transaction and return its cursor."""
        async with self.transaction():
            return await self._conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows inside a transaction."""
        async with self.transaction():
            await self._conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        """Return every row of a query."""
        async with self.transaction():
            # One trip to the database thread, not three (execute, fetch, close).
            rows = await self._conn.execute_fetchall(sql, params)
            return list(rows)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        """Return the first row of a query, or None."""
        async with self.transaction():
            cursor = await self._conn.execute(sql, params)
            row = await cursor.fetchone()
            await cursor.close()
            return row

    async def ping(self) -> None:
        """Run a trivial query: the database answers (for readiness checks)."""
        await self.fetchone("SELECT 1")

    async def schema_version(self) -> int:
        """Return the number of the last migration applied."""
        cursor = await self._conn.execute("PRAGMA user_version")
        row = await cursor.fetchone()
        await cursor.close()
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply every migration newer than the database; return the resulting version."""
        current = await self.schema_version()
        for version, name, sql in _migrations():
            if version <= current:
                continue
            log.info("applying migration %s", name)
            # executescript commits first, so run the script and the version bump as one
            # explicit transaction of its own.
            await self._conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
            current = version
        return current

    async def close(self) -> None:
        """Close the connection."""
        await self._conn.close()


async def open_database(path: Path | str, *, busy_timeout_ms: int = 5000) -> Database:
    """Open (creating if needed) the database file, set it up and migrate it."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    try:
        await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        db = Database(conn)
        await db.migrate()
    except BaseException:
        await conn.close()
        raise
    return db
