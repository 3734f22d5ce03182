"""The /settings menu as plain data: each screen's text and its buttons (label, callback data).

Pure functions over the chat's stored choices; the handler turns the buttons into an
inline keyboard and the callback data back into calls of the existing services. Every
callback starts with `set:` and stays well under Telegram's 64 bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

from bot.models import ChatFilters, Delivery, DeliveryChoices, QuietMode
from bot.ui.i18n import LANGUAGES, N_, NAMES
from bot.ui.texts import UI, escape

Button = tuple[str, str]  # (label, callback data)
Rows = list[list[Button]]

PREFIX = "set:"
SEVERITY_LEVELS = ("low", "medium", "high")
SEVERITY_LABELS = {"low": N_("🟢 Low"), "medium": N_("🟠 Medium"), "high": N_("🔴 High")}
NEAR_KM = (10, 20, 30, 50)
BORDER_KM = (10, 20, 30, 50)
DIGEST_HOURS = (6, 7, 8, 9, 12, 18, 20, 21)
ZONES = ("Europe/Minsk", "Europe/Kyiv", "Europe/Warsaw", "Europe/Vilnius", "Europe/Riga", "UTC")
QUIET_PRESETS = ("23-07", "22-08", "00-06")


def _back(ui: UI, to: str = "main") -> list[Button]:
    return [(ui._("◀ Back"), f"{PREFIX}{to}")]


def _mark(on: bool) -> str:
    return "✅" if on else "▫️"


def main(ui: UI) -> tuple[str, Rows]:
    """Return the menu's first screen: one button a section."""
    rows: Rows = [
        [(ui._("🏷 Topics"), "set:tp"), (ui._("⚠️ Severity"), "set:sv")],
        [(ui._("🔎 Own keywords"), "set:kw"), (ui._("📍 Places"), "set:pl")],
        [(ui._("📬 Delivery"), "set:dl"), (ui._("🌙 Quiet hours"), "set:qt")],
        [(ui._("🌐 Language"), "set:lg"), (ui._("🔗 Link previews"), "set:pv")],
        [(ui._("✖️ Close"), "set:close")],
    ]
    return ui._("⚙️ <b>Settings</b>: choose what to change."), rows


def topics(ui: UI, chosen: Set[str]) -> tuple[str, Rows]:
    """Return the topic toggles."""
    rows: Rows = [
        [(f"{_mark(name in chosen)} {ui.topic(name)}", f"set:tp:{name}")]
        for name in ui.catalog.names()
    ]
    rows.append(_back(ui))
    return ui._("🏷 Tap a topic to subscribe or unsubscribe:"), rows


def severity(ui: UI, current: str) -> tuple[str, Rows]:
    """Return the minimum-severity choice."""
    row = [
        (f"{'• ' if level == current else ''}{ui._(SEVERITY_LABELS[level])}", f"set:sv:{level}")
        for level in SEVERITY_LEVELS
    ]
    text = ui._("⚠️ Only reports at least this serious. Now: {level}").format(
        level=ui._(SEVERITY_LABELS.get(current, current))
    )
    return text, [row, _back(ui)]


def keywords(ui: UI, audience: ChatFilters) -> tuple[str, Rows]:
    """Return the own-keywords screen: what is watched, add and clear."""
    words = ", ".join(escape(word) for word in audience.watch) or ui._("none")
    text = ui._("🔎 Your own keywords: {list}").format(list=words)
    rows: Rows = [[(ui._("➕ Add"), "set:kw:add")]]
    if audience.watch:
        rows[0].append((ui._("🗑 Clear"), "set:kw:clear"))
    rows.append(_back(ui))
    return text, rows


def keywords_prompt(ui: UI) -> tuple[str, Rows]:
    """Ask for words to watch."""
    text = ui._("🔎 Send the words to watch, comma-separated (in a group, reply to this message).")
    return text, [_back(ui, "kw")]


def places(ui: UI, summary: str) -> tuple[str, Rows]:
    """Return the places screen: the current filters and the ways to add one."""
    rows: Rows = [
        [(ui._("🗺 A region"), "set:pl:rg"), (ui._("📍 Near a place"), "set:pl:near")],
        [(ui._("🛂 Near a border"), "set:pl:bd"), (ui._("🌍 Anywhere"), "set:pl:any")],
        _back(ui),
    ]
    return summary, rows


def regions(ui: UI, oblasts: Sequence[str]) -> tuple[str, Rows]:
    """Return one button an oblast (by its position, to keep callback data short)."""
    buttons = [(escape(ui.place(name)), f"set:pl:rg:{i}") for i, name in enumerate(oblasts)]
    rows: Rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_back(ui, "pl"))
    return ui._("🗺 Which region?"), rows


def place_prompt(ui: UI) -> tuple[str, Rows]:
    """Ask for a place name."""
    text = ui._("📍 Send the name of a place, e.g. Mazyr (in a group, reply to this message).")
    return text, [_back(ui, "pl")]


