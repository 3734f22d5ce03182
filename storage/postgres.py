"""The PostgreSQL backend: a psycopg 3 connection pool, its migrations and transactions.

Repositories write one SQL text for both databases, with SQLite's `?` placeholders; they
are turned into psycopg's `%s` here (`translate`), once per text. Connections run in
autocommit, so a statement outside `transaction()` is a short transaction of its own;
`transaction()` takes one pooled connection for the task (nested uses join it) and wraps
the enclosed statements in BEGIN ... COMMIT. Statements are never prepared on the server
(`prepare_threshold=None`): the pool may sit behind PgBouncer in transaction mode, where a
prepared statement does not outlive the transaction.

Transactions take turns, as with SQLite's single writer (BEGIN IMMEDIATE): in this process
on an asyncio lock, between instances on a transaction-scoped advisory lock taken first
thing in every transaction. Code written for SQLite (read, decide, write in one
transaction: the event batch's row ids, the outbox claims, the audience revisions) so stays
correct when two instances share the database. Reads outside a transaction wait for
neither lock.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from storage.errors import DatabaseFileError
from storage.migrations import packaged
from storage.urls import redact

log = logging.getLogger(__name__)

# pg_advisory_xact_lock keys: every transaction's (the single writer), and the migrations'.
WRITER_LOCK = 0x6F7574706F7300
MIGRATION_LOCK = 0x6F7574706F7301


def migrations() -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for every PostgreSQL migration, from the baseline on."""
    return packaged("storage.migrations_pg")


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """Turn `?` placeholders into psycopg's `%s`, and a literal `%` into `%%`.

    A `?` or `%` inside a quoted string, a quoted name or a comment is left alone (a `%`
    there is doubled all the same: psycopg reads the whole text).
    """
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == char:
                    if end + 1 < n and sql[end + 1] == char:  # a doubled quote inside
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif char == "?":
            out.append("%s")
            i += 1
        elif char == "%":
            out.append("%%")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


