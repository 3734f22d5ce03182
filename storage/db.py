"""The database every caller uses: repositories, transactions and statements, over a backend.

`open_database` takes a file path (SQLite, `storage.sqlite`) or a `postgresql://` URL
(PostgreSQL, `storage.postgres`). Repositories write one SQL text for both; the few
things that must differ ask `Database.dialect`, or use the helpers here (`any_of`,
`list_param`). What only SQLite has (a file to back up, pages to hand back, a statement
trace) is a method whose PostgreSQL side says so or does nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Literal, Protocol

from storage import postgres, sqlite, urls
from storage._base import Row
from storage.admin import AdminRepository
from storage.chat_state import ChatStateRepository
from storage.chats import ChatRepository
from storage.errors import DatabaseFileError
from storage.events import EventRepository
from storage.feedback import FeedbackRepository
from storage.filters import FilterRepository
from storage.leases import LeaseRepository
from storage.outbox import OutboxRepository
from storage.retention import RetentionRepository
from storage.sources import SourceRepository
from storage.stats import StatsRepository
from storage.updates import UpdateRepository
from storage.websub import WebSubRepository

__all__ = [
    "Database",
    "DatabaseFileError",
    "Outcome",
    "latest_version",
    "open_database",
    "unwritable_for_now",
]

Dialect = Literal["sqlite", "postgresql"]


class Outcome(Protocol):
    """What `Database.execute` returns: the rows a statement changed."""

    @property
    def rowcount(self) -> int: ...


class Backend(Protocol):
    """What a database backend provides to `Database` (storage.sqlite, storage.postgres)."""

    @property
    def dialect(self) -> str: ...
    @property
    def in_transaction(self) -> bool: ...
    def transaction(self) -> AbstractAsyncContextManager[None]: ...
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Outcome: ...
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int: ...
    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Row]: ...
    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...
    async def size_bytes(self) -> int: ...
    async def reclaim(self, pages: int) -> int: ...
    async def trace(self, callback: Callable[[str], None] | None) -> None: ...
    async def schema_version(self) -> int: ...
    async def close(self) -> None: ...


def latest_version() -> int:
    """Return the schema version the packaged migrations bring a database to (either one)."""
    return sqlite.migrations()[-1][0]


class Database:
    """One database shared by the whole process, with its repositories.

    Every repository call runs inside `transaction()` (re-entrantly), so a reader never
    sees half a write; the backend decides how writers take turns.
    """

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self.dialect: Dialect = "postgresql" if backend.dialect == "postgresql" else "sqlite"
        # Bound once: the statements are the hot path (no extra call layer per statement).
        self.execute = backend.execute
        self.executemany = backend.executemany
        self.fetchall = backend.fetchall
        self.fetchone = backend.fetchone
        self.chats = ChatRepository(self)
        self.filters = FilterRepository(self)
        self.sources = SourceRepository(self)
        self.events = EventRepository(self)
        self.outbox = OutboxRepository(self)
        self.admin = AdminRepository(self)
        self.stats = StatsRepository(self)
        self.retention = RetentionRepository(self)
        self.websub = WebSubRepository(self)
        self.feedback = FeedbackRepository(self)
        self.leases = LeaseRepository(self)
        self.chat_state = ChatStateRepository(self)
        self.updates = UpdateRepository(self)

    @property
    def in_transaction(self) -> bool:
        """Tell whether the running task is inside `transaction()`."""
        return self._backend.in_transaction

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Run the enclosed statements as one atomic write; nested uses join the outer one."""
        return self._backend.transaction()

    def any_of(self, column: str) -> str:
        """Return SQL testing `column` against a list passed as one parameter (`list_param`)."""
        if self.dialect == "postgresql":
            return f"{column} = ANY(?)"
        return f"{column} IN (SELECT value FROM json_each(?))"  # noqa: S608 -- a column name

    async def serialise(self, name: str) -> None:
        """Make the running transaction the only one, across instances, doing `name`'s work.

        Called first in a write transaction that must not run beside another instance's
        (story joining: two instances must never open two stories for one happening). On
        SQLite it does nothing: `BEGIN IMMEDIATE` already lets one writer at a time into
        the database file, whichever process it is in. On PostgreSQL it takes
        `pg_advisory_xact_lock(hashtext(name))`, a transaction-level advisory lock that ends
        with the transaction (a session-level one would not survive a connection pooler).
        """
        if not self.in_transaction:
            raise RuntimeError("serialise must be called inside a transaction")
        if self.dialect == "postgresql":
            await self.fetchone("SELECT pg_advisory_xact_lock(hashtext(?))", (f"outpost.{name}",))

    def list_param(self, values: Sequence[Any]) -> object:
        """Return a list as the one parameter `any_of` takes (JSON text for SQLite)."""
        if self.dialect == "postgresql":
            return list(values)
        return json.dumps(list(values))

    async def ping(self) -> None:
        """Run a trivial query: the database answers (for readiness checks)."""
        await self.fetchone("SELECT 1")

    async def size_bytes(self) -> int:
        """Return how many bytes the database takes (SQLite: its file and WAL)."""
        return await self._backend.size_bytes()

    async def reclaim(self, pages: int) -> int:
        """Give up to `pages` free pages back to the file system; return how many are left.

        SQLite's incremental vacuum; on PostgreSQL autovacuum does this, so nothing is left.
        """
        return await self._backend.reclaim(pages)

    async def trace(self, callback: Callable[[str], None] | None) -> None:
        """Call `callback` with every statement run (None: stop); SQLite only."""
        await self._backend.trace(callback)

    async def schema_version(self) -> int:
        """Return the number of the last migration applied."""
        return await self._backend.schema_version()

    async def close(self) -> None:
        """Close the connection (or the pool)."""
        await self._backend.close()


def unwritable_for_now(exc: BaseException) -> bool:
    """Tell whether an error means the database cannot be used for now, not that it is broken.

    SQLite: another writer holding the lock past the busy timeout, or a full disk.
    PostgreSQL: a full disk, a lock or serialisation conflict, a lost connection or a
    server shutting down. The same statement succeeds once that passes.
    """
    if isinstance(exc, sqlite3.Error):
        return sqlite.unwritable(exc)
    return postgres.unwritable(exc)


async def open_database(
    target: Path | str,
    *,
    busy_timeout_ms: int = 5000,
    create: bool = True,
    pool_size: int = 10,
) -> Database:
    """Open the database a path or a `postgresql://` URL names, set it up, migrate it.

    A file is created when missing if `create`; a PostgreSQL database must exist (the
    tables are created in it). Raises DatabaseFileError, in one line naming the database
    (never a password) and what to do, when it cannot be used.
    """
    if urls.is_url(target):
        return Database(await postgres.open_postgres(str(target), pool_size=pool_size))
    backend = await sqlite.open_sqlite(target, busy_timeout_ms=busy_timeout_ms, create=create)
    return Database(backend)
