"""The data behind every inline button: one frozen dataclass per kind of button.

A button carries at most 64 bytes, and whoever taps it can send any bytes instead, so the
data is a typed value with one way in and one way out: `encode()` writes a button's data
and `decode()` reads it back, returning None for anything `encode` could not have written
(an unknown kind, a missing or extra part, a number out of bounds or not in ASCII digits,
a word with other letters, more than 64 bytes). Handlers are registered with `pattern()`
of the kinds they take and receive only those; data that is `undecodable()` gets a short
answer from a handler of its own.

Each kind declares its wire form as a template, `"set:pl:bk:{country}:{km}"`, whose fields
are the dataclass's. The forms are the strings the bot has always written, so the buttons
of messages sent before an upgrade keep working.

PTB's arbitrary callback data is not used: it keeps the objects in the process's memory,
so every button sent before a restart would stop working (a /post draft is meant to
survive one), and its wire strings are opaque keys that the sandbox and the demo could not
tap by. A hand-written codec of a few lines per field type is smaller than the cache.
"""

from __future__ import annotations

import re
import string
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, get_type_hints

from bot.models import Delivery, QuietMode, Severity

MAX_BYTES = 64  # Telegram's limit on a button's callback data
_NUMBER = "0|[1-9][0-9]{0,18}"  # ASCII digits only, no leading zero: one spelling per number


# -- what a field may hold, declared with Annotated ---------------------------------------


@dataclass(frozen=True, slots=True)
class Bounds:
    """The least and greatest value an int field takes."""

    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Text:
    """The regular expression a str field must match in full (no ':' in it)."""

    pattern: str


@dataclass(frozen=True, slots=True)
class Null:
    """How an optional field writes None."""

    word: str


@dataclass(frozen=True, slots=True)
class Flag:
    """How a bool field writes True and False."""

    true: str
    false: str


TopicId = Annotated[str, Text(r"[a-z][a-z0-9_]{0,47}")]  # the catalog's topic ids
Code = Annotated[str, Text(r"[a-z]{2}")]  # a language or a country code
DraftId = Annotated[int, Bounds(1, 2**63 - 1)]  # SQLite's row ids
StoryId = Annotated[int, Bounds(1, 2**63 - 1)]
Offset = Annotated[int, Bounds(0, 2**31 - 1)]
Index = Annotated[int, Bounds(0, 99)]  # a position in one of the menu's short lists
Km = Annotated[int, Bounds(1, 1000)]
Hour = Annotated[int, Bounds(0, 23)]
Hours = Annotated[str, Text(r"[0-9]{2}-[0-9]{2}")]  # quiet hours as "23-07"


_M = TypeVar("_M")


@dataclass(frozen=True, slots=True)
class _Field:
    """How one field is written and read: its pattern, and its value from its text."""

    name: str
    pattern: str
    load: Callable[[str], object]  # raises ValueError for text the pattern let through
    dump: Callable[[Any], str]


def _field(name: str, hint: object, meta: tuple[object, ...] = ()) -> _Field:
    """Work out a field's codec from its type hint (a developer's mistake is a TypeError)."""
    while get_origin(hint) is Annotated:
        hint, *extra = get_args(hint)
        meta += tuple(extra)
    if get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint):
        (inner,) = [arg for arg in get_args(hint) if arg is not type(None)]
        word = next((m.word for m in meta if isinstance(m, Null)), "*")
        some = _field(name, inner, meta)
        return _Field(
            name,
            f"{re.escape(word)}|{some.pattern}",
            lambda text: None if text == word else some.load(text),
            lambda value: word if value is None else some.dump(value),
        )
    if hint is bool:
        flag = _meta(name, meta, Flag)
        return _Field(
            name,
            f"{re.escape(flag.true)}|{re.escape(flag.false)}",
            lambda text: text == flag.true,
            lambda value: flag.true if value else flag.false,
        )
    if hint is int:
        bounds = _meta(name, meta, Bounds)

        def number(text: str) -> int:
            value = int(text)
            if not bounds.low <= value <= bounds.high:
                raise ValueError(f"{name}={value} out of bounds")
            return value

        return _Field(name, _NUMBER, number, str)
    if hint is str:
        text = _meta(name, meta, Text)
        return _Field(name, text.pattern, str, str)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        words = sorted((member.value for member in hint), key=len, reverse=True)
        return _Field(name, "|".join(map(re.escape, words)), hint, str)
    raise TypeError(f"no codec for the button field {name}: {hint!r}")


