"""Changing what a chat receives: place filters, minimum severity, own keywords, exclusions.

Handlers pass the command's words; these functions check them, store the change and return
the chat's new audience, or raise `ChoiceError` with a message for the user. The
audience index picks the change up by itself (storage numbers every change).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.chats import ChoiceError
from bot.matching import Place, PlaceIndex, tokenize
from bot.models import ChatFilters, Severity
from bot.ui.i18n import N_
from storage import Database

# Neighbours by code, with the names users type for them.
COUNTRIES = {
    "ua": ("ukraine", "ukrainian", "украина", "україна", "украіна", "укр"),
    "pl": ("poland", "polish", "польша", "польшча", "польща"),
    "lt": ("lithuania", "lithuanian", "литва", "літва"),
    "lv": ("latvia", "latvian", "латвия", "латвія"),
    "ru": ("russia", "russian", "россия", "расія", "росія"),
}
COUNTRY_NAMES = {
    "ua": N_("Ukraine"),
    "pl": N_("Poland"),
    "lt": N_("Lithuania"),
    "lv": N_("Latvia"),
    "ru": N_("Russia"),
}
DEFAULT_NEAR_KM = 20.0
DEFAULT_BORDER_KM = 30.0
MAX_KM = 300.0
MAX_WORDS = 30  # own keywords (and, separately, exclusions) per chat
MAX_PHRASE = 60
MAX_FILTERS = 10  # of each kind: regions, near, borders
_OFF = frozenset({"off", "clear", "none", "-"})
_KM_RE = re.compile(r"^(\d{1,6}(?:[.,]\d+)?)\s*(?:km|км)?$", re.IGNORECASE)


def parse_km(word: str) -> float | None:
    """Return a distance typed as "30", "30km" or "30 км", or None if it is not one."""
    match = _KM_RE.match(word.strip())
    if match is None:
        return None
    return float(match.group(1).replace(",", "."))


def _check_km(km: float) -> float:
    if not 0 < km <= MAX_KM:
        raise ChoiceError(N_("The distance must be between 1 and {max} km."), max=f"{MAX_KM:.0f}")
    return km


def country_code(word: str) -> str | None:
    """Return the code of a neighbour typed as a code or a name in any language."""
    folded = word.strip().casefold()
    for code, names in COUNTRIES.items():
        if folded == code or folded in names:
            return code
    return None


def split_phrases(text: str) -> list[str]:
    """Split a command's text into phrases at commas (or new lines), checking each."""
    phrases = []
    for raw in re.split(r"[,;\n]", text):
        phrase = " ".join(raw.split())
        if not phrase:
            continue
        if len(phrase) > MAX_PHRASE:
            raise ChoiceError(N_("A phrase can be at most {n} characters long."), n=MAX_PHRASE)
        if not tokenize(phrase.replace("*", " ")):
            raise ChoiceError(N_("“{phrase}” has no words to look for."), phrase=phrase)
        phrases.append(phrase)
    return list(dict.fromkeys(phrases))


async def _store(db: Database, chat: ChatFilters) -> ChatFilters:
    """Write a chat's filters and return what it now receives."""
    await db.filters.set_filters(
        chat.chat_id,
        min_severity=chat.min_severity,
        regions=chat.regions,
        near=chat.near,
        borders=chat.borders,
    )
    return await db.filters.get(chat.chat_id)


def _limit(items: Sequence[object]) -> None:
    if len(items) > MAX_FILTERS:
        raise ChoiceError(N_("At most {n} filters of a kind; remove one first."), n=MAX_FILTERS)


def known_place(places: PlaceIndex, name: str) -> Place:
    """Return the place a user named, or raise ChoiceError saying it is unknown."""
    place = places.resolve(name)
    if place is None:
        raise ChoiceError(N_("I don't know a place called “{name}”."), name=name)
    return place


async def near(db: Database, places: PlaceIndex, chat_id: int, args: Sequence[str]) -> ChatFilters:
    """Add "/near PLACE [km]" (or clear them with "off")."""
    chat = await db.filters.get(chat_id)
    if len(args) == 1 and args[0].casefold() in _OFF:
        return await _store(db, replace(chat, near=()))
    words = list(args)
    km = DEFAULT_NEAR_KM
    if len(words) > 1 and (typed := parse_km(words[-1])) is not None:
        km = _check_km(typed)
        words.pop()
    if not words:
        raise ChoiceError(N_("Which place? For example: /near Mazyr 30"))
    place = known_place(places, " ".join(words))
    kept = (*(pair for pair in chat.near if pair[0] != place.id), (place.id, km))
    _limit(kept)
    return await _store(db, replace(chat, near=kept))


