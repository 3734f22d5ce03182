"""Sources and their health."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from bot.models import DuplicateSourceError, Source, SourceKind
from bot.runtime.clock import from_timestamp
from storage._base import Repository

_COLUMNS = """id, url, kind, name, active, etag, last_modified, last_polled_at, last_success_at,
    last_error_kind, last_error_detail, consecutive_failures, next_poll_at, poll_interval,
    backfilled, deactivated_at, ttl_minutes"""


def _source(row: aiosqlite.Row) -> Source:
    return Source(
        id=row["id"],
        url=row["url"],
        kind=SourceKind(row["kind"]),
        name=row["name"],
        active=bool(row["active"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_polled_at=from_timestamp(row["last_polled_at"]),
        last_success_at=from_timestamp(row["last_success_at"]),
        last_error_kind=row["last_error_kind"],
        last_error_detail=row["last_error_detail"],
        consecutive_failures=row["consecutive_failures"],
        next_poll_at=from_timestamp(row["next_poll_at"]),
        poll_interval=row["poll_interval"],
        backfilled=bool(row["backfilled"]),
        deactivated_at=from_timestamp(row["deactivated_at"]),
        ttl_minutes=row["ttl_minutes"],
    )


class SourceRepository(Repository):
    """Sources: what to poll, and how each poll went."""

    async def add(
        self,
        url: str,
        *,
        kind: SourceKind,
        name: str,
        now: datetime,
        poll_interval: float | None = None,
        next_poll_at: datetime | None = None,
    ) -> Source:
        """Store a new source, due at once by default; DuplicateSourceError for a known URL."""
        due = next_poll_at or now
        try:
            cursor = await self._db.execute(
                "INSERT INTO sources (url, kind, name, created_at, next_poll_at, poll_interval) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (url, kind.value, name, now.timestamp(), due.timestamp(), poll_interval),
            )
        except sqlite3.IntegrityError:
            raise DuplicateSourceError(url) from None
        source = await self.get(int(cursor.lastrowid or 0))
        assert source is not None  # noqa: S101 -- just inserted in this connection
        return source

    async def get(self, source_id: int) -> Source | None:
        """Return a source by id."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM sources WHERE id = ?",  # noqa: S608 -- constant columns
            (source_id,),
        )
        return None if row is None else _source(row)

    async def all(self) -> list[Source]:
        """Return every source, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM sources ORDER BY id"  # noqa: S608 -- constant columns
        )
        return [_source(row) for row in rows]

    async def due(self, now: datetime) -> list[Source]:
        """Return the active sources whose next poll time has come."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM sources "  # noqa: S608 -- constant columns
            "WHERE active = 1 AND (next_poll_at IS NULL OR next_poll_at <= ?) ORDER BY id",
            (now.timestamp(),),
        )
        return [_source(row) for row in rows]

    async def record_success(
        self,
        source_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
        backfilled: bool = False,
        ttl_minutes: int | None = None,
        keep_ttl: bool = False,
    ) -> bool:
        """Note a poll that answered (with a body or 304): validators and health reset.

        A body sets the feed's `<ttl>` (None: it has none); a 304 passes `keep_ttl`.

        Return True when the source had been marked failing: only the first success after
        the failures says so, so admins are told once that it is back.
        """
        async with self._db.transaction():
            back = await self._db.execute(
                "UPDATE sources SET failing = 0 WHERE id = ? AND failing = 1", (source_id,)
            )
            await self._db.execute(
                """
                UPDATE sources SET last_polled_at = ?, last_success_at = ?, next_poll_at = ?,
                    etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
                    consecutive_failures = 0, backfilled = MAX(backfilled, ?),
                    ttl_minutes = CASE WHEN ? THEN ttl_minutes ELSE ? END
                WHERE id = ?
                """,
                (
                    now.timestamp(),
                    now.timestamp(),
                    next_poll_at.timestamp(),
                    etag,
                    last_modified,
                    int(backfilled),
                    int(keep_ttl),
                    ttl_minutes,
                    source_id,
                ),
            )
        return back.rowcount > 0

    async def record_failure(
        self,
        source_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        kind: str,
        detail: str,
        failing_after: int = 3,
    ) -> None:
        """Note a failed poll with its named error kind (failing after so many in a row)."""
        await self._db.execute(
            """
            UPDATE sources SET last_polled_at = ?, last_error_at = ?, last_error_kind = ?,
                last_error_detail = ?, next_poll_at = ?,
                consecutive_failures = consecutive_failures + 1,
                failing = MAX(failing, consecutive_failures + 1 >= ?)
            WHERE id = ?
            """,
            (
                now.timestamp(),
                now.timestamp(),
                kind,
                detail[:500],
                next_poll_at.timestamp(),
                failing_after,
                source_id,
            ),
        )

    async def record_problem(
        self, source_id: int, *, now: datetime, kind: str, detail: str
    ) -> None:
        """Note damage in a poll that still succeeded (items recovered from broken XML)."""
        await self._db.execute(
            "UPDATE sources SET last_error_at = ?, last_error_kind = ?, last_error_detail = ? "
            "WHERE id = ?",
            (now.timestamp(), kind, detail[:500], source_id),
        )

    async def deactivate_failing(self, source_id: int, *, max_failures: int, now: datetime) -> bool:
        """Turn off an active source that failed max_failures times in a row.

        Return True only for the call that turned it off, so admins are told once.
        """
        cursor = await self._db.execute(
            "UPDATE sources SET active = 0, deactivated_at = ?, failing = 1 "
            "WHERE id = ? AND active = 1 AND consecutive_failures >= ?",
            (now.timestamp(), source_id, max_failures),
        )
        return cursor.rowcount > 0

    async def set_active(
        self, source_id: int, *, active: bool, now: datetime | None = None
    ) -> bool:
        """Pause or resume a source; return False when there is no such source.

        Resuming clears its failure count and, given now, makes it due at once.
        """
        if not active:
            cursor = await self._db.execute(
                "UPDATE sources SET active = 0 WHERE id = ?", (source_id,)
            )
            return cursor.rowcount > 0
        cursor = await self._db.execute(
            "UPDATE sources SET active = 1, deactivated_at = NULL, consecutive_failures = 0, "
            "next_poll_at = COALESCE(?, next_poll_at) WHERE id = ?",
            (None if now is None else now.timestamp(), source_id),
        )
        return cursor.rowcount > 0

    async def remove(self, source_id: int) -> bool:
        """Delete a source (its events stay, marked with no source)."""
        cursor = await self._db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return cursor.rowcount > 0