def _meta(name: str, meta: tuple[object, ...], kind: type[_M]) -> _M:
    """Return a field's declaration of one kind (a missing one is a TypeError)."""
    found = next((m for m in meta if isinstance(m, kind)), None)
    if found is None:
        raise TypeError(f"the button field {name} needs Annotated[..., {kind.__name__}(...)]")
    return found


# -- the base class and the registry ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Form:
    """A kind of button's wire form: the template, the compiled pattern, its fields."""

    template: str
    regex: re.Pattern[str]
    fields: tuple[_Field, ...]


_FORMS: dict[type[Button], _Form] = {}
_BY_HEAD: dict[str, list[type[Button]]] = {}  # the text before the first ':' -> kinds


class Button:
    """A button's data; subclasses are frozen dataclasses registered with `@callback`."""

    __slots__ = ()

    def encode(self) -> str:
        """Return the data to put on the button; ValueError if it would not read back."""
        form = _FORMS.get(type(self))
        if form is None:
            raise TypeError(f"{type(self).__name__} is not a registered kind of button")
        data = form.template.format(**{f.name: f.dump(getattr(self, f.name)) for f in form.fields})
        if decode(data) != self:
            raise ValueError(f"{self!r} cannot be written as callback data ({data!r})")
        return data


_B = TypeVar("_B", bound=Button)


def callback(template: str) -> Callable[[type[_B]], type[_B]]:
    """Register a kind of button under its wire form, e.g. `"lt:{topic}:{offset}"`."""

    def register(cls: type[_B]) -> type[_B]:
        if not is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        hints = get_type_hints(cls, include_extras=True)
        by_name = {f.name: _field(f.name, hints[f.name]) for f in fields(cls)}
        pattern, order = [], []
        for literal, name, _, _ in string.Formatter().parse(template):
            pattern.append(re.escape(literal))
            if name is not None:
                pattern.append(f"(?P<{name}>{by_name[name].pattern})")
                order.append(name)
        if sorted(order) != sorted(by_name):
            raise TypeError(f"{template!r} must name each field of {cls.__name__} once")
        regex = re.compile("".join(pattern))
        _FORMS[cls] = _Form(template, regex, tuple(by_name[name] for name in order))
        _BY_HEAD.setdefault(template.split(":", 1)[0], []).append(cls)
        return cls

    return register


def decode(data: object) -> Button | None:
    """Return the button some callback data stands for, or None if it stands for none."""
    if not isinstance(data, str) or not data.isascii() or len(data) > MAX_BYTES:
        return None
    for cls in _BY_HEAD.get(data.split(":", 1)[0], ()):
        form = _FORMS[cls]
        match = form.regex.fullmatch(data)
        if match is None:
            continue
        try:
            values = {f.name: f.load(match[f.name]) for f in form.fields}
        except ValueError:
            return None
        return cls(**values)
    return None


def pattern(*kinds: type[Button]) -> Callable[[object], bool]:
    """Return a CallbackQueryHandler pattern taking the data of these kinds of button."""
    return lambda data: isinstance(decode(data), kinds)


def undecodable(data: object) -> bool:
    """Tell whether some callback data stands for no button (a pattern for the rest)."""
    return decode(data) is None


def kinds() -> Mapping[type[Button], str]:
    """Return every registered kind of button with its wire form."""
    return {cls: form.template for cls, form in _FORMS.items()}


# -- the buttons --------------------------------------------------------------------------


@callback("lang:{lang}")
@dataclass(frozen=True, slots=True)
class LanguageChoice(Button):
    """/language: use this interface language."""

    lang: Code


