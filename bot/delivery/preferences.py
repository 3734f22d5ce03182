"""What each subscriber chose, as pure logic: parsing the commands and planning a delivery.

`plan()` decides, for one queued alert and one chat, whether it goes now (silently or not),
waits for the end of quiet hours, or waits for the chat's next digest. Local times come
from the chat's IANA time zone through `zoneinfo` (the `tzdata` package supplies the zone
files where the system has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import N_, TranslatableError
from bot.models import ChatPrefs, Delivery, QuietMode

HIGH_PRIORITY = 2  # the outbox priority of a high-severity alert


class PrefsError(TranslatableError):
    """A command's arguments do not say a valid choice; the message says what would."""


def zone(name: str) -> ZoneInfo:
    """Return the time zone for an IANA name, or UTC for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_at(day: datetime, hour: int, tz: ZoneInfo) -> datetime:
    """Return the instant (UTC) of `hour`:00 local time on the local date of `day`."""
    return datetime.combine(day.date(), time(hour), tzinfo=tz).astimezone(UTC)


def last_digest(prefs: ChatPrefs, now: datetime) -> datetime:
    """Return the latest digest time at or before now."""
    tz = zone(prefs.timezone)
    local = now.astimezone(tz)
    if prefs.delivery is Delivery.HOURLY:
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    today = _local_at(local, prefs.digest_hour, tz)
    if today <= now:
        return today
    return _local_at(local - timedelta(days=1), prefs.digest_hour, tz)


def next_digest(prefs: ChatPrefs, now: datetime) -> datetime:
    """Return the first digest time after now."""
    tz = zone(prefs.timezone)
    if prefs.delivery is Delivery.HOURLY:
        return last_digest(prefs, now) + timedelta(hours=1)
    local = now.astimezone(tz)
    today = _local_at(local, prefs.digest_hour, tz)
    if today > now:
        return today
    return _local_at(local + timedelta(days=1), prefs.digest_hour, tz)


def quiet_until(prefs: ChatPrefs, now: datetime) -> datetime | None:
    """Return when the chat's quiet hours end if now is inside them, else None."""
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return None
    tz = zone(prefs.timezone)
    local = now.astimezone(tz)
    hour = local.hour
    inside = start <= hour < end if start < end else (hour >= start or hour < end)
    if not inside:
        return None
    until = _local_at(local, end, tz)
    if until <= now:
        until = _local_at(local + timedelta(days=1), end, tz)
    return until


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do with one queued alert now."""

    hold_until: datetime | None = None  # not yet: try again at this time
    digest_before: datetime | None = None  # send in a digest with the rows queued before this
    silent: bool = False  # send without a notification sound


def plan(prefs: ChatPrefs, *, priority: int, created_at: datetime, now: datetime) -> Plan:
    """Decide how an alert queued at `created_at` reaches a chat at `now`."""
    digest_before: datetime | None = None
    if prefs.delivery is not Delivery.INSTANT:
        last = last_digest(prefs, now)
        if created_at >= last:
            return Plan(hold_until=next_digest(prefs, now))
        digest_before = last
    quiet = quiet_until(prefs, now)
    if quiet is None:
        return Plan(digest_before=digest_before)
    if prefs.quiet_urgent and priority >= HIGH_PRIORITY and digest_before is None:
        return Plan()
    if prefs.quiet_mode is QuietMode.SILENT:
        return Plan(digest_before=digest_before, silent=True)
    return Plan(hold_until=quiet)


def _hour(text: str) -> int:
    try:
        value = int(text.split(":", 1)[0])
    except ValueError:
        raise PrefsError(N_("“{text}” is not an hour (0-23)"), text=text) from None
    if not 0 <= value <= 23:
        raise PrefsError(N_("“{text}” is not an hour (0-23)"), text=text)
    return value


def parse_digest(args: list[str]) -> dict[str, Any]:
    """Parse `/digest off|hourly|daily [HH]` into changes."""
    if not args or args[0].lower() not in {"off", "instant", "hourly", "daily"}:
        raise PrefsError(N_("Use /digest off, /digest hourly or /digest daily HH"))
    mode = args[0].lower()
    if mode in {"off", "instant"}:
        return {"delivery": Delivery.INSTANT}
    if mode == "hourly":
        return {"delivery": Delivery.HOURLY}
    changes: dict[str, Any] = {"delivery": Delivery.DAILY}
    if len(args) > 1:
        changes["digest_hour"] = _hour(args[1])
    return changes


def parse_timezone(args: list[str]) -> dict[str, Any]:
    """Parse `/timezone Area/City` into changes."""
    if len(args) != 1:
        raise PrefsError(N_("Use /timezone followed by a zone such as Europe/Minsk"))
    name = args[0]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PrefsError(
            N_("Unknown time zone “{name}”; for example Europe/Minsk"), name=name
        ) from None
    return {"timezone": name}


def parse_quiet(args: list[str]) -> dict[str, Any]:
    """Parse `/quiet off` or `/quiet 23-07 [silent|hold] [urgent]` into changes."""
    usage = N_("Use /quiet 23-07 [silent|hold] [urgent], or /quiet off")
    if not args:
        raise PrefsError(usage)
    if args[0].lower() == "off":
        return {"quiet_start": None, "quiet_end": None}
    start_text, sep, end_text = args[0].partition("-")
    if not sep:
        raise PrefsError(usage)
    changes: dict[str, Any] = {
        "quiet_start": _hour(start_text),
        "quiet_end": _hour(end_text),
        "quiet_mode": QuietMode.HOLD,
        "quiet_urgent": False,
    }
    for word in (arg.lower() for arg in args[1:]):
        if word in {"silent", "hold"}:
            changes["quiet_mode"] = QuietMode(word)
        elif word == "urgent":
            changes["quiet_urgent"] = True
        else:
            raise PrefsError(usage)
    return changes


def parse_previews(args: list[str]) -> dict[str, Any]:
    """Parse `/previews on|off` into changes."""
    if len(args) != 1 or args[0].lower() not in {"on", "off"}:
        raise PrefsError(N_("Use /previews on or /previews off"))
    return {"link_previews": args[0].lower() == "on"}


def describe(prefs: ChatPrefs, _: Callable[[str], str] = N_) -> str:
    """Say a chat's delivery choices in one short paragraph, translated by `_`."""
    match prefs.delivery:
        case Delivery.INSTANT:
            when = _("Alerts arrive at once ({zone}).")
        case Delivery.HOURLY:
            when = _("Alerts arrive in an hourly digest ({zone}).")
        case Delivery.DAILY:
            when = _("Alerts arrive in a daily digest at {hour}:00 ({zone}).")
    lines = [when.format(zone=prefs.timezone, hour=f"{prefs.digest_hour:02d}")]
    if prefs.quiet_start is not None and prefs.quiet_end is not None:
        if prefs.quiet_mode is QuietMode.SILENT:
            quiet = _("Quiet hours {start}:00-{end}:00: alerts are sent silently.")
        else:
            quiet = _("Quiet hours {start}:00-{end}:00: alerts are held until they end.")
        lines.append(quiet.format(start=f"{prefs.quiet_start:02d}", end=f"{prefs.quiet_end:02d}"))
        if prefs.quiet_urgent:
            lines.append(_("High severity breaks through quiet hours."))
    lines.append(_("Link previews on.") if prefs.link_previews else _("Link previews off."))
    return "\n".join(lines)
