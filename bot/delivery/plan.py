"""When one queued alert reaches one chat: now, silently, after quiet hours, or in a digest.

`plan()` decides, for one queued alert and one chat, whether it goes now (silently or not),
waits for the end of quiet hours, or waits for the chat's next digest. Local times come
from the chat's IANA time zone through `zoneinfo` (the `tzdata` package supplies the zone
files where the system has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import HIGH_PRIORITY, Delivery, DeliveryChoices, QuietMode


def zone(name: str) -> ZoneInfo:
    """Return the time zone for an IANA name, or UTC for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_at(day: datetime, hour: int, tz: ZoneInfo) -> datetime:
    """Return the instant (UTC) of `hour`:00 local time on the local date of `day`."""
    return datetime.combine(day.date(), time(hour), tzinfo=tz).astimezone(UTC)


def last_digest(prefs: DeliveryChoices, now: datetime) -> datetime:
    """Return the latest digest time at or before now."""
    tz = zone(prefs.timezone)
    local = now.astimezone(tz)
    if prefs.delivery is Delivery.HOURLY:
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    today = _local_at(local, prefs.digest_hour, tz)
    if today <= now:
        return today
    return _local_at(local - timedelta(days=1), prefs.digest_hour, tz)


def next_digest(prefs: DeliveryChoices, now: datetime) -> datetime:
    """Return the first digest time after now."""
    tz = zone(prefs.timezone)
    if prefs.delivery is Delivery.HOURLY:
        return last_digest(prefs, now) + timedelta(hours=1)
    local = now.astimezone(tz)
    today = _local_at(local, prefs.digest_hour, tz)
    if today > now:
        return today
    return _local_at(local + timedelta(days=1), prefs.digest_hour, tz)


def quiet_until(prefs: DeliveryChoices, now: datetime) -> datetime | None:
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


def plan(prefs: DeliveryChoices, *, priority: int, created_at: datetime, now: datetime) -> Plan:
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
