"""What admins work with: drafts of manual updates, the audit log and /stats figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models.severity import Severity


@dataclass(frozen=True, slots=True)
class Draft:
    """An admin's post or announcement waiting for Confirm or Cancel."""

    id: int
    author_id: int
    kind: str
    text: str
    state: str
    step: str = "preview"
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    severity: Severity | None = None  # None: its topics' severity decides


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One admin action."""

    at: datetime
    user_id: int
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class Stats:
    """Audience, delivery and source health at a glance."""

    chats: int
    blocked_chats: int
    by_language: dict[str, int]
    by_topic: dict[str, int]
    outbox: dict[str, int]  # rows queued in the last 24 h by status, and every pending one
    failing_sources: list[tuple[str, str, int]]  # name, last error kind, consecutive failures
    failing_count: int = 0  # every failing source, named or not
    db_bytes: int = 0  # the database on disk
