"""Sources and their health."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.models import DuplicateSourceError, Source, SourceKind
from bot.runtime.clock import from_timestamp
from storage._base import INTEGRITY_ERRORS, Repository, Row

_COLUMNS = """id, url, kind, name, active, etag, last_modified, last_polled_at, last_success_at,
    last_error_kind, last_error_detail, consecutive_failures, next_poll_at, poll_interval,
    backfilled, deactivated_at, ttl_minutes, item_gap, last_item_at,
    channel_title, channel_id"""


def _source(row: Row) -> Source:
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
        item_gap=row["item_gap"],
        last_item_at=from_timestamp(row["last_item_at"]),
        channel_title=row["channel_title"],
        channel_id=row["channel_id"],
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
        async with self._db.transaction():
            # Looked up first, not left to the unique key: a failed insert would take an id
            # from PostgreSQL's sequence (the next source's number would skip one) and
            # abort an enclosing transaction there.
            if await self._db.fetchone("SELECT 1 FROM sources WHERE url = ?", (url,)):
                raise DuplicateSourceError(url)
            try:
                inserted = await self._db.fetchone(
                    "INSERT INTO sources (url, kind, name, created_at, next_poll_at,"
                    " poll_interval) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (url, kind.value, name, now.timestamp(), due.timestamp(), poll_interval),
                )
            except INTEGRITY_ERRORS:
                raise DuplicateSourceError(url) from None
        assert inserted is not None  # noqa: S101 -- RETURNING gives one row
        source = await self.get(int(inserted[0]))
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

    async def page(self, *, offset: int, limit: int) -> list[Source]:
        """Return a page of sources, those in trouble (failing or off) first, then by id."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM sources "  # noqa: S608 -- constant columns
            "ORDER BY (active = 0 OR consecutive_failures > 0) DESC, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_source(row) for row in rows]

    async def health(self) -> tuple[int, int, int]:
        """Return (sources, active ones, active ones answering: their last poll succeeded)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN active = 1 THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN active = 1 AND consecutive_failures = 0"
            " AND last_success_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM sources"
        )
        return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)

    async def due(self, now: datetime) -> list[Source]:
        """Return the active sources whose next poll time has come."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM sources "  # noqa: S608 -- constant columns
            "WHERE active = 1 AND (next_poll_at IS NULL OR next_poll_at <= ?) ORDER BY id",
            (now.timestamp(),),
        )
        return [_source(row) for row in rows]

    async def claim_due(
        self,
        holder: str,
        *,
        now: datetime,
        exclude: Iterable[int] = (),
        limit: int | None = None,
        unpolled_since: datetime | None = None,
    ) -> list[Source]:
        """Lease due sources no live instance is polling to `holder`; return them by id.

        A source is free when nobody holds it, `holder` itself does (a poll whose end it
        could not record), or its holder's heartbeat ran out (it was killed). `exclude`:
        the sources `holder` is polling right now. `limit`: at most that many, the longest
        due first, so that instances with room for a few polls each share a burst of due
        sources rather than the first taking them all. `unpolled_since`: instead of the due
        ones, every free active source that nobody polled since then (`outpost poll
        --once` polls each source once, and never one another poll just read).

        One `UPDATE … RETURNING` whose own WHERE re-checks the lease on the row it writes,
        in a transaction (on PostgreSQL under the writer lock), so of two instances
        claiming at once only one gets a source, and the second sees what the first took.
        """
        ts = now.timestamp()
        skip = sorted(set(exclude))
        # PostgreSQL refuses an empty `NOT IN ()`: the condition only when there is a list.
        others = f" AND id NOT IN ({','.join('?' for _ in skip)})" if skip else ""
        if unpolled_since is None:
            due, due_args = " AND (next_poll_at IS NULL OR next_poll_at <= ?)", (ts,)
        else:
            due = " AND (last_polled_at IS NULL OR last_polled_at < ?)"
            due_args = (unpolled_since.timestamp(),)
        free = (
            "active = 1"  # noqa: S608 -- constant text, placeholders
            f"{due}"
            " AND (poll_holder IS NULL OR poll_holder = ? OR NOT EXISTS ("
            "  SELECT 1 FROM instances"
            "  WHERE instances.id = sources.poll_holder AND instances.expires_at > ?))"
        )
        free_args = (*due_args, holder, ts)
        if limit is None:
            where, args = f"{free}{others}", (*free_args, *skip)
        else:
            # NULLs sort first on SQLite and last on PostgreSQL: COALESCE puts them first.
            where = (
                "id IN (SELECT id FROM sources"  # noqa: S608 -- constant text, placeholders
                f" WHERE {free}{others}"
                " ORDER BY COALESCE(next_poll_at, 0), id LIMIT ?)"
                f" AND {free}"
            )
            args = (*free_args, *skip, max(limit, 0), *free_args)
        async with self._db.transaction():
            rows = await self._db.fetchall(
                f"UPDATE sources SET poll_holder = ? WHERE {where}"  # noqa: S608 -- as above
                f" RETURNING {_COLUMNS}",
                (holder, *args),
            )
        return sorted((_source(row) for row in rows), key=lambda source: source.id)

    async def next_due(
        self,
        *,
        exclude: Iterable[int] = (),
        holder: str | None = None,
        now: datetime | None = None,
    ) -> datetime | None:
        """Return when the next active source (other than `exclude`) is due, if any.

        With `holder` and `now`: a source another live instance is polling counts as due
        when that instance's heartbeat runs out (it is looked at again then, and is free if
        the instance died); its next poll time is the other's to set.
        """
        skip = sorted(set(exclude))
        marks = ",".join("?" for _ in skip)
        if holder is None or now is None:
            # PostgreSQL has no empty list: `NOT IN ()` is SQLite's alone.
            others = f" AND id NOT IN ({marks})" if skip else ""
            row = await self._db.fetchone(
                "SELECT MIN(COALESCE(next_poll_at, 0)) FROM sources "  # noqa: S608 -- placeholders
                f"WHERE active = 1{others}",
                skip,
            )
        else:
            others = f" AND s.id NOT IN ({marks})" if skip else ""  # not `NOT IN ()`
            row = await self._db.fetchone(
                "SELECT MIN(CASE WHEN i.expires_at > COALESCE(s.next_poll_at, 0)"  # noqa: S608 -- placeholders
                " THEN i.expires_at ELSE COALESCE(s.next_poll_at, 0) END)"
                " FROM sources s LEFT JOIN instances i"
                " ON i.id = s.poll_holder AND s.poll_holder <> ? AND i.expires_at > ?"
                f" WHERE s.active = 1{others}",
                (holder, now.timestamp(), *skip),
            )
        return None if row is None or row[0] is None else from_timestamp(float(row[0]))

    async def due_now(self, now: datetime) -> int:
        """Make every active source that is not backing off due now; return how many.

        At start-up, so that each is polled at once rather than at the slot its last run
        left it; one that failed keeps its backoff.
        """
        cursor = await self._db.execute(
            "UPDATE sources SET next_poll_at = ? "
            "WHERE active = 1 AND consecutive_failures = 0 AND next_poll_at > ?",
            (now.timestamp(), now.timestamp()),
        )
        return cursor.rowcount

    async def postpone(self, source_id: int, *, until: datetime) -> None:
        """Move a source's next poll to a later time (after a poll that crashed)."""
        await self._db.execute(
            "UPDATE sources SET next_poll_at = ?, poll_holder = NULL WHERE id = ?",
            (until.timestamp(), source_id),
        )

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
        item_gap: float | None = None,
        new_items: bool = False,
    ) -> bool:
        """Note a poll that answered (with a body or 304): validators and health reset.

        A body sets the feed's `<ttl>` (None: it has none); a 304 passes `keep_ttl`.
        `item_gap` is the source's rhythm as now learned (None keeps the one stored), and
        `new_items` says that this poll found new items.

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
                    poll_holder = NULL, etag = COALESCE(?, etag),
                    last_modified = COALESCE(?, last_modified),
                    consecutive_failures = 0,
                    backfilled = CASE WHEN ? = 1 THEN 1 ELSE backfilled END,
                    ttl_minutes = CASE WHEN ? = 1 THEN ttl_minutes ELSE ? END,
                    item_gap = COALESCE(?, item_gap),
                    last_item_at = CASE WHEN ? = 1 THEN ? ELSE last_item_at END
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
                    item_gap,
                    int(new_items),
                    now.timestamp(),
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
                last_error_detail = ?, next_poll_at = ?, poll_holder = NULL,
                consecutive_failures = consecutive_failures + 1,
                failing = CASE WHEN consecutive_failures + 1 >= ? THEN 1 ELSE failing END
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

    async def record_identity(
        self, source_id: int, *, title: str | None, channel_id: int | None
    ) -> None:
        """Remember a channel's title and id as its page shows them now (None: keep)."""
        await self._db.execute(
            "UPDATE sources SET channel_title = COALESCE(?, channel_title), "
            "channel_id = COALESCE(?, channel_id) WHERE id = ?",
            (title, channel_id, source_id),
        )

    async def pause_for_identity(self, source_id: int, *, now: datetime, detail: str) -> bool:
        """Pause a channel whose page shows another channel; True for the call that paused it.

        Its remembered identity is forgotten, so resuming it accepts the channel it shows then.
        """
        cursor = await self._db.execute(
            "UPDATE sources SET active = 0, channel_id = NULL, channel_title = NULL, "
            "last_error_at = ?, "
            "last_error_kind = 'identity_changed', last_error_detail = ? "
            "WHERE id = ? AND active = 1",
            (now.timestamp(), detail[:500], source_id),
        )
        return cursor.rowcount > 0

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
