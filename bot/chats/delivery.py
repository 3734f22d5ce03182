"""How alerts reach a chat, as chosen with /digest, /timezone, /quiet and /previews.

Pure parsing of the commands' words into typed changes of the chat's `DeliveryChoices`,
and the one-paragraph description /filters and the menu show. When an alert actually goes
is decided by `bot.delivery.plan`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.chats import ChoiceError
from bot.models import Delivery, DeliveryChoices, QuietMode
from bot.ui.i18n import N_


def _hour(text: str) -> int:
    try:
        value = int(text.split(":", 1)[0])
    except ValueError:
        raise ChoiceError(N_("“{text}” is not an hour (0-23)"), text=text) from None
    if not 0 <= value <= 23:
        raise ChoiceError(N_("“{text}” is not an hour (0-23)"), text=text)
    return value


def parse_digest(args: list[str]) -> dict[str, Any]:
    """Parse `/digest off|hourly|daily [HH]` into changes."""
    if not args or args[0].lower() not in {"off", "instant", "hourly", "daily"}:
        raise ChoiceError(N_("Use /digest off, /digest hourly or /digest daily HH"))
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
        raise ChoiceError(N_("Use /timezone followed by a zone such as Europe/Minsk"))
    name = args[0]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ChoiceError(
            N_("Unknown time zone “{name}”; for example Europe/Minsk"), name=name
        ) from None
    return {"timezone": name}


def parse_quiet(args: list[str]) -> dict[str, Any]:
    """Parse `/quiet off` or `/quiet 23-07 [silent|hold] [urgent]` into changes."""
    usage = N_("Use /quiet 23-07 [silent|hold] [urgent], or /quiet off")
    if not args:
        raise ChoiceError(usage)
    if args[0].lower() == "off":
        return {"quiet_start": None, "quiet_end": None}
    start_text, sep, end_text = args[0].partition("-")
    if not sep:
        raise ChoiceError(usage)
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
            raise ChoiceError(usage)
    return changes


def parse_previews(args: list[str]) -> dict[str, Any]:
    """Parse `/previews on|off` into changes."""
    if len(args) != 1 or args[0].lower() not in {"on", "off"}:
        raise ChoiceError(N_("Use /previews on or /previews off"))
    return {"link_previews": args[0].lower() == "on"}


def describe(prefs: DeliveryChoices, _: Callable[[str], str] = N_) -> str:
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
