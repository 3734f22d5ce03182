"""The outbox: the durable queue of messages to send, one row per (story, chat)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from bot.models import OutboxRow
from bot.runtime.clock import from_timestamp
from storage._base import Repository, Row
from storage.leases import LeaseLostError

# When a row becomes claimable: not before its time, nor while leased (the later of the two).
_DUE = "CASE WHEN COALESCE(lease_until, 0) > not_before THEN lease_until ELSE not_before END"


class OutboxRepository(Repository):
    """Pending, claimed, sent and failed messages."""

    async def enqueue(
        self, story_id: int, chat_ids: Iterable[int], *, priority: int, now: datetime
    ) -> int:
        """Queue a story for chats that have not had it; return how many rows were added."""
        rows = [
            (story_id, chat_id, priority, now.timestamp(), now.timestamp()) for chat_id in chat_ids
        ]
        if not rows:
            return 0
        async with self._db.transaction():
            return await self._db.executemany(
                "INSERT INTO outbox (story_id, chat_id, priority, not_before, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows,
            )

    async def claim(
        self,
        *,
        now: datetime,
        limit: int,
        lease: timedelta,
        exclude: Collection[int] = (),
        min_priority: int | None = None,
    ) -> list[OutboxRow]:
        """Take due rows under a lease: at most one per chat, skipping `exclude`d chats.

        Within a chat rows go strictly by priority, then age. Across chats: highest priority
        first; then the stories' fan-outs take turns (the first chat of each story, then
        the second of each, ...), so a new alert reaches the chats that already had the
        previous one at once instead of queueing behind that whole fan-out; then the
        oldest (rows queued within the same second count as equally old); then the chat
        with the longest queue, because a chat may send only once per its own interval, and
        starting its backlog late would make it finish last. A chat with a backlog never
        starves the others: it takes one slot per interval at most.

        A sent row whose story grew since (`edit_needed`) is claimed the same way, to have
        its message edited. `min_priority` takes only rows at least that urgent (the ones
        a paid broadcast may carry). A row whose lease ran out (its sender died) becomes claimable
        again: that is the only way a message can be sent twice.

        With several instances, only the holder of the sender lease claims (checked in the
        same transaction, `LeaseRepository.sending_allowed`); any other gets nothing. So
        two claims never race, and the query needs no row locks (PostgreSQL would refuse
        `FOR UPDATE` beside its window functions anyway).
        """
        if limit <= 0:
            return []
        ts = now.timestamp()
        skip = sorted(set(exclude))
        marks = ",".join("?" for _ in skip)
        ready = "not_before <= ? AND (lease_until IS NULL OR lease_until <= ?)"
        if skip:  # PostgreSQL has no empty list: `NOT IN ()` is SQLite's alone
            ready += f" AND chat_id NOT IN ({marks})"
        # Without a floor the priority is left out of the condition: the planner would
        # take it as a reason to walk every pending row by (status, priority).
        urgent = "" if min_priority is None else " AND priority >= ?"
        # Whole seconds of the queueing time (the same second counts as equally old).
        whole_seconds = "CAST(created_at AS INTEGER)"
        if self._db.dialect == "postgresql":
            whole_seconds = "TRUNC(created_at)"  # CAST rounds there
        # The front of each fan-out: PostgreSQL runs the portable form (a correlated
        # `IN (… LIMIT ?)` in the join) once per outbox row, 270 ms a claim at 3,000 rows,
        # so it gets a LATERAL join, an index range per fan-out; SQLite has no LATERAL.
        front = (
            "SELECT o.chat_id FROM fanouts f JOIN outbox o ON o.id IN ("  # noqa: S608 -- placeholders
            " SELECT id FROM outbox"
            f" WHERE story_id = f.story_id AND status = 'pending' AND {ready}{urgent}"
            " ORDER BY id LIMIT ?)"
        )
        # Worked out once, not again for each due row: a fan-out just queued has no
        # statistics yet, and PostgreSQL, taking the outbox for a row or two, would
        # nest the front inside the scan of due rows (320 ms a claim at 1,000 rows).
        materialized = ""
        if self._db.dialect == "postgresql":
            materialized = " MATERIALIZED"
            front = (
                "SELECT o.chat_id FROM fanouts f CROSS JOIN LATERAL ("  # noqa: S608 -- placeholders
                " SELECT chat_id FROM outbox"
                f" WHERE story_id = f.story_id AND status = 'pending' AND {ready}{urgent}"
                " ORDER BY id LIMIT ?) o"
            )
        # Only the front of each fan-out is looked at: the first `window` due rows of each
        # story with pending rows (an index range each), then every due row of the chats
        # found there, so that a chat's place and backlog are exact. The order below is
        # worked out among those, so a claim costs the same whether a fan-out has a
        # hundred rows left or ten thousand; a chat with a long backlog further back is
        # preferred once its turn in a fan-out comes near the front.
        sql = f"""
            WITH fanouts(story_id) AS{materialized} (
                SELECT DISTINCT story_id FROM outbox WHERE status = 'pending'
            ),
            front(chat_id) AS{materialized} ({front}),
            due AS (
                SELECT id, story_id, chat_id, attempts, priority, created_at, status, message_id,
                       folded
                FROM outbox
                WHERE chat_id IN (SELECT chat_id FROM front) AND status = 'pending'
                      AND {ready}{urgent}
                UNION ALL
                SELECT id, story_id, chat_id, attempts, priority, created_at, status, message_id,
                       folded
                FROM outbox WHERE edit_needed = 1 AND {ready}{urgent}
            ),
            heads AS (
                SELECT due.*,
                       ROW_NUMBER() OVER (
                           PARTITION BY chat_id ORDER BY priority DESC, id) AS place,
                       COUNT(*) OVER (PARTITION BY chat_id) AS backlog
                FROM due
            ),
            turns AS (
                SELECT heads.*,
                       ROW_NUMBER() OVER (
                           PARTITION BY story_id ORDER BY backlog DESC, id) AS turn
                FROM heads WHERE place = 1
            )
            SELECT id, story_id, chat_id, attempts, priority, created_at, status, message_id,
                   folded
            FROM turns
            ORDER BY priority DESC, turn, {whole_seconds}, backlog DESC, id
            LIMIT ?
            """  # noqa: S608 -- only placeholders are interpolated
        async with self._db.transaction():
            if not await self._db.leases.sending_allowed():
                return []  # another instance sends (or this one's lease is in doubt)
            bound = (ts, ts, *skip) + (() if min_priority is None else (min_priority,))
            # Room for the rows of the front that are not their chat's next (it has an
            # older or more urgent one in another fan-out).
            window = 2 * limit + 16
            rows = await self._db.fetchall(sql, (*bound, window, *bound, *bound, limit))
            claimed = [
                OutboxRow(
                    r["id"],
                    r["story_id"],
                    r["chat_id"],
                    r["attempts"] + 1,
                    priority=r["priority"],
                    created_at=from_timestamp(r["created_at"]),
                    edit_of=r["message_id"] if r["status"] == "sent" else None,
                    folded=bool(r["folded"]),
                )
                for r in rows
            ]
            await self._db.executemany(
                "UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                [(ts + lease.total_seconds(), row.id) for row in claimed],
            )
        return claimed

    async def claim_digest(
        self, chat_id: int, *, now: datetime, before: datetime, lease: timedelta
    ) -> list[OutboxRow]:
        """Take a chat's pending rows queued before a digest time (also ones already leased)."""
        ts = now.timestamp()
        async with self._db.transaction():
            await self._require_lease()
            rows = await self._db.fetchall(
                """
                SELECT id, story_id, chat_id, attempts, priority, created_at FROM outbox
                WHERE chat_id = ? AND status = 'pending' AND created_at < ?
                ORDER BY priority DESC, id
                """,
                (chat_id, before.timestamp()),
            )
            await self._db.executemany(
                "UPDATE outbox SET lease_until = ? WHERE id = ?",
                [(ts + lease.total_seconds(), r["id"]) for r in rows],
            )
        return [_pending_row(r) for r in rows]

    async def claim_folded(
        self, chat_id: int, *, now: datetime, lease: timedelta
    ) -> list[OutboxRow]:
        """Take every pending alert of a chat that went over its budget (also leased ones)."""
        ts = now.timestamp()
        async with self._db.transaction():
            await self._require_lease()
            rows = await self._db.fetchall(
                """
                SELECT id, story_id, chat_id, attempts, priority, created_at FROM outbox
                WHERE chat_id = ? AND status = 'pending' AND folded = 1
                ORDER BY priority DESC, id
                """,
                (chat_id,),
            )
            await self._db.executemany(
                "UPDATE outbox SET lease_until = ? WHERE id = ?",
                [(ts + lease.total_seconds(), r["id"]) for r in rows],
            )
        return [_pending_row(r, folded=True) for r in rows]

    async def _require_lease(self) -> None:
        """Raise LeaseLostError unless this process may claim rows (inside the transaction)."""
        if not await self._db.leases.sending_allowed():
            raise LeaseLostError("this instance no longer holds the sender lease")

    async def release_claims(self) -> int:
        """Free every claimed row at once; return how many (a new sender took over).

        Called by an instance that has just taken the sender lease: whoever claimed those
        rows stopped sending before its lease ran out, so they wait for no row lease. A
        message whose answer was still on its way is sent again: a duplicate, never a loss.
        """
        async with self._db.transaction():
            pending = await self._db.execute(
                "UPDATE outbox SET lease_until = NULL"
                " WHERE status = 'pending' AND lease_until IS NOT NULL"
            )
            edits = await self._db.execute(
                "UPDATE outbox SET lease_until = NULL"
                " WHERE edit_needed = 1 AND lease_until IS NOT NULL"
            )
        return pending.rowcount + edits.rowcount

    async def mark_sent(
        self, row_id: int, *, message_id: int, now: datetime, in_digest: bool = False
    ) -> None:
        """Record that Telegram accepted the message."""
        await self._db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, lease_until = NULL,"
            " last_error = NULL, edit_needed = 0, in_digest = ? WHERE id = ?",
            (now.timestamp(), message_id, int(in_digest), row_id),
        )

    async def sent_message(self, story_id: int, chat_id: int) -> int | None:
        """Return the message a story's own alert went out as in a chat (None: it did not).

        A story sent only inside a digest has no message of its own.
        """
        row = await self._db.fetchone(
            "SELECT message_id FROM outbox WHERE story_id = ? AND chat_id = ?"
            " AND status = 'sent' AND in_digest = 0 AND message_id IS NOT NULL",
            (story_id, chat_id),
        )
        return int(row[0]) if row else None

    async def mark_edited(self, row_id: int, *, now: datetime) -> None:
        """Record that a sent message now shows its story as it is (or that trying failed)."""
        await self._db.execute(
            "UPDATE outbox SET edit_needed = 0, lease_until = NULL, last_error = NULL,"
            " edited_at = ? WHERE id = ?",
            (now.timestamp(), row_id),
        )

    async def request_edits(
        self, story_id: int, *, now: datetime, interval: timedelta = timedelta(0)
    ) -> int:
        """Mark the sent single alerts of a story for editing; return how many were not yet.

        A message is edited at most once per `interval` (counted from when it was sent or
        last edited): the sources that join its story meanwhile are shown by that one edit.
        """
        ts, gap = now.timestamp(), interval.total_seconds()
        cursor = await self._db.execute(
            "UPDATE outbox SET edit_needed = 1, attempts = 0, not_before = CASE"
            " WHEN COALESCE(edited_at, sent_at, 0) + ? > ? THEN COALESCE(edited_at, sent_at) + ?"
            " ELSE ? END"
            " WHERE story_id = ? AND status = 'sent' AND in_digest = 0"
            " AND message_id IS NOT NULL AND edit_needed = 0",
            (gap, ts, gap, ts, story_id),
        )
        return cursor.rowcount

    async def defer(
        self, row_id: int, *, not_before: datetime, reason: str, folded: bool = False
    ) -> None:
        """Put a row back until a later time without counting it as an attempt.

        `folded`: it went over its budget, and goes in the chat's next digest of such rows.
        """
        await self._db.execute(
            "UPDATE outbox SET not_before = ?, lease_until = NULL, last_error = ?,"
            " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,"
            " folded = CASE WHEN ? = 1 THEN 1 ELSE folded END"
            " WHERE id = ?",
            (not_before.timestamp(), reason[:500], int(folded), row_id),
        )

    async def due_count(self, *, now: datetime) -> int:
        """Return how many rows could be claimed now if every chat were ready."""
        ts = now.timestamp()
        ready = "not_before <= ? AND (lease_until IS NULL OR lease_until <= ?)"
        row = await self._db.fetchone(
            f"SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND {ready})"  # noqa: S608 -- constant SQL
            f" + (SELECT COUNT(*) FROM outbox WHERE edit_needed = 1 AND {ready})",
            (ts, ts, ts, ts),
        )
        return int(row[0]) if row else 0

    async def retry_at(self, row_id: int, *, not_before: datetime, error: str) -> None:
        """Release a row to be tried again later."""
        await self._db.execute(
            "UPDATE outbox SET not_before = ?, lease_until = NULL, last_error = ? WHERE id = ?",
            (not_before.timestamp(), error[:500], row_id),
        )

    async def fail(self, row_id: int, *, error: str) -> None:
        """Give a row up for good, keeping the reason."""
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = ?,"
            " edit_needed = 0 WHERE id = ?",
            (error[:500], row_id),
        )

    async def cancel_chat(self, chat_id: int, *, reason: str) -> int:
        """Cancel every pending row of a chat; return how many."""
        cursor = await self._db.execute(
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL, last_error = ?"
            " WHERE chat_id = ? AND status = 'pending'",
            (reason[:500], chat_id),
        )
        await self._db.execute(
            "UPDATE outbox SET edit_needed = 0 WHERE chat_id = ? AND edit_needed = 1", (chat_id,)
        )
        return cursor.rowcount

    async def next_due(self) -> datetime | None:
        """Return when the earliest pending row becomes due, if any."""
        row = await self._db.fetchone(
            "SELECT MIN(due) FROM ("  # noqa: S608 -- constant SQL
            f" SELECT MIN({_DUE}) AS due FROM outbox"
            " WHERE status = 'pending'"
            " UNION ALL"
            f" SELECT MIN({_DUE}) FROM outbox"
            " WHERE edit_needed = 1) AS heads"
        )
        if row is None or row[0] is None:
            return None

        return from_timestamp(float(row[0]))

    async def backlog(self, *, now: datetime) -> tuple[int, datetime | None]:
        """Return how many pending rows are due now, and when the oldest of them was queued.

        Rows held for a digest or quiet hours are not due yet, so they are not backlog.
        """
        row = await self._db.fetchone(
            "SELECT COUNT(*), MIN(created_at) FROM outbox"
            " WHERE status = 'pending' AND not_before <= ?",
            (now.timestamp(),),
        )
        if row is None or not row[0]:
            return 0, None
        return int(row[0]), from_timestamp(float(row[1]))

    async def counts(self) -> dict[str, int]:
        """Return how many rows are in each status (every row: for tests and the CLI)."""
        rows = await self._db.fetchall("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {row["status"]: int(row["n"]) for row in rows}

    async def summary(self, *, since: datetime) -> dict[str, int]:
        """Return how many rows queued since a time are in each status, and all pending ones.

        Each figure is a range of the (status, created_at) index: what /stats shows costs
        the same however much history the outbox keeps.
        """
        row = await self._db.fetchone(
            "SELECT"
            " (SELECT COUNT(*) FROM outbox WHERE status = 'pending') AS pending,"
            " (SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND created_at >= ?) AS sent,"
            " (SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND created_at >= ?) AS failed,"
            " (SELECT COUNT(*) FROM outbox WHERE status = 'cancelled' AND created_at >= ?)"
            " AS cancelled",
            (since.timestamp(),) * 3,
        )
        if row is None:
            return {}
        return {name: int(row[name]) for name in ("pending", "sent", "failed", "cancelled")}


def _pending_row(r: Row, *, folded: bool = False) -> OutboxRow:
    """A pending row taken whole (for a digest or a chat's folded alerts), as read."""
    return OutboxRow(
        r["id"],
        r["story_id"],
        r["chat_id"],
        r["attempts"],
        priority=r["priority"],
        created_at=from_timestamp(r["created_at"]),
        folded=folded,
    )
