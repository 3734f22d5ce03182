"""The /settings menu as plain data: each screen's text and its buttons (label, callback data).

Pure functions over the chat's stored choices; each button is a typed `SettingsTap` of
bot.ui.callbacks, which the handler encodes into an inline keyboard and, once tapped,
turns back into a call of the existing services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

from bot.models import ChatFilters, Delivery, DeliveryChoices, QuietMode, Severity
from bot.ui.callbacks import (
    AskKeywords,
    AskPlace,
    AskZone,
    ChooseBorder,
    ClearKeywords,
    Close,
    QuietOff,
    Section,
    SetAnywhere,
    SetBorder,
    SetDelivery,
    SetDigestHour,
    SetLanguage,
    SetNear,
    SetPreviews,
    SetQuiet,
    SetQuietMode,
    SetRegion,
    SetSeverity,
    SettingsTap,
    SetTopic,
    SetZone,
    Show,
    ToggleUrgent,
)
from bot.ui.i18n import LANGUAGES, NAMES
from bot.ui.texts import SEVERITY_LABELS, UI, escape, how_far_from_border

Button = tuple[str, SettingsTap]  # (label, what tapping it does)
Rows = list[list[Button]]

NEAR_KM = (10, 20, 30, 50)
BORDER_KM = (10, 20, 30, 50)
DIGEST_HOURS = (6, 7, 8, 9, 12, 18, 20, 21)
ZONES = ("Europe/Minsk", "Europe/Kyiv", "Europe/Warsaw", "Europe/Vilnius", "Europe/Riga", "UTC")
QUIET_PRESETS = ("23-07", "22-08", "00-06")


def _back(ui: UI, to: Section = Section.MAIN) -> list[Button]:
    return [(ui._("◀ Back"), Show(to))]


def _mark(on: bool) -> str:
    return "✅" if on else "▫️"


def main(ui: UI) -> tuple[str, Rows]:
    """Return the menu's first screen: one button a section."""
    rows: Rows = [
        [(ui._("🏷 Topics"), Show(Section.TOPICS)), (ui._("⚠️ Severity"), Show(Section.SEVERITY))],
        [
            (ui._("🔎 Own keywords"), Show(Section.KEYWORDS)),
            (ui._("📍 Places"), Show(Section.PLACES)),
        ],
        [
            (ui._("📬 Delivery"), Show(Section.DELIVERY)),
            (ui._("🌙 Quiet hours"), Show(Section.QUIET)),
        ],
        [
            (ui._("🌐 Language"), Show(Section.LANGUAGES)),
            (ui._("🔗 Link previews"), Show(Section.PREVIEWS)),
        ],
        [(ui._("✖️ Close"), Close())],
    ]
    return ui._("⚙️ <b>Settings</b>: choose what to change."), rows


def topics(ui: UI, chosen: Set[str]) -> tuple[str, Rows]:
    """Return the topic toggles."""
    rows: Rows = [
        [(f"{_mark(name in chosen)} {ui.topic(name)}", SetTopic(name))]
        for name in ui.catalog.names()
    ]
    rows.append(_back(ui))
    return ui._("🏷 Tap a topic to subscribe or unsubscribe:"), rows


def severity(ui: UI, current: Severity) -> tuple[str, Rows]:
    """Return the minimum-severity choice."""
    row: list[Button] = [
        (f"{'• ' if level is current else ''}{ui._(SEVERITY_LABELS[level])}", SetSeverity(level))
        for level in Severity
    ]
    text = ui._("⚠️ Only reports at least this serious. Now: {level}").format(
        level=ui._(SEVERITY_LABELS[current])
    )
    return text, [row, _back(ui)]


def keywords(ui: UI, audience: ChatFilters) -> tuple[str, Rows]:
    """Return the own-keywords screen: what is watched, add and clear."""
    words = ", ".join(escape(word) for word in audience.watch) or ui._("none")
    text = ui._("🔎 Your own keywords: {list}").format(list=words)
    rows: Rows = [[(ui._("➕ Add"), AskKeywords())]]
    if audience.watch:
        rows[0].append((ui._("🗑 Clear"), ClearKeywords()))
    rows.append(_back(ui))
    return text, rows


def keywords_prompt(ui: UI) -> tuple[str, Rows]:
    """Ask for words to watch."""
    text = ui._("🔎 Send the words to watch, comma-separated (in a group, reply to this message).")
    return text, [_back(ui, Section.KEYWORDS)]


def places(ui: UI, summary: str) -> tuple[str, Rows]:
    """Return the places screen: the current filters and the ways to add one."""
    rows: Rows = [
        [(ui._("🗺 A region"), Show(Section.REGIONS)), (ui._("📍 Near a place"), AskPlace())],
        [(ui._("🛂 Near a border"), Show(Section.BORDERS)), (ui._("🌍 Anywhere"), SetAnywhere())],
        _back(ui),
    ]
    return summary, rows


def regions(ui: UI, oblasts: Sequence[str]) -> tuple[str, Rows]:
    """Return one button an oblast (by its position, to keep callback data short)."""
    buttons: list[Button] = [
        (escape(ui.place(name)), SetRegion(i)) for i, name in enumerate(oblasts)
    ]
    rows: Rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_back(ui, Section.PLACES))
    return ui._("🗺 Which region?"), rows


def place_prompt(ui: UI) -> tuple[str, Rows]:
    """Ask for a place name."""
    text = ui._("📍 Send the name of a place, e.g. Mazyr (in a group, reply to this message).")
    return text, [_back(ui, Section.PLACES)]


