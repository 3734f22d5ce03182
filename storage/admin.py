"""Admins added in chat, the audit log of admin actions, and drafts awaiting confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage._base import Repository


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One admin action."""

    at: datetime
    user_id: int
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class Draft:
    """An admin's post or announcement waiting for Confirm or Cancel."""

    id: int
    author_id: int
    kind: str
    text: str
    state: str


class AdminRepository(Repository):
    """Admins, audit log, drafts."""

    async def is_admin(self, user_id: int) -> bool:
        """Tell whether an owner added this user as an admin."""
        row = await self._db.fetchone("SELECT 1 FROM admins WHERE user_id = ?", (user_id,))
        return row is not None

    async def add(self, user_id: int, *, added_by: int, now: datetime) -> bool:
        """Make a user an admin; return False when they already were."""
        cursor = await self._db.execute(
            "INSERT OR IGNORE INTO admins (user_id, added_by, added_at) VALUES (?, ?, ?)",
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

    async def create_draft(self, author_id: int, kind: str, text: str, *, now: datetime) -> int:
        """Store a draft; return its id."""
        cursor = await self._db.execute(
            "INSERT INTO drafts (author_id, kind, text, created_at) VALUES (?, ?, ?, ?)",
            (author_id, kind, text, now.timestamp()),
        )
        return int(cursor.lastrowid or 0)

    async def draft(self, draft_id: int) -> Draft | None:
        """Return a draft by id."""
        row = await self._db.fetchone(
            "SELECT id, author_id, kind, text, state FROM drafts WHERE id = ?", (draft_id,)
        )
        if row is None:
            return None
        return Draft(row["id"], row["author_id"], row["kind"], row["text"], row["state"])

    async def close_draft(self, draft_id: int, *, state: str) -> bool:
        """Mark an open draft sent or cancelled; False when it was not open any more."""
        cursor = await self._db.execute(
            "UPDATE drafts SET state = ? WHERE id = ? AND state = 'open'", (state, draft_id)
        )
        return cursor.rowcount > 0
