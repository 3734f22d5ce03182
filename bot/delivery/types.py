"""What the delivery roles pass between them: a claimed row, a drain's counters, the settings.

They live apart from the roles (claim, admission, compose, outcome) so that each role
imports them and none has to import another to name what it is handed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.delivery.pacer import Limits
from bot.models import OutboxRow


@dataclass(slots=True)
class DrainReport:
    """Counters of one drain."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    held: int = 0  # waiting for a digest or the end of quiet hours
    edited: int = 0
    migrated: int = 0
    folded: int = 0  # held over their source's hourly budget, for the chat's next digest


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """How the dispatcher paces and when it gives up."""

    limits: Limits = field(default_factory=Limits)
    max_age: timedelta = timedelta(hours=24)  # transient errors are retried this long
    paid_broadcast: bool = False  # allow_paid_broadcast for high-severity alerts
    lease: timedelta = timedelta(minutes=2)
    horizon: float = 0.5  # seconds of sends kept claimed and ready ahead of the pacer
    alerts_per_hour: int | None = None  # per chat and source (`AlertBudget`); None: any


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed row on its way: whether it rides the paid broadcast, and when it was claimed."""

    row: OutboxRow
    paid: bool
    order: int  # claim order: the older of two equally urgent sends goes first
