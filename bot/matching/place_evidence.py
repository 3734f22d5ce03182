"""The words around a place name that tell it is one: the evidence rule of `PlaceIndex`.

Many places of Belarus are named like ordinary words: Мир (peace), Цель (goal), Берёза
(birch), Перамога (victory), Snow. And a name's case forms reach far: "Сёння" (today)
reads like a form of Сянно. A name stands on its own when it is capitalised and is no
dictionary word; otherwise it needs evidence, one of:

- a preposition of place just before it ("в Мире", "ў Цэлі", "біля Лунинця", "near Mir");
- a word saying what kind of place it is ("деревня Пеньки", "город Мир", "г. Борисов",
  "the village of Mir", "Mir town");
- a capital letter inside a sentence: not its first word, not a word in capitals ("МИР"),
  not the second word of a capitalised pair ("День Победы", "Дзень Перамогі"), and not a
  personal name the analyser knows ("Мірру", the tennis player).

Which names are common words is decided from dictionaries, not listed here: the gazetteer
build marks the places whose names Hunspell (be, uk, en) lists in lower case or pymorphy3
knows as a Russian word with no geographic tag (`Place.common`), and a word of a text that
only looks like a name's form is checked where capitals say nothing against pymorphy3 (ru,
uk) and the Belarusian lemma table from hunspell-be (`is_dictionary_word`).

The word lists are the closed classes of four languages (prepositions, conjunctions,
the words for town, village, station, district, region): written out, as no library lists
them by meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache

from bot.matching import belarusian
from bot.matching.normalize import _analyser, fold, is_cyrillic  # the analysers, made once

# Prepositions that put something at, in, near, from or towards a place, folded.
PREPOSITIONS = frozenset(
    {
        # ru
        "в", "во", "на", "под", "подо", "у", "около", "возле", "близ", "вблизи", "из",
        "изо", "от", "ото", "до", "через", "за", "над", "к", "ко", "с", "со", "между",
        "по", "рядом", "неподалеку", "недалеко", "окрестностях", "районе",
        # be (a word-initial ў is folded to у)
        "ў", "пад", "каля", "ля", "з", "са", "ад", "да", "праз", "паміж", "па", "паблізу",
        "побач", "пры", "непадалёк", "недалёка", "ваколіцах", "раёне",
        # uk
        "під", "біля", "поблизу", "коло", "із", "зі", "від", "між", "поруч", "неподалік",
        "околицях", "районі",
        # en
        "in", "at", "near", "outside", "from", "to", "around", "toward", "towards", "into",
        "via", "inside", "across", "past", "outskirts", "nearby",
    }
)  # fmt: skip
# Words for what a place is, in the forms that stand before a name ("деревни Пеньки",
# "г. Борисова"), folded; abbreviations too.
PLACE_WORDS = frozenset(
    {
        # ru
        "город", "города", "городе", "городу", "городом", "г", "гор", "деревня", "деревни",
        "деревне", "деревню", "деревней", "дер", "д", "село", "села", "селе", "селу", "селом",
        "поселок", "поселка", "поселке", "поселком", "пос", "пгт", "агрогородок",
        "агрогородка", "агрогородке", "аг", "хутор", "хутора", "урочище", "урочища",
        "станция", "станции", "станцию", "станцией", "ст", "аэродром", "аэродрома",
        "аэродроме", "полигон", "полигона", "полигоне", "райцентр", "райцентре", "городок",
        "городке", "городка", "гарнизон", "гарнизоне",
        # be
        "горад", "горада", "горадзе", "гарадок", "гарадку", "вёска", "веска", "вёскі",
        "вескі", "вёсцы", "весцы", "вёску", "веску", "в", "вёс", "сяло", "сяла", "сяле",
        "пасёлак", "пасёлка", "пасёлку", "пасялак", "пасел", "аграгарадок", "аграгарадка",
        "аграгарадку", "станцыя", "станцыі", "станцыю", "аэрадром", "аэрадрома", "аэрадроме",
        "палігон", "палігона", "палігоне", "райцэнтр", "гарнізон",
        # uk
        "місто", "міста", "місті", "містом", "м", "селі", "селище", "селища",
        "селищі", "смт", "станція", "станції", "станцію", "аеродром", "аеродрому",
        "аеродромі", "полігон", "полігону", "полігоні", "містечко", "містечку",
        # en
        "town", "city", "village", "settlement", "station", "airfield", "airbase", "base",
        "range", "camp", "garrison",
    }
)  # fmt: skip
# English place words that follow a name ("Mir town", "Lida airbase").
PLACE_WORDS_AFTER = frozenset(
    {"town", "village", "city", "station", "airfield", "airbase", "garrison", "camp"}
)
# Words for the time of day: "по минскому времени", "за мінським часом", "Minsk time" name
# a time zone, not a place.
TIME_WORDS = frozenset(
    {"время", "времени", "временем", "час", "часу", "часом", "часе", "часі", "time"}
)
# Words for a river, in the forms that stand before its name ("реку Березина", "на рацэ
# Нёман", "the river Neman"), folded: a name right after one is the river, not a town
# named like it (Березина is a river, Березино a town; Свислочь is both).
RIVER_WORDS = frozenset(
    {
        "река", "реки", "реке", "реку", "рекой", "рекою", "речка", "речки", "речке", "речку",
        "рака", "ракі", "рацэ", "раку", "ракой", "рэчка", "рэчкі", "рэчцы", "рэчку",
        "річка", "річки", "річці", "річку", "річкою", "ріка", "ріки", "ріці", "ріку",
        "рікою", "river", "rzeka", "rzeki", "rzece", "rzekę", "rzeku", "raka", "raki", "racy",
        # and a lake's ("у озера Освейское", "на возеры Нарач"): a lake named like a town
        "озеро", "озера", "озере", "озеру", "озером", "возера", "возеры", "возеру", "возерам",
        "озері", "lake", "jezioro", "jeziora", "ezero", "рек", "рэк", "річок", "rivers",
    }
)  # fmt: skip
# The beginnings of the words for an airfield, folded: "на аэродроме под Бобруйском" and
# "авиабаза в Барановичах" name the air base of that town (with "air base" in English).
AIRFIELD_STEMS = (
    "аэродром", "аэрадром", "аеродром", "авиабаз", "авіябаз", "авіабаз", "летовищ",
    "airfield", "airbase", "aerodrom", "aerodrome", "avijabaz",
)  # fmt: skip
# Words that join the members of a list: "Минская и Гродненская области".
CONJUNCTIONS = frozenset({"и", "і", "й", "та", "а", "also", "and", "or", "или", "або", "ці"})
# The head words that name a raion or an oblast after its adjective, nominative; their case
# forms are found as names' are. English plurals are listed, as English words keep theirs.
# The adjectives of a council's name count too: "Гомельского областного исполкома" is the
# region, "Жлобинскага раённага выканкама" the raion.
HEAD_WORDS = {
    "raion": (
        "район", "раён", "district", "districts", "raion", "raions", "rayon", "rayons",
        "райисполком", "райвыканкам", "райвиконком", "р-н", "районный", "раённы",
        "районний",
    ),
    "oblast": (
        "область", "вобласць", "вобласьць", "абласць", "обл", "region", "regions", "oblast",
        "oblasts", "voblast", "voblasts", "облисполком", "аблвыканкам", "облвиконком",
        "областной", "абласны", "обласний",
    ),
    # Sites share theirs too: "на Брестском и Гожском полигонах", "the Brestsky and Gozhsky
    # training grounds", "на Лидском и Барановичском аэродромах".
    "training_ground": (
        "полигон", "палігон", "полігон", "training ground", "training grounds",
        "firing range", "firing ranges", "range", "ranges",
    ),
    "airfield": (
        "аэродром", "аэрадром", "аеродром", "авиабаза", "авіябаза", "авіабаза", "airfield",
        "airfields", "air base", "air bases", "airbase", "airbases",
    ),
}  # fmt: skip

_SENTENCE_END = frozenset(".!?:;…\n•·|#")
_OPENING = " \t\"'«„“”(—–-*_"
_PERSONAL = frozenset({"Name", "Patr"})
_PROPER = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Trad"})


def opens_sentence(text: str, start: int) -> bool:
    """Tell whether the word that starts at `start` is the first word of a sentence.

    A line's first word counts, as does one after an emoji, a bullet or a hashtag: a post's
    first words are capitalised whatever they are.
    """
    index = start - 1
    while index >= 0 and text[index] in _OPENING:
        index -= 1
    if index < 0:
        return True
    last = text[index]
    return last in _SENTENCE_END or not (last.isalnum() or last in ",)»”'\"")


def shouted(word: str) -> bool:
    """Tell whether a word is written in capitals, where a capital says nothing ("МИР")."""
    return len(word) > 1 and word.isupper()


def clean_gap(text: str, end: int, start: int, *, comma: bool = False) -> bool:
    """Tell whether only spaces and quotes (and with `comma`, one comma) lie between words."""
    gap = text[end:start]
    if comma:
        gap = gap.replace(",", "", 1)
    return all(ch.isspace() or ch in "\"'«»„“”" for ch in gap)


def comma_gap(text: str, end: int, start: int) -> bool:
    """Tell whether one comma, with only spaces and quotes around it, lies between words: the
    gap between two members of a comma list ("Гродно, Лида")."""
    return "," in text[end:start] and clean_gap(text, end, start, comma=True)


def bullet_gap(text: str, end: int, start: int) -> bool:
    """Tell whether a list's separator of lines lies between words: a semicolon or a comma
    at a line's end, a bullet or a dash opening the next ("Брагинский;\n • Лоевский")."""
    gap = text[end:start]
    marks = gap.replace(",", "", 1) if "," in gap else gap.replace(";", "", 1)
    return (";" in gap or "\n" in gap) and all(ch.isspace() or ch in "•▪·*-–—" for ch in marks)