class Row:
    """A result row read by position or by column name, like Row."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = tuple(values)
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({self._values!r})"

    def keys(self) -> list[str]:
        """Return the column names, in order."""
        return list(self._index)


def _rows(cursor: psycopg.AsyncCursor[Any]) -> RowMaker[Row]:
    """psycopg's row factory: every row of one result shares its column index."""
    description = cursor.description or []
    index = {column.name: i for i, column in enumerate(description)}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a statement did: how many rows it changed (no row ids: use RETURNING)."""

    rowcount: int
    lastrowid: int | None = None


class PostgresBackend:
    """A pool of connections to one PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, pool: AsyncConnectionPool[Any], url: str) -> None:
        self._pool = pool
        self.url = redact(url)
        self._lock = asyncio.Lock()
        self._conn: contextvars.ContextVar[psycopg.AsyncConnection[Any] | None] = (
            contextvars.ContextVar(f"outpost_pg_conn_{id(self)}", default=None)
        )

    @property
    def in_transaction(self) -> bool:
        """Tell whether the running task is inside `transaction()`."""
        return self._conn.get() is not None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the enclosed statements as one atomic write; nested uses join the outer one."""
        if self._conn.get() is not None:
            yield
            return
        async with self._lock, self._pool.connection() as conn:
            token = self._conn.set(conn)
            try:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
                    yield
            finally:
                self._conn.reset(token)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """The task's transaction's connection, or a pooled one for a single statement."""
        conn = self._conn.get()
        if conn is not None:
            yield conn
            return
        async with self._pool.connection() as conn:
            yield conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Outcome:
        """Run one statement inside a transaction; return how many rows it changed."""
        async with self.transaction():
            conn = self._conn.get()
            assert conn is not None  # noqa: S101 -- set by transaction()
            cursor = await conn.execute(translate(sql), params)
            return Outcome(cursor.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement for many parameter rows (one pipeline); return rows changed."""
        async with self.transaction():
            conn = self._conn.get()
            assert conn is not None  # noqa: S101 -- set by transaction()
            async with conn.cursor() as cursor:
                await cursor.executemany(translate(sql), list(rows))
                return max(cursor.rowcount, 0)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Return every row of a query."""
        async with self._connection() as conn:
            cursor = conn.cursor(row_factory=_rows)
            async with cursor:
                await cursor.execute(translate(sql), params)
                return await cursor.fetchall()

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Return the first row of a query, or None."""
        async with self._connection() as conn:
            cursor = conn.cursor(row_factory=_rows)
            async with cursor:
                await cursor.execute(translate(sql), params)
                return await cursor.fetchone()

    async def size_bytes(self) -> int:
        """Return how many bytes the database takes on the server."""
        row = await self.fetchone("SELECT pg_database_size(current_database())")
        return int(row[0]) if row else 0

    async def reclaim(self, pages: int) -> int:
        """Nothing to hand back: PostgreSQL's autovacuum reuses freed space by itself."""
        del pages
        return 0

    async def trace(self, callback: Callable[[str], None] | None) -> None:
        """Statement tracing is SQLite's (its query-plan tests); PostgreSQL has none here."""
        if callback is not None:
            raise NotImplementedError("statement tracing is available on SQLite only")

    async def schema_version(self) -> int:
        """Return the number of the last migration applied (0 for an empty database)."""
        row = await self.fetchone("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        if row is None or not row[0]:
            return 0
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply every migration newer than the database, once however many instances start.

        One transaction: it first takes an advisory lock, so a second instance starting at
        the same moment waits, then reads the version again and finds nothing left to do.
        DDL is transactional in PostgreSQL: a migration that fails leaves nothing behind.
        """
        async with self.transaction():
            conn = self._conn.get()
            assert conn is not None  # noqa: S101 -- set by transaction()
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            current = await self.schema_version()
            for version, name, sql in migrations():
                if version <= current:
                    continue
                log.info("applying migration %s", name)
                # Many statements in one text: psycopg sends them as one simple query
                # when there are no parameters.
                await conn.execute(sql.encode())
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (version, name),
                )
                current = version
        return current

    async def close(self) -> None:
        """Close every connection of the pool."""
        await self._pool.close()


def unwritable(exc: BaseException) -> bool:
    """Tell whether a PostgreSQL error is one that passes: retrying later succeeds.

    A full disk (53100), a lock not available (55P03), a serialisation failure or a deadlock
    (40001, 40P01), the server shutting down or the connection lost (57P01-57P03, 08xxx),
    a pool that could not hand out a connection in time.
    """
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, psycopg.Error):
        return False
    state = exc.sqlstate or ""
    if state in {"53100", "55P03", "40001", "40P01", "57P01", "57P02", "57P03"}:
        return True
    if state.startswith("08"):
        return True
    # A connection that broke without the server saying why carries no SQLSTATE.
    return isinstance(exc, psycopg.OperationalError) and not state


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    """Set up each new pooled connection: autocommit, UTC, no server-side prepares."""
    conn.prepare_threshold = None
    await conn.set_autocommit(True)
    await conn.execute("SET TIME ZONE 'UTC'")


async def open_postgres(url: str, *, pool_size: int = 10, wait: float = 10.0) -> PostgresBackend:
    """Connect to a PostgreSQL database, check it answers, and migrate it.

    Raises DatabaseFileError with one line naming the server (never its password) when it
    cannot be reached or refuses the connection.
    """
    shown = redact(url)
    try:
        # One connection first: its error says why (a wrong password, no such database),
        # where the pool would only time out.
        probe = await psycopg.AsyncConnection.connect(url, connect_timeout=max(1, int(wait)))
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        try:
            password = urlsplit(url).password
        except ValueError:
            password = None
        if password:
            reason = reason.replace(password, "***")
        raise DatabaseFileError(
            f"cannot connect to the database {shown} ({reason}): check the URL in"
            " OUTPOST_DATABASE, the server and its credentials"
        ) from None
    await probe.close()
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        url,
        min_size=1,
        max_size=max(1, pool_size),
        open=False,
        configure=_configure,
        kwargs={"prepare_threshold": None},
        timeout=wait,
        name="outpost",
    )
    try:
        await pool.open(wait=True, timeout=wait)
    except (PoolTimeout, psycopg.Error) as exc:
        await pool.close()
        raise DatabaseFileError(
            f"cannot connect to the database {shown}: check the URL in OUTPOST_DATABASE, "
            "the server and its credentials"
        ) from exc
    backend = PostgresBackend(pool, url)
    try:
        await backend.migrate()
    except BaseException:
        await pool.close()
        raise
    return backend