def near_radius(ui: UI, place_id: str) -> tuple[str, Rows]:
    """Ask how far around a place (named in the case the sentence needs)."""
    row: list[Button] = [(ui._("{km} km").format(km=km), SetNear(km)) for km in NEAR_KM]
    text = ui._("📍 How far around {place}?").format(**ui.place_args("place", place_id))
    return text, [row, _back(ui, Section.PLACES)]


def borders(ui: UI, country_names: Mapping[str, str]) -> tuple[str, Rows]:
    """Return one button a neighbour."""
    row: list[Button] = [(ui._(name), ChooseBorder(code)) for code, name in country_names.items()]
    return ui._("🛂 Which border?"), [row[:3], row[3:], _back(ui, Section.PLACES)]


def border_radius(ui: UI, code: str) -> tuple[str, Rows]:
    """Ask how far from a border."""
    row: list[Button] = [(ui._("{km} km").format(km=km), SetBorder(code, km)) for km in BORDER_KM]
    return how_far_from_border(ui, code), [row, _back(ui, Section.BORDERS)]


def delivery(ui: UI, prefs: DeliveryChoices, summary: str) -> tuple[str, Rows]:
    """Return instant, hourly or daily, and the ways to the digest hour and time zone."""
    modes = [
        (Delivery.INSTANT, ui._("⚡ Instant")),
        (Delivery.HOURLY, ui._("🕐 Hourly")),
        (Delivery.DAILY, ui._("📅 Daily")),
    ]
    rows: Rows = [
        [
            (f"{'• ' if prefs.delivery is mode else ''}{label}", SetDelivery(mode))
            for mode, label in modes
        ]
    ]
    rows.append(
        [
            (ui._("⏰ Digest hour"), Show(Section.DIGEST_HOURS)),
            (ui._("🌐 Time zone"), Show(Section.ZONES)),
        ]
    )
    rows.append(_back(ui))
    return summary, rows


def digest_hours(ui: UI, current: int) -> tuple[str, Rows]:
    """Return a few digest hours to choose from."""
    buttons: list[Button] = [
        (f"{'• ' if hour == current else ''}{hour:02d}:00", SetDigestHour(hour))
        for hour in DIGEST_HOURS
    ]
    return ui._("⏰ When should the daily digest come?"), [
        buttons[:4],
        buttons[4:],
        _back(ui, Section.DELIVERY),
    ]


def zones(ui: UI, current: str) -> tuple[str, Rows]:
    """Return the common time zones and a way to send another."""
    buttons: list[Button] = [
        (f"{'• ' if name == current else ''}{name}", SetZone(i)) for i, name in enumerate(ZONES)
    ]
    rows: Rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(ui._("✏️ Another…"), AskZone())])
    rows.append(_back(ui, Section.DELIVERY))
    return ui._("🌐 Time zone now: {zone}").format(zone=escape(current)), rows


def zone_prompt(ui: UI) -> tuple[str, Rows]:
    """Ask for a time zone by name."""
    text = ui._("🌐 Send a time zone such as Europe/Berlin (in a group, reply to this message).")
    return text, [_back(ui, Section.ZONES)]


def quiet(ui: UI, prefs: DeliveryChoices, summary: str) -> tuple[str, Rows]:
    """Return quiet-hour presets, hold or silent, and urgent break-through."""
    on = prefs.quiet_start is not None and prefs.quiet_end is not None
    current = f"{prefs.quiet_start:02d}-{prefs.quiet_end:02d}" if on else ""
    presets: list[Button] = [
        (f"{'• ' if p == current else ''}{p}", SetQuiet(p)) for p in QUIET_PRESETS
    ]
    off = ui._("Off")
    presets.append((f"{'• ' if not on else ''}{off}", QuietOff()))
    rows: Rows = [presets]
    if on:
        hold = prefs.quiet_mode is QuietMode.HOLD
        hold_label, silent_label = ui._("Hold"), ui._("Silent")
        urgent = ui._("Urgent breaks through")
        rows.append(
            [
                (f"{_mark(hold)} {hold_label}", SetQuietMode(QuietMode.HOLD)),
                (f"{_mark(not hold)} {silent_label}", SetQuietMode(QuietMode.SILENT)),
            ]
        )
        rows.append([(f"{_mark(prefs.quiet_urgent)} {urgent}", ToggleUrgent())])
    rows.append(_back(ui))
    return summary, rows


def languages(ui: UI) -> tuple[str, Rows]:
    """Return one button a language."""
    row: list[Button] = [
        (f"{'• ' if lang == ui.lang else ''}{NAMES[lang]}", SetLanguage(lang)) for lang in LANGUAGES
    ]
    return ui._("🌐 Choose the language:"), [row[:2], row[2:], _back(ui)]


def previews(ui: UI, prefs: DeliveryChoices) -> tuple[str, Rows]:
    """Return link previews on or off."""
    on, off = ui._("On"), ui._("Off")
    row: list[Button] = [
        (f"{'• ' if prefs.link_previews else ''}{on}", SetPreviews(on=True)),
        (f"{'• ' if not prefs.link_previews else ''}{off}", SetPreviews(on=False)),
    ]
    text = ui._("🔗 Link previews under alerts: {state}").format(
        state=ui._("on") if prefs.link_previews else ui._("off")
    )
    return text, [row, _back(ui)]