@callback("t:{topic}")
@dataclass(frozen=True, slots=True)
class TopicToggle(Button):
    """/topics: subscribe to a topic, or unsubscribe."""

    topic: TopicId


@callback("st:chart")
@dataclass(frozen=True, slots=True)
class StatusChart(Button):
    """/status: send the chart of reports per day."""


@callback("st:map")
@dataclass(frozen=True, slots=True)
class StatusMap(Button):
    """/status: send the map of located stories."""


@callback("lt:{topic}:{offset}")
@dataclass(frozen=True, slots=True)
class LatestPage(Button):
    """/latest: show the page of stories at this offset (of one topic, or of all)."""

    topic: Annotated[TopicId | None, Null("*")]
    offset: Offset


@callback("sr:{offset}")
@dataclass(frozen=True, slots=True)
class SourcesPage(Button):
    """/sources (admins): show the page of sources at this offset."""

    offset: Offset


# Under every alert: ask why it came, or say it was not relevant (and take that back).


@dataclass(frozen=True, slots=True)
class AlertTap(Button):
    """A button under an alert about one story."""

    story: StoryId


@callback("why:{story}")
@dataclass(frozen=True, slots=True)
class WhyAlert(AlertTap):
    """Explain the alert: the words and rules that fired, the filter that let it through."""


@dataclass(frozen=True, slots=True)
class FlagTap(AlertTap):
    """Say the alert was not relevant to this chat, or take that back."""


@callback("nr:{story}")
@dataclass(frozen=True, slots=True)
class NotRelevant(FlagTap):
    """Flag the alert as a false alarm for this chat."""


@callback("nr:{story}:undo")
@dataclass(frozen=True, slots=True)
class UndoNotRelevant(FlagTap):
    """Take the flag back."""


@callback("fb:{offset}")
@dataclass(frozen=True, slots=True)
class FeedbackPage(Button):
    """/feedback: show the page of flagged stories at this offset."""

    offset: Offset


@dataclass(frozen=True, slots=True)
class DraftStep(Button):
    """A step of an admin's /post conversation on one draft."""

    draft: DraftId


@callback("pd:{draft}:t:{topic}")
@dataclass(frozen=True, slots=True)
class DraftTopic(DraftStep):
    """Tick or untick a topic of the draft."""

    topic: TopicId


@callback("pd:{draft}:next")
@dataclass(frozen=True, slots=True)
class DraftNext(DraftStep):
    """The topics are chosen: go on to the places."""


@callback("pd:{draft}:pk")
@dataclass(frozen=True, slots=True)
class DraftKeepPlaces(DraftStep):
    """Keep the places found in the text."""


@callback("pd:{draft}:pn")
@dataclass(frozen=True, slots=True)
class DraftNoPlace(DraftStep):
    """The update names no place."""


@callback("pd:{draft}:s:{severity}")
@dataclass(frozen=True, slots=True)
class DraftSeverity(DraftStep):
    """Choose how urgent the update is (None: as its topics are)."""

    severity: Annotated[Severity | None, Null("auto")]


@dataclass(frozen=True, slots=True)
class DraftDecision(Button):
    """Confirm or cancel a draft from its preview."""

    draft: DraftId


@callback("dr:{draft}:ok")
@dataclass(frozen=True, slots=True)
class DraftConfirm(DraftDecision):
    """Publish the draft."""


@callback("dr:{draft}:no")
@dataclass(frozen=True, slots=True)
class DraftCancel(DraftDecision):
    """Drop the draft."""


# /settings: a screen to show, or a change to make.


class Section(StrEnum):
    """A screen of the /settings menu."""

    MAIN = "main"
    TOPICS = "tp"
    SEVERITY = "sv"
    KEYWORDS = "kw"
    PLACES = "pl"
    REGIONS = "pl:rg"
    BORDERS = "pl:bd"
    DELIVERY = "dl"
    DIGEST_HOURS = "dl:hr"
    ZONES = "dl:tz"
    QUIET = "qt"
    LANGUAGES = "lg"
    PREVIEWS = "pv"


