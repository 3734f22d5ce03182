"""The sentence around a name that tells it is no place of Belarus, and "the capital".

`PlaceIndex` finds a name by its words and the evidence beside it (`place_evidence`). A
few frames around a name say more, and this module reads them:

- a country's name is no town named like it: "Росія" (Russia) is not the village Рось;
- a name between two other geographic names that are no place of Belarus ("из Пскова,
  Острова, Новгорода") is one of their country's towns;
- a name before a word for a Ukrainian or Russian territorial unit ("Шацька громада",
  "городской округ") is that country's;
- the two ends of a road's name ("трасса Минск – Могилёв", "the Minsk-Mogilev highway")
  name the road, not the towns;
- a name right after a word for a plan, an organisation or a product ("плана «Перамога»",
  "хозяйство «Осиповичи»", "cigarettes Minsk") names that thing;
- "the capital" is Minsk where the text is about Belarus: "в белорусской столице",
  "сталіцы Беларусі", "the Belarusian capital", and a bare «столица»/«сталіца» in a
  Russian or Belarusian text that speaks of Belarus and of no other country's capital.
  (A Ukrainian «столиця» is Kyiv and an English "capital" is money unless Belarus is
  named beside it.)

The word lists are closed classes (countries, road and unit words, capital words), written
out and folded as `normalize.fold` folds a text's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.matching.normalize import _analyser, is_cyrillic

# The beginnings of the names of Belarus' neighbours and other countries a report names,
# folded, in the four languages and łacinka: a word that starts so is the country.
COUNTRY_STEMS = (
    "россия", "россии", "россию", "россией", "росія", "росії", "росію", "росією",
    "расія", "расіі", "расію", "расіяй", "расея", "расеі", "расею", "расеяй", "russia",
    "rasija", "rasii", "rasiej", "rasieja", "rasieju", "rasiei",
    "украина", "украины", "украине", "украину", "україна", "україни", "україні", "україну",
    "украіна", "украіны", "украіне", "украіну", "ukraine", "ukraina", "ukrainy", "ukrainie",
    "польша", "польши", "польше", "польшу", "польшча", "польшчы", "польшчу", "польща",
    "польщі", "польщу", "poland", "polšča", "polščy",
    "литва", "литвы", "литве", "литву", "літва", "літвы", "літве", "літву", "литви",
    "lithuania", "litva", "litvy", "litvie",
    "латвия", "латвии", "латвію", "латвія", "латвіі", "латвії", "latvia", "latvija",
)  # fmt: skip
# Words for a territorial unit of Ukraine or Russia, folded beginnings: a name before one
# is that country's ("Шацька громада", "Красненский муниципальный округ").
FOREIGN_UNIT_STEMS = ("громад", "hromad", "муниципальн", "муніципальн", "поселени", "губерни")
# Words for a road, folded: the names joined by a dash after one are its ends.
ROAD_WORDS = frozenset(
    {
        "трасса", "трассы", "трассе", "трассу", "трассой", "траса", "траси", "трасі",
        "трасу", "трасою", "трасай", "трасы", "шоссе", "шаша", "шашы", "шашу", "шосе",
        "автодорога", "автодороги", "автодороге", "автодорогу", "аўтадарога", "аўтадарогі",
        "аўтадарозе", "автомагистраль", "автомагистрали", "магистраль", "магистрали",
        "магістраль", "магістралі", "highway", "motorway", "автотрасса", "автотрассы",
        "автотрассе", "автотрассу", "аўтатраса", "аўтатрасы", "аўтатрасе", "автотраса",
        "автотраси", "автотрасі",
    }
)  # fmt: skip
# A road's class letter when a hyphen cuts it from its number ("М-4", "Р-23").
_ROAD_LETTERS = frozenset({"м", "р", "н", "m", "r", "p", "h"})
# (A plain "дорога"/"road" between two villages is where something happened: "на дороге
# Лепель – Заслоново" keeps its towns.)
_ROAD_BEFORE = 4  # words from a road word to the first end ("трасса М4 Минск – Могилёв")
# Words for what is named after a place but is no place: a plan or an operation, a firm or
# a farm, a club or a team, a product. A name in quotes right after one is it ("плана
# «Перамога»"); after a word for a product, with or without quotes ("cigarettes Minsk").
THING_WORDS = frozenset(
    {
        "план", "плана", "плане", "планом", "плану", "plan", "операция", "операции",
        "операцию", "аперацыя", "аперацыі", "операція", "операції", "operation",
        "хозяйство", "хозяйства", "хозяйстве", "гаспадарка", "гаспадаркі", "господарство",
        "предприятие", "предприятия", "прадпрыемства", "підприємство", "оао", "зао", "ооо",
        "ао", "аат", "зат", "тав", "тов", "пат", "компания", "компании", "кампанія",
        "компанія", "company", "клуб", "клуба", "клубе", "club", "фк", "хк", "fc", "команда",
        "команды", "каманда", "каманды", "team", "санаторий", "санатория", "санаторыя",
        "санаторій", "гостиница", "гостиницы", "гатэль", "hotel", "ресторан", "кафе",
        "газета", "газеты", "газете", "часопіс", "журнал", "телеканал", "радио", "brand",
        "бренд", "марка", "марки", "сигареты", "сигарет", "цыгарэты", "цыгарэт",
        "сигарети", "cigarettes", "cigarette", "vodka", "водка", "пиво", "beer",
        "фестиваль", "фестиваля", "фэст", "festival", "турнир", "турнира", "турнір",
        "tournament", "ансамбль", "ансамбля",
    }
)  # fmt: skip
PRODUCT_WORDS = frozenset(
    {
        "brand", "бренд", "марка", "марки", "сигареты", "сигарет", "цыгарэты", "цыгарэт",
        "сигарети", "cigarettes", "cigarette", "vodka", "водка", "пиво", "beer",
    }
)  # fmt: skip
_QUOTES = "\"'«»„“”"
_OPENING_QUOTES = '«„“"'
# Words for a street, a square or a city road, folded: a town's adjective beside one
# names the street ("вуліца Дзяржынскага", "на Брестской улице", "Брестское шоссе").
STREET_WORDS = frozenset(
    {
        "улица", "улицы", "улице", "улицу", "улицей", "ул", "вуліца", "вуліцы", "вуліцу",
        "вуліцай", "вул", "вулиця", "вулиці", "вулицю", "вулицею", "проспект", "проспекта",
        "проспекте", "проспекту", "праспект", "праспекта", "праспекце", "просп", "пр-т",
        "переулок", "переулка", "переулке", "завулак", "завулка", "провулок", "провулку",
        "бульвар", "бульвара", "бульваре", "шоссе", "шаша", "шашы", "шосе", "площадь",
        "площади", "плошча", "плошчы", "площа", "площі", "street", "st", "avenue", "ave",
        "square",
    }
)  # fmt: skip
_STREET_AFTER_EN = frozenset({"street", "st", "avenue", "ave", "square"})
# A Russian, Belarusian or Ukrainian adjective in -ск-/-цк-, folded ("брестской",
# "дзяржынскага", "солигорский"): a town's adjective rather than its name.
_TOWN_ADJECTIVE = re.compile(
    r"(?:ск|цк)(?:ий|ый|ой|ая|ое|ие|ые|ого|ому|им|ым|ую|их|ых|ими|ыми|ей|ага|аму|ім|ай|ае"
    r"|ія|ыя|іх|ої|ій|ою|і|ы)$"
)  # not -ом, -а, -е, -у: "Минском", "Минска", "Мінську" are the town's own forms
# A year right after a name with a hyphen: the name of an exercise ("Stolin-2024").
_YEAR_AFTER = re.compile(r"[^\W\d_]*[-‐–]\s?(?:19|20)\d\d\b")
# English "capital" needs Belarus beside it.
_CAPITAL_EN = frozenset({"capital", "capitals"})
# Belarus, its adjective and its people, folded beginnings: a capital beside one is Minsk,
# and a text with one speaks of Belarus.
_BELARUS_STEMS = ("белорус", "беларус", "білорус", "biełarus", "belarus", "bielarus")
# Other capitals of the region, folded beginnings: a text naming one may mean it.
_OTHER_CAPITALS = (
    "москв", "масокв", "маскв", "moscow", "maskv", "киев", "київ", "кіев", "kyiv", "kiev",
    "kijev", "вильн", "вільн", "vilnius", "вильнюс", "варшав", "warsaw", "варшаў", "рига",
    "рыга", "ризе", "riga", "пекин", "пекін", "вашингтон", "washington", "бишкек", "астан",
)  # fmt: skip
# Adjective endings, folded: a word before "столица" that ends so and names no Belarus
# tells some other capital ("северная столица", "областной столице").
_ADJECTIVE_ENDINGS = ("ая", "ой", "ую", "ей", "ай", "ою", "ій", "ої", "ую", "яя", "ый", "ий")


# A country in the locative, folded: "Красное в России" is Russia's; "в Россию" (towards)
# says nothing of where the name before it is.
COUNTRY_LOCATIVES = frozenset(
    {
        "россии", "росії", "расіі", "расеі", "rasii", "russia", "украине", "україні",
        "украіне", "ukraine", "польше", "польшчы", "польщі", "poland", "литве", "літве",
        "литві", "lithuania", "латвии", "латвіі", "латвії", "latvia",
    }
)  # fmt: skip


def is_country(norm: str) -> bool:
    """Tell whether a folded word is the name of a country (in a form that starts so)."""
    return norm.startswith(COUNTRY_STEMS)


def is_foreign_unit(norm: str) -> bool:
    """Tell whether a folded word names a Ukrainian or Russian territorial unit."""
    return norm.startswith(FOREIGN_UNIT_STEMS)


@lru_cache(maxsize=4_096)
def is_foreign_geoname(norm: str) -> bool:
    """Tell whether pymorphy3 reads a folded Cyrillic word first as a geographic name
    (which the caller knows is no place of Belarus)."""
    if not is_cyrillic(norm):
        return False
    parses = _analyser("ru").parse(norm)
    return bool(parses) and parses[0].is_known and "Geox" in parses[0].tag.grammemes


def road_word_before(norms: Sequence[str], start: int) -> bool:
    """Tell whether a word for a road stands a few words before word `start`, with only
    designations between ("трасса М4 Минск", "дороги Минск")."""
    for position in range(start - 1, max(start - _ROAD_BEFORE, 0) - 1, -1):
        norm = norms[position]
        if norm in ROAD_WORDS:
            return True
        designation = any(ch.isdigit() for ch in norm) or norm in _ROAD_LETTERS
        if not designation and norm not in {"the", "автомобильная"}:
            return False
    return False


def thing_word_before(text: str, norms: Sequence[str], starts: Sequence[int], start: int) -> bool:
    """Tell whether word `start` follows a word for a plan, a firm or a product, with only
    quotes or spaces between ("плана «Перамога»", "cigarettes Minsk")."""
    if start == 0 or norms[start - 1] not in THING_WORDS | PRODUCT_WORDS:
        return False
    gap = text[starts[start - 1] + len(norms[start - 1]) : starts[start]]
    quoted = any(ch in _QUOTES for ch in gap)
    return all(ch.isspace() or ch in _QUOTES for ch in gap) and (
        quoted or norms[start - 1] in PRODUCT_WORDS
    )


def capital_means_minsk(
    norms: Sequence[str],
    surfaces: Sequence[str],
    position: int,
    langs: Sequence[str],
    *,
    belarus_named: bool,
) -> bool:
    """Tell whether the capital word at `position` means Minsk (see the module's notes);
    `belarus_named` says the text names a place of Belarus besides."""
    before = norms[position - 1] if position > 0 else ""
    after = norms[position + 1] if position + 1 < len(norms) else ""
    if norms[position] in _CAPITAL_EN:
        after_of = norms[position + 2] if after == "of" and position + 2 < len(norms) else ""
        return before.startswith(_BELARUS_STEMS) or after_of.startswith(_BELARUS_STEMS)
    if before.startswith(_BELARUS_STEMS):
        return True
    if _adjective(before):
        return False  # "северная столица", "областной столице Беларуси"
    if after.startswith(_BELARUS_STEMS):
        return True
    return not _other_capital(before, after, surfaces[position + 1 : position + 2]) and (
        _speaks_of_belarus(norms, langs, belarus_named=belarus_named)
    )


def _other_capital(before: str, after: str, next_word: Sequence[str]) -> bool:
    """Tell whether the words beside a bare capital word say it is some other capital:
    an adjective ("северная столица", "абласной сталіцы") or a name after it ("столица
    России", "столица Полесья", "сталіца «Дажынак»")."""
    if _adjective(before):
        return True
    return bool(after) and (next_word[0][:1].isupper() or is_foreign_geoname(after))


def _adjective(word: str) -> bool:
    """Tell whether a folded word before a capital word is an adjective (no demonstrative)."""
    return word.endswith(_ADJECTIVE_ENDINGS) and word not in {"этой", "гэтай", "цій", "той"}


def _speaks_of_belarus(norms: Sequence[str], langs: Sequence[str], *, belarus_named: bool) -> bool:
    """Tell whether a Russian or Belarusian text speaks of Belarus and of no other capital
    (a Ukrainian «столиця» is Kyiv)."""
    if not set(langs) & {"ru", "be"} or any(norm.startswith(_OTHER_CAPITALS) for norm in norms):
        return False
    return belarus_named or any(norm.startswith(_BELARUS_STEMS) for norm in norms)


def town_adjective(norm: str) -> bool:
    """Tell whether a folded Cyrillic word looks like a town's adjective in -ск-/-цк-."""
    return is_cyrillic(norm) and bool(_TOWN_ADJECTIVE.search(norm))


def named_thing_beside(
    text: str, norms: Sequence[str], surfaces: Sequence[str], starts: Sequence[int], start: int
) -> bool:
    """Tell whether the one-word name at `start` is an adjective of a thing named in quotes
    right after it ("гродненским «Неманом»", "минское «Динамо»", "Salihorsk “Shakhtar”").

    A town named as a noun beside a club ("Dinamo Minsk", "«Шахтёр» Солигорск", "FC BATE
    Borisov") stays a place: the shared corpus's labels count it (the club's home town), and
    the figures that decide are labelled by the same rules; only the adjective form is left
    out there."""
    count = len(norms)
    end = starts[start] + len(surfaces[start])
    before = text[starts[start - 1] + len(surfaces[start - 1]) : starts[start]] if start else ""
    after = text[end : starts[start + 1]] if start + 1 < count else ""
    if start + 1 >= count or not surfaces[start + 1][:1].isupper():
        return False
    opens = len(after) > 1 and after[-1] in _OPENING_QUOTES and after[:-1].isspace()
    inside = bool(before) and before[-1] in _OPENING_QUOTES
    return opens and not inside and (town_adjective(norms[start]) or not is_cyrillic(norms[start]))


def street_beside(
    text: str, norms: Sequence[str], surfaces: Sequence[str], starts: Sequence[int], start: int
) -> bool:
    """Tell whether the one-word name at `start` names a street: a town's adjective right
    after or before a word for a street ("вуліца Дзяржынскага", "на Брестской улице"), or a
    Latin name before "Street" ("Minsk Street")."""
    count = len(norms)
    before = text[starts[start - 1] + len(surfaces[start - 1]) : starts[start]] if start else ""
    after_end = starts[start] + len(surfaces[start])
    after = text[after_end : starts[start + 1]] if start + 1 < count else ""
    norm = norms[start]
    if town_adjective(norm):
        if start > 0 and norms[start - 1] in STREET_WORDS and before.strip() in {"", "."}:
            return True
        return start + 1 < count and norms[start + 1] in STREET_WORDS and not after.strip()
    return (
        not is_cyrillic(norm)
        and start + 1 < count
        and norms[start + 1] in _STREET_AFTER_EN
        and surfaces[start + 1][:1].isupper()
        and not after.strip()
    )


def year_after(text: str, start: int) -> bool:
    """Tell whether a hyphen and a year follow the name (one word, with its year or not)
    that starts at `start`: an exercise's or an event's name ("Stolin-2024", «Березина-2023»),
    not the place."""
    return bool(_YEAR_AFTER.match(text, start))
