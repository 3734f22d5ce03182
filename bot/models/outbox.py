"""The outbox's rows, and the priority an alert is queued at.

An alert's priority follows from its severity here and nowhere else: the queue sends the
more urgent first, quiet hours let high-priority alerts through when a chat asked for it,
and only they may use the paid broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models.severity import Severity


def alert_priority(severity: Severity) -> int:
    """Return the outbox priority of an alert of this severity (higher goes first)."""
    return severity.rank


HIGH_PRIORITY = alert_priority(Severity.HIGH)  # the priority of a high-severity alert


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A claimed outbox row: one message to one chat about one story."""

    id: int
    story_id: int
    chat_id: int
    attempts: int
    priority: int = 0
    created_at: datetime | None = None
    edit_of: int | None = None  # a sent message to edit (the story grew), not a new send
    folded: bool = False  # held over its source's hourly budget: goes in the chat's next digest