def is_dictionary_word(word: str, langs: Sequence[str], names: AbstractSet[str]) -> bool:
    """Tell whether a word of a text is an ordinary word of its language rather than a name.

    Asked where a capital says nothing (a sentence's first word, a word in capitals), of a
    word that looks like a form of a place's name. It is an ordinary word when the
    dictionary of one of the text's languages (pymorphy3 for Russian and Ukrainian, the
    hunspell-be table for Belarusian) knows it, gives it no geographic or personal tag, and
    its lemma is not one of the place's `names` (one-word names, folded): "Військові" is an
    adjective, not a form of Vysokaye, and "Сёння" (today) is no form of Сянно; "Мінськ"
    is a noun of the Ukrainian dictionary but also the name itself.
    """
    folded = fold(word)
    if not is_cyrillic(folded):
        return False
    for lang in langs:
        lemmas = _lemmas(folded, lang)
        if lemmas is not None and names.isdisjoint(lemmas):
            return True
    return False


def is_russian_word(word: str) -> bool:
    """Tell whether pymorphy3 knows a folded word as a Russian word that is no name."""
    return _lemmas(word, "ru") is not None


def is_personal_name(word: str, langs: Sequence[str]) -> bool:
    """Tell whether the analyser reads a word first as a given name or a patronymic."""
    folded = fold(word)
    return is_cyrillic(folded) and any(_personal(folded, lang) for lang in langs)


_MORPH_LANGS = frozenset({"ru", "uk"})


@lru_cache(maxsize=4_096)
def _lemmas(folded: str, lang: str) -> tuple[str, ...] | None:
    """Return a known common word's lemmas, or None for a name or an unknown word.

    The Belarusian table (`bot.matching.belarusian`, from hunspell-be) keeps no tags: a
    name it knows is told apart by its lemma, which is the place's own name.
    """
    if lang == "be":
        return belarusian.lemmas(folded) or None
    if lang not in _MORPH_LANGS:
        return None
    parses = _analyser(lang).parse(folded)
    if not parses or not parses[0].is_known:
        return None
    if any(_PROPER & parse.tag.grammemes for parse in parses):
        return None
    return tuple(dict.fromkeys(fold(parse.normal_form) for parse in parses))


@lru_cache(maxsize=4_096)
def _personal(folded: str, lang: str) -> bool:
    """Tell whether a word's most probable reading is a given name or a patronymic."""
    if lang not in _MORPH_LANGS:
        return False
    parses = _analyser(lang).parse(folded)
    return bool(parses) and parses[0].is_known and bool(_PERSONAL & parses[0].tag.grammemes)
