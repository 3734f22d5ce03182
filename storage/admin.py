"""Admins added in chat, the audit log of admin actions, and drafts awaiting confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.models import AuditEntry, Draft, Severity
from storage._base import Repository, Row, dump_list, load_list

_DRAFT_COLUMNS = "id, author_id, kind, text, state, step, topics, places, severity"


def _draft(row: Row) -> Draft:
    return Draft(
        id=row["id"],
        author_id=row["author_id"],
        kind=row["kind"],
        text=row["text"],
        state=row["state"],
        step=row["step"],
        topics=load_list(row["topics"]),
        places=load_list(row["places"]),
        severity=Severity(row["severity"]) if row["severity"] else None,
    )


class AdminRepository(Repository):
    """Admins, audit log, drafts."""

    async def is_admin(self, user_id: int) -> bool:
        """Tell whether an owner added this user as an admin."""
        row = await self._db.fetchone("SELECT 1 FROM admins WHERE user_id = ?", (user_id,))
        return row is not None

    async def add(self, user_id: int, *, added_by: int, now: datetime) -> bool:
        """Make a user an admin; return False when they already were."""
        cursor = await self._db.execute(
            "INSERT INTO admins (user_id, added_by, added_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (user_id, added_by, now.timestamp()),
        )
        return cursor.rowcount > 0

    async def remove(self, user_id: int) -> bool:
        """Take a user's admin rights; return False when they had none."""
        cursor = await self._db.execute("DELETE FROM admins WHERE user_id = ?", (user_id,))
        return cursor.rowcount > 0

    async def all(self) -> list[int]:
        """Return the admins added in chat."""
        rows = await self._db.fetchall("SELECT user_id FROM admins ORDER BY added_at")
        return [int(row["user_id"]) for row in rows]

    async def audit(self, user_id: int, action: str, detail: str, *, now: datetime) -> None:
        """Write one admin action to the audit log."""
        await self._db.execute(
            "INSERT INTO audit_log (at, user_id, action, detail) VALUES (?, ?, ?, ?)",
            (now.timestamp(), user_id, action, detail[:1000]),
        )

    async def recent_audit(self, *, limit: int = 20) -> list[AuditEntry]:
        """Return the newest audit entries first."""
        rows = await self._db.fetchall(
            "SELECT at, user_id, action, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [
            AuditEntry(
                at=datetime.fromtimestamp(row["at"], UTC),
                user_id=int(row["user_id"]),
                action=row["action"],
                detail=row["detail"],
            )
            for row in rows
        ]

    async def create_draft(
        self,
        author_id: int,
        kind: str,
        text: str,
        *,
        now: datetime,
        step: str = "preview",
        topics: Sequence[str] = (),
        places: Sequence[str] = (),
    ) -> Draft:
        """Store a draft, closing the author's other open drafts; return it."""
        async with self._db.transaction():
            await self._db.execute(
                "UPDATE drafts SET state = 'cancelled' WHERE author_id = ? AND state = 'open'",
                (author_id,),
            )
            inserted = await self._db.fetchone(
                "INSERT INTO drafts (author_id, kind, text, step, topics, places, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    author_id,
                    kind,
                    text,
                    step,
                    dump_list(topics),
                    dump_list(places),
                    now.timestamp(),
                ),
            )
            assert inserted is not None  # noqa: S101 -- RETURNING gives one row
            created = await self.draft(int(inserted[0]))
        assert created is not None  # noqa: S101 -- inserted in this transaction
        return created

    async def draft(self, draft_id: int) -> Draft | None:
        """Return a draft by id."""
        row = await self._db.fetchone(
            f"SELECT {_DRAFT_COLUMNS} FROM drafts WHERE id = ?",  # noqa: S608 -- constant
            (draft_id,),
        )
        return None if row is None else _draft(row)

    async def open_draft(self, author_id: int) -> Draft | None:
        """Return the draft an admin is in the middle of, if any."""
        row = await self._db.fetchone(
            f"SELECT {_DRAFT_COLUMNS} FROM drafts "  # noqa: S608 -- constant columns
            "WHERE author_id = ? AND state = 'open' ORDER BY id DESC LIMIT 1",
            (author_id,),
        )
        return None if row is None else _draft(row)

    async def update_draft(
        self,
        draft_id: int,
        *,
        step: str,
        text: str | None = None,
        topics: Sequence[str] | None = None,
        places: Sequence[str] | None = None,
        severity: Severity | None = None,
    ) -> Draft | None:
        """Move an open draft to a step, changing the fields given; return it."""
        async with self._db.transaction():
            await self._db.execute(
                """
                UPDATE drafts SET step = ?, text = COALESCE(?, text),
                    topics = COALESCE(?, topics), places = COALESCE(?, places),
                    severity = COALESCE(?, severity)
                WHERE id = ? AND state = 'open'
                """,
                (
                    step,
                    text,
                    None if topics is None else dump_list(topics),
                    None if places is None else dump_list(places),
                    severity,
                    draft_id,
                ),
            )
            return await self.draft(draft_id)

    async def close_draft(self, draft_id: int, *, state: str, author_id: int) -> bool:
        """Mark an open draft sent or cancelled by its author; False when it was not open
        any more, or is someone else's (a draft is its author's alone to decide)."""
        cursor = await self._db.execute(
            "UPDATE drafts SET state = ? WHERE id = ? AND state = 'open' AND author_id = ?",
            (state, draft_id, author_id),
        )
        return cursor.rowcount > 0