def near_radius(ui: UI, place: str) -> tuple[str, Rows]:
    """Ask how far around a place."""
    row = [(ui._("{km} km").format(km=km), f"set:pl:nk:{km}") for km in NEAR_KM]
    text = ui._("📍 How far around {place}?").format(place=escape(place))
    return text, [row, _back(ui, "pl")]


def borders(ui: UI, country_names: Mapping[str, str]) -> tuple[str, Rows]:
    """Return one button a neighbour."""
    row = [(ui._(name), f"set:pl:bd:{code}") for code, name in country_names.items()]
    return ui._("🛂 Which border?"), [row[:3], row[3:], _back(ui, "pl")]


def border_radius(ui: UI, code: str, country_names: Mapping[str, str]) -> tuple[str, Rows]:
    """Ask how far from a border."""
    row = [(ui._("{km} km").format(km=km), f"set:pl:bk:{code}:{km}") for km in BORDER_KM]
    text = ui._("🛂 How far from the {country} border?").format(
        country=ui._(country_names.get(code, code))
    )
    return text, [row, _back(ui, "pl:bd")]


def delivery(ui: UI, prefs: DeliveryChoices, summary: str) -> tuple[str, Rows]:
    """Return instant, hourly or daily, and the ways to the digest hour and time zone."""
    modes = [
        (Delivery.INSTANT, ui._("⚡ Instant"), "instant"),
        (Delivery.HOURLY, ui._("🕐 Hourly"), "hourly"),
        (Delivery.DAILY, ui._("📅 Daily"), "daily"),
    ]
    rows: Rows = [
        [(f"{'• ' if prefs.delivery is mode else ''}{label}", f"set:dl:{key}")]
        for mode, label, key in modes
    ]
    rows = [[button for row in rows for button in row]]
    rows.append([(ui._("⏰ Digest hour"), "set:dl:hr"), (ui._("🌐 Time zone"), "set:dl:tz")])
    rows.append(_back(ui))
    return summary, rows


def digest_hours(ui: UI, current: int) -> tuple[str, Rows]:
    """Return a few digest hours to choose from."""
    buttons = [
        (f"{'• ' if hour == current else ''}{hour:02d}:00", f"set:dl:h:{hour}")
        for hour in DIGEST_HOURS
    ]
    return ui._("⏰ When should the daily digest come?"), [
        buttons[:4],
        buttons[4:],
        _back(ui, "dl"),
    ]


def zones(ui: UI, current: str) -> tuple[str, Rows]:
    """Return the common time zones and a way to send another."""
    buttons = [
        (f"{'• ' if name == current else ''}{name}", f"set:dl:z:{i}")
        for i, name in enumerate(ZONES)
    ]
    rows: Rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(ui._("✏️ Another…"), "set:dl:zo")])
    rows.append(_back(ui, "dl"))
    return ui._("🌐 Time zone now: {zone}").format(zone=escape(current)), rows


def zone_prompt(ui: UI) -> tuple[str, Rows]:
    """Ask for a time zone by name."""
    text = ui._("🌐 Send a time zone such as Europe/Berlin (in a group, reply to this message).")
    return text, [_back(ui, "dl:tz")]


def quiet(ui: UI, prefs: DeliveryChoices, summary: str) -> tuple[str, Rows]:
    """Return quiet-hour presets, hold or silent, and urgent break-through."""
    on = prefs.quiet_start is not None and prefs.quiet_end is not None
    current = f"{prefs.quiet_start:02d}-{prefs.quiet_end:02d}" if on else ""
    presets = [(f"{'• ' if p == current else ''}{p}", f"set:qt:p:{p}") for p in QUIET_PRESETS]
    off = ui._("Off")
    presets.append((f"{'• ' if not on else ''}{off}", "set:qt:off"))
    rows: Rows = [presets]
    if on:
        hold = prefs.quiet_mode is QuietMode.HOLD
        hold_label, silent_label = ui._("Hold"), ui._("Silent")
        urgent = ui._("Urgent breaks through")
        rows.append(
            [
                (f"{_mark(hold)} {hold_label}", "set:qt:m:hold"),
                (f"{_mark(not hold)} {silent_label}", "set:qt:m:silent"),
            ]
        )
        rows.append([(f"{_mark(prefs.quiet_urgent)} {urgent}", "set:qt:u")])
    rows.append(_back(ui))
    return summary, rows


def languages(ui: UI) -> tuple[str, Rows]:
    """Return one button a language."""
    row = [
        (f"{'• ' if lang == ui.lang else ''}{NAMES[lang]}", f"set:lg:{lang}") for lang in LANGUAGES
    ]
    return ui._("🌐 Choose the language:"), [row[:2], row[2:], _back(ui)]


def previews(ui: UI, prefs: DeliveryChoices) -> tuple[str, Rows]:
    """Return link previews on or off."""
    on, off = ui._("On"), ui._("Off")
    row = [
        (f"{'• ' if prefs.link_previews else ''}{on}", "set:pv:on"),
        (f"{'• ' if not prefs.link_previews else ''}{off}", "set:pv:off"),
    ]
    text = ui._("🔗 Link previews under alerts: {state}").format(
        state=ui._("on") if prefs.link_previews else ui._("off")
    )
    return text, [row, _back(ui)]
