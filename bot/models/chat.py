"""What a chat chose: what it receives (its filters) and how alerts reach it."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import Enum, StrEnum
from typing import Final

from bot.models.severity import Severity


@dataclass(frozen=True, slots=True)
class ChatFilters:
    """What one chat receives: its topics, filters and own words (from storage)."""

    chat_id: int
    active: bool = True
    topics: frozenset[str] = frozenset()
    min_severity: Severity = Severity.LOW
    regions: tuple[str, ...] = ()  # oblast ids
    near: tuple[tuple[str, float], ...] = ()  # (place id, km)
    borders: tuple[tuple[str, float], ...] = ()  # (neighbour code, km)
    watch: tuple[str, ...] = ()  # own keywords
    exclude: tuple[str, ...] = ()  # words that veto an alert

    @property
    def located(self) -> bool:
        """Tell whether the chat narrowed its alerts to some places."""
        return bool(self.regions or self.near or self.borders)


class Delivery(StrEnum):
    """When a chat gets its alerts."""

    INSTANT = "instant"
    HOURLY = "hourly"  # a digest at the top of every hour
    DAILY = "daily"  # a digest once a day at the chat's hour


class QuietMode(StrEnum):
    """What happens to an alert during quiet hours."""

    HOLD = "hold"  # kept until the quiet hours end
    SILENT = "silent"  # sent at once without a notification sound


@dataclass(frozen=True, slots=True)
class DeliveryChoices:
    """What a subscriber chose about how alerts reach them."""

    delivery: Delivery = Delivery.INSTANT
    digest_hour: int = 8  # local hour of the daily digest
    timezone: str = "UTC"  # an IANA name
    quiet_start: int | None = None  # local hour quiet hours begin; None: no quiet hours
    quiet_end: int | None = None  # local hour they end
    quiet_mode: QuietMode = QuietMode.HOLD
    quiet_urgent: bool = False  # high-severity alerts break through quiet hours
    link_previews: bool = False
    thread_id: int | None = None  # forum topic (message_thread_id) to post in


class Keep(Enum):
    """The value of a `DeliveryChange` field that leaves that choice as it is."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(frozen=True, slots=True)
class DeliveryChange:
    """Some of a chat's delivery choices to change, the others kept (`KEEP`).

    One field per field of `DeliveryChoices`, of the same type or `KEEP`: None is a choice
    here (no quiet hours, the main chat rather than a forum topic), so "unchanged" needs a
    value of its own. Commands parse their words into one; storage applies it.
    """

    delivery: Delivery | Keep = KEEP
    digest_hour: int | Keep = KEEP
    timezone: str | Keep = KEEP
    quiet_start: int | Keep | None = KEEP
    quiet_end: int | Keep | None = KEEP
    quiet_mode: QuietMode | Keep = KEEP
    quiet_urgent: bool | Keep = KEEP
    link_previews: bool | Keep = KEEP
    thread_id: int | Keep | None = KEEP

    def apply(self, choices: DeliveryChoices) -> DeliveryChoices:
        """Return the choices with this change made."""
        changed = {
            name: value for name in _CHANGE_FIELDS if (value := getattr(self, name)) is not KEEP
        }
        return replace(choices, **changed)


_CHANGE_FIELDS = tuple(field.name for field in fields(DeliveryChange))


class Prompt(StrEnum):
    """What the /settings menu asked a user to type."""

    KEYWORDS = "kw"  # own keywords to watch
    PLACE = "place"  # a place to draw a circle around
    ZONE = "tz"  # a time zone by name


@dataclass(frozen=True, slots=True)
class Awaiting:
    """An answer the /settings menu waits for in a chat: what, from whom, since when."""

    prompt: Prompt
    user_id: int
    since: datetime
