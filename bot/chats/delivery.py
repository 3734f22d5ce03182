"""How alerts reach a chat, as chosen with /digest, /timezone, /quiet and /previews.

Pure parsing of the commands' words into a `DeliveryChange` (the choices a command sets;
storage applies it to the chat's `DeliveryChoices`), and the one-paragraph description
/filters and the menu show. When an alert actually goes
is decided by `bot.delivery.plan`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from zoneinfo import available_timezones

from bot.chats import ChoiceError
from bot.models import Delivery, DeliveryChange, DeliveryChoices, QuietMode
from bot.ui.i18n import N_


def _hour(text: str) -> int:
    try:
        value = int(text.split(":", 1)[0])
    except ValueError:
        raise ChoiceError(N_("“{text}” is not an hour (0-23)"), text=text) from None
    if not 0 <= value <= 23:
        raise ChoiceError(N_("“{text}” is not an hour (0-23)"), text=text)
    return value


def parse_digest(args: list[str]) -> DeliveryChange:
    """Parse `/digest off|hourly|daily [HH]` into a change."""
    if not args or args[0].lower() not in {"off", "instant", "hourly", "daily"}:
        raise ChoiceError(N_("Use /digest off, /digest hourly or /digest daily HH"))
    mode = args[0].lower()
    if mode in {"off", "instant"}:
        return DeliveryChange(delivery=Delivery.INSTANT)
    if mode == "hourly":
        return DeliveryChange(delivery=Delivery.HOURLY)
    if len(args) > 1:
        return DeliveryChange(delivery=Delivery.DAILY, digest_hour=_hour(args[1]))
    return DeliveryChange(delivery=Delivery.DAILY)


@cache
def _zones() -> dict[str, str]:
    """Return every IANA zone name the system knows, by its lower-case spelling."""
    return {name.lower(): name for name in available_timezones()}


def parse_timezone(args: list[str]) -> DeliveryChange:
    """Parse `/timezone Area/City` into a change.

    The name is looked up among the zones the system knows (any letter case), never used
    as a path: `ZoneInfo` given what a user typed reads files, and an emoji, a long word or
    a folder's name ends in an OS error there, not in "unknown time zone".
    """
    if len(args) != 1:
        raise ChoiceError(N_("Use /timezone followed by a zone such as Europe/Minsk"))
    name = _zones().get(args[0].lower())
    if name is None:
        raise ChoiceError(N_("Unknown time zone “{name}”; for example Europe/Minsk"), name=args[0])
    return DeliveryChange(timezone=name)


def parse_quiet(args: list[str]) -> DeliveryChange:
    """Parse `/quiet off` or `/quiet 23-07 [silent|hold] [urgent]` into a change."""
    usage = N_("Use /quiet 23-07 [silent|hold] [urgent], or /quiet off")
    if not args:
        raise ChoiceError(usage)
    if args[0].lower() == "off":
        return DeliveryChange(quiet_start=None, quiet_end=None)
    start_text, sep, end_text = args[0].partition("-")
    if not sep:
        raise ChoiceError(usage)
    start, end = _hour(start_text), _hour(end_text)
    mode, urgent = QuietMode.HOLD, False
    for word in (arg.lower() for arg in args[1:]):
        if word in {"silent", "hold"}:
            mode = QuietMode(word)
        elif word == "urgent":
            urgent = True
        else:
            raise ChoiceError(usage)
    return DeliveryChange(quiet_start=start, quiet_end=end, quiet_mode=mode, quiet_urgent=urgent)


def parse_previews(args: list[str]) -> DeliveryChange:
    """Parse `/previews on|off` into a change."""
    if len(args) != 1 or args[0].lower() not in {"on", "off"}:
        raise ChoiceError(N_("Use /previews on or /previews off"))
    return DeliveryChange(link_previews=args[0].lower() == "on")


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