async def border(db: Database, chat_id: int, args: Sequence[str]) -> ChatFilters:
    """Add "/border COUNTRY [km]" (or clear them with "off")."""
    chat = await db.filters.get(chat_id)
    if len(args) == 1 and args[0].casefold() in _OFF:
        return await _store(db, replace(chat, borders=()))
    if not args or len(args) > 2:
        raise ChoiceError(N_("For example: /border ua 30 (ua, pl, lt, lv or ru)"))
    code = country_code(args[0])
    if code is None:
        raise ChoiceError(
            N_("“{code}” is not a neighbour: use ua, pl, lt, lv or ru."), code=args[0]
        )
    km = DEFAULT_BORDER_KM
    if len(args) == 2:
        typed = parse_km(args[1])
        if typed is None:
            raise ChoiceError(N_("“{word}” is not a distance in km."), word=args[1])
        km = _check_km(typed)
    kept = (*(pair for pair in chat.borders if pair[0] != code), (code, km))
    _limit(kept)
    return await _store(db, replace(chat, borders=kept))


async def region(
    db: Database, places: PlaceIndex, chat_id: int, args: Sequence[str]
) -> ChatFilters:
    """Add "/region NAME" (an oblast, or any place standing for its oblast), or "off"."""
    chat = await db.filters.get(chat_id)
    if len(args) == 1 and args[0].casefold() in _OFF:
        return await _store(db, replace(chat, regions=()))
    if not args:
        raise ChoiceError(N_("Which region? One of: {list}"), list=", ".join(places.oblasts()))
    text = " ".join(args)
    oblast = next((o for o in places.oblasts() if o.casefold().startswith(text.casefold())), None)
    if oblast is None:
        place = places.resolve(text)
        oblast = place.oblast if place is not None else None
    if oblast is None or oblast not in places.oblasts():
        raise ChoiceError(
            N_("I don't know a region “{name}”. Regions: {list}"),
            name=text,
            list=", ".join(places.oblasts()),
        )
    kept = tuple(dict.fromkeys((*chat.regions, oblast)))
    _limit(kept)
    return await _store(db, replace(chat, regions=kept))


async def anywhere(db: Database, chat_id: int) -> ChatFilters:
    """Remove every place filter."""
    chat = await db.filters.get(chat_id)
    return await _store(db, replace(chat, regions=(), near=(), borders=()))


async def severity(db: Database, chat_id: int, args: Sequence[str]) -> ChatFilters:
    """Set the minimum severity: "/severity low|medium|high"."""
    level = Severity.parse(args[0]) if len(args) == 1 else None
    if level is None:
        raise ChoiceError(N_("For example: /severity high (low, medium or high)"))
    return await set_severity(db, chat_id, level)


async def set_severity(db: Database, chat_id: int, level: Severity) -> ChatFilters:
    """Set the minimum severity a report needs to reach the chat."""
    chat = await db.filters.get(chat_id)
    return await _store(db, replace(chat, min_severity=level))


async def add_words(
    db: Database, chat_id: int, kind: str, text: str, *, now: datetime
) -> ChatFilters:
    """Add own keywords ("watch") or exclusions ("exclude"), comma-separated."""
    phrases = split_phrases(text)
    if not phrases:
        raise ChoiceError(N_("Which words? Separate phrases with commas."))
    if await db.filters.count_words(chat_id, kind) + len(phrases) > MAX_WORDS:
        raise ChoiceError(N_("At most {n} phrases; remove some first."), n=MAX_WORDS)
    await db.filters.add_words(chat_id, kind, phrases, now=now)
    return await db.filters.get(chat_id)


async def remove_words(db: Database, chat_id: int, kind: str, text: str) -> ChatFilters:
    """Remove some own keywords or exclusions (all of them when no text is given)."""
    phrases = split_phrases(text) if text.strip() else None
    await db.filters.remove_words(chat_id, kind, phrases)
    return await db.filters.get(chat_id)