@dataclass(frozen=True, slots=True)
class SettingsTap(Button):
    """A button of the /settings menu."""


@callback("set:{section}")
@dataclass(frozen=True, slots=True)
class Show(SettingsTap):
    """Show a screen."""

    section: Section


@callback("set:close")
@dataclass(frozen=True, slots=True)
class Close(SettingsTap):
    """Close the menu."""


@callback("set:tp:{topic}")
@dataclass(frozen=True, slots=True)
class SetTopic(SettingsTap):
    """Subscribe to a topic, or unsubscribe."""

    topic: TopicId


@callback("set:sv:{level}")
@dataclass(frozen=True, slots=True)
class SetSeverity(SettingsTap):
    """Set the minimum severity."""

    level: Severity


@callback("set:kw:add")
@dataclass(frozen=True, slots=True)
class AskKeywords(SettingsTap):
    """Ask for own keywords to add."""


@callback("set:kw:clear")
@dataclass(frozen=True, slots=True)
class ClearKeywords(SettingsTap):
    """Forget every own keyword."""


@callback("set:pl:rg:{index}")
@dataclass(frozen=True, slots=True)
class SetRegion(SettingsTap):
    """Add a region: the oblast at this position in the gazetteer's list."""

    index: Index


@callback("set:pl:near")
@dataclass(frozen=True, slots=True)
class AskPlace(SettingsTap):
    """Ask for a place to add a circle around."""


@callback("set:pl:nk:{km}")
@dataclass(frozen=True, slots=True)
class SetNear(SettingsTap):
    """Add a circle of this radius around the place just named."""

    km: Km


@callback("set:pl:bd:{country}")
@dataclass(frozen=True, slots=True)
class ChooseBorder(SettingsTap):
    """Ask how far from a neighbour's border."""

    country: Code


@callback("set:pl:bk:{country}:{km}")
@dataclass(frozen=True, slots=True)
class SetBorder(SettingsTap):
    """Add a strip this wide along a neighbour's border."""

    country: Code
    km: Km


@callback("set:pl:any")
@dataclass(frozen=True, slots=True)
class SetAnywhere(SettingsTap):
    """Remove every place filter."""


@callback("set:dl:{mode}")
@dataclass(frozen=True, slots=True)
class SetDelivery(SettingsTap):
    """Choose instant alerts or a digest."""

    mode: Delivery


@callback("set:dl:h:{hour}")
@dataclass(frozen=True, slots=True)
class SetDigestHour(SettingsTap):
    """Have the daily digest at this hour."""

    hour: Hour


@callback("set:dl:z:{index}")
@dataclass(frozen=True, slots=True)
class SetZone(SettingsTap):
    """Use the time zone at this position in the menu's list."""

    index: Index


@callback("set:dl:zo")
@dataclass(frozen=True, slots=True)
class AskZone(SettingsTap):
    """Ask for a time zone by name."""


@callback("set:qt:off")
@dataclass(frozen=True, slots=True)
class QuietOff(SettingsTap):
    """Have no quiet hours."""


@callback("set:qt:p:{hours}")
@dataclass(frozen=True, slots=True)
class SetQuiet(SettingsTap):
    """Keep quiet during these hours ("23-07")."""

    hours: Hours


@callback("set:qt:m:{mode}")
@dataclass(frozen=True, slots=True)
class SetQuietMode(SettingsTap):
    """Hold alerts during quiet hours, or send them silently."""

    mode: QuietMode


@callback("set:qt:u")
@dataclass(frozen=True, slots=True)
class ToggleUrgent(SettingsTap):
    """Let high-severity alerts through quiet hours, or stop letting them."""


@callback("set:lg:{lang}")
@dataclass(frozen=True, slots=True)
class SetLanguage(SettingsTap):
    """Use this interface language."""

    lang: Code


@callback("set:pv:{on}")
@dataclass(frozen=True, slots=True)
class SetPreviews(SettingsTap):
    """Show link previews under alerts, or not."""

    on: Annotated[bool, Flag("on", "off")]
