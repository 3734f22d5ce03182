"""Word-form normalisation: tokens, normal forms and a phrase index over normalised words.

The catalog's keywords, users' own keywords and the texts that arrive are normalised the same
way, so one dictionary form in the catalog covers every inflected form in a text.

- Russian and Ukrainian go through pymorphy3, a real morphological analyser, with its
  OpenCorpora (ru) and LanguageTool/VESUM (uk) dictionaries: "учений", "учениях" → "учение";
  "навчань", "навчання" → "навчання"; "військкомату" → "військкомат". It also predicts the
  lemma of words missing from the dictionary from their endings. A word of a text keeps
  every lemma the analyser proposes ("стали": "стать" and "сталь"), a keyword its most
  probable one, so an ambiguous word in a text still meets the keyword it may stand for.
  The analysers are created once and lemmas are memoised.
- English goes through lemminflect's dictionary of lemmas per part of speech, so forms
  that are different words stay apart: "training" is the noun "training" and a form of
  the verb "train", but "trained" is only the verb, and a catalog word names the noun
  when it can be one ("military training" never matches "the military trained", "tank"
  never "tanked", "reinforcements" never "reinforced"). A key is the lemma with its part of
  speech ("train|v"); a catalog word written in an inflected form takes that form's part
  of speech ("drilled" is the verb). A Snowball stemmer merged all of these; stems checked
  against a list of collisions would need that list kept by hand for every new word.
  A word the dictionary lacks (names: "Iskander", "Hajun") keeps its own form and, if it
  reads like a plural, its singular.
- Abbreviations are never stemmed: a catalog word written in capitals ("САУ", "ПВО",
  "NATO") is kept as it is, and so is a short word in capitals in a text, with any
  lower-case ending cut ("БТРы" is "БТР"), so "САУ" is never "са", a Belarusian
  preposition. Model designations are one token with one canonical form (`model_name`).
- Ukrainian passive participles are adjectives in the dictionary ("перекинута" →
  "перекинутий"); their verb ("перекинути") is added when the dictionary knows it, as
  Russian participles already lemmatise to their verb ("переброшены" → "перебросить").
- Belarusian goes through `belarusian_forms`, the one function its lemmas come from. It
  has no pymorphy3 dictionary, and the Russian analyser gives it wrong lemmas
  (it reads "вучэнні" as an unknown word and guesses "вучэнний"). Its lemmas come from a
  table generated from the Belarusian Hunspell dictionary (`bot.matching.belarusian`:
  "вучэнні" → "вучэнне", "танкаў" → "танк", "перакінулі" → "перакінуць"), in the official
  or the classical spelling ("вучэньні"). A word the dictionary lacks goes through
  `light_stem`, a suffix stripper written here for Belarusian spelling: it removes one
  inflectional ending (case, number, gender, the common verb endings and the reflexive
  "-цца/-ся") inside the part of the word after its first vowel, then folds a doubled final
  consonant ("вучэнн" → "вучэн"); an unknown word of four letters or fewer is an
  abbreviation ("САУ", "ПВО") and is kept whole. Keywords and texts both go this way, so a
  word meets its keyword whether the dictionary knows it or not.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable, Collection, Hashable, Sequence
from functools import cache, lru_cache
from itertools import accumulate, compress, repeat
from typing import Generic, NamedTuple, TypeVar

import lemminflect
import pymorphy3

from bot.matching import belarusian

# Letters and digits, optionally joined by hyphens or apostrophes ("Т-72", "пад’ехалі").
# Possessive (++, *+): a run of letters never gives any back, which is what the greedy
# pattern would end with anyway, and the regex engine then keeps no backtracking state.
_TOKEN_RE = re.compile(r"[^\W_]++(?:[-'’ʼ`][^\W_]++)*+")
_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")  # the same words, as a group for re.split
_APOSTROPHES = "'’ʼ`"
_JOINERS = "-" + _APOSTROPHES  # what joins the parts of one word in _TOKEN_RE
_MODEL_RE = re.compile(r"^([^\W\d_]+)-(\d+)")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-z]")

# Letters that look alike in both scripts: a word typed on a mixed keyboard layout ("вучэннi"
# with a Latin i, common in Belarusian posts) is folded into the script of its majority.
_LATIN_TO_CYRILLIC = str.maketrans("aceiopxyk", "асеіорхук")
_CYRILLIC_TO_LATIN = str.maketrans("асеіорхук", "aceiopxyk")

# BGN/PCGN-like romanisation; the letters of all three languages are in one table because
# each letter has one reading in every language it belongs to, except г (g in Russian,
# h in Belarusian and Ukrainian) and и (i in Russian, y in Ukrainian).
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
    "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ў": "w", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_TRANSLIT_LANG = {"be": {"г": "h"}, "uk": {"г": "h", "и": "y"}}

_T = TypeVar("_T")
_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")

_VOWELS = frozenset("аеёиоуыэюяіїєaeiouy")

# Endings for `light_stem`, tried longest first. Belarusian and Ukrainian share most of them;
# each list keeps only what its language writes, so a Ukrainian "-ів" is never cut from a
# Belarusian word.
_REFLEXIVE = {"be": ("цца", "ся", "сь"), "uk": ("ться", "ся", "сь")}
_ENDINGS = {
    "be": (
        "аючы", "аюць", "яюць", "уюць", "ымі", "імі", "амі", "ямі", "ага", "яга", "аму",
        "яму", "ому", "алі", "ялі", "ылі", "ілі", "улі", "ала", "яла", "ыла", "іла", "ула",
        "аць", "яць", "іць", "ыць", "эць", "уць", "юць", "ая", "яя", "ае", "яе", "ую", "юю",
        "ыя", "ія", "ых", "іх", "ым", "ім", "ай", "яй", "ой", "ей", "ом", "ем", "ам", "ям",
        "ах", "ях", "аў", "яў", "оў", "еў", "ыў", "іў", "уў", "еш", "а", "я", "ы", "і", "у",
        "ю", "о", "е", "ь", "й", "ў",
    ),
    "uk": (
        "ували", "увати", "ують", "юють", "ають", "яють", "ими", "іми", "ами", "ями", "ого",
        "ому", "ати", "яти", "ити", "іти", "ути", "али", "яли", "или", "іли", "ули", "ала",
        "яла", "ила", "іла", "ула", "ать", "ить", "ють", "уть", "ува", "ий", "ій", "ої", "ою",
        "ею", "єю", "их", "іх", "им", "ім", "ом", "ем", "єм", "ам", "ям", "ах", "ях", "ів",
        "їв", "ей", "ає", "ує", "ює", "яє", "ав", "ив", "ув", "а", "я", "и", "і", "ї", "у",
        "ю", "о", "е", "є", "ь", "й",
    ),
}  # fmt: skip


class Memo(dict[_K, _V]):
    """A bounded memo of a pure function, read as a dict: `map(memo.__getitem__, keys)`.

    The per-word steps of reading a text (folding, normal forms, prefix and place keys) run
    for every word of every report, and words repeat within and across reports. Looked up
    through `map` over `__getitem__`, a known word costs one dict lookup in C: no Python
    frame per word, no key tuple and no recency list as `functools.lru_cache` keeps. Only
    a missing key calls the function (`__missing__`). When full, the memo starts over
    rather than tracking recency: a working set of words refills it quickly.
    """

    __slots__ = ("_function", "_limit")

    def __init__(self, function: Callable[[_K], _V], limit: int) -> None:
        super().__init__()
        self._function = function
        self._limit = limit

    def __missing__(self, key: _K) -> _V:
        value = self._function(key)
        if len(self) >= self._limit:
            self.clear()
        self[key] = value
        return value


class Token(NamedTuple):
    """One word of a text: as written, where it is, and lower-cased and folded.

    A named tuple rather than a frozen dataclass: every word of every report makes one, and
    a tuple is cheaper to create.
    """

    surface: str
    start: int
    end: int
    norm: str  # lower-cased, ё→е, apostrophes removed, look-alike letters in one script


@lru_cache(maxsize=131_072)
def fold(word: str) -> str:
    """Lower-case a word, fold ё→е and a word-initial ў→у, drop in-word apostrophes and unify
    look-alike letters."""
    word = unicodedata.normalize("NFC", word).lower().replace("ё", "е")
    if word.startswith("ў"):
        word = "у" + word[1:]  # Belarusian writes у as ў after a vowel: "на ўраджай"
    for mark in _APOSTROPHES:
        word = word.replace(mark, "")
    cyrillic = len(_CYRILLIC_RE.findall(word))
    latin = len(_LATIN_RE.findall(word))
    if cyrillic and latin and not _MODEL_RE.match(word):
        table = _LATIN_TO_CYRILLIC if cyrillic >= latin else _CYRILLIC_TO_LATIN
        word = word.translate(table)
    return word


_FOLDED: Memo[str, str] = Memo(fold, 131_072)  # `fold` for `tokenize`, looked up in C


def is_cyrillic(word: str) -> bool:
    """Tell whether a word has any Cyrillic letter."""
    return _CYRILLIC_RE.search(word) is not None


class Words(NamedTuple):
    """A text's words as parallel lists, one item per token: what tokens are made of.

    Reading a report needs whole tokens only at the few words that hit something; kept
    apart, its words cost no tuple each.
    """

    surfaces: list[str]
    starts: list[int]
    ends: list[int]
    norms: list[str]


def split_words(text: str) -> Words:
    """Split a text into words as `tokenize` does, as parallel lists rather than tokens.

    Every word of every text passes here, so the common case runs in C: `re.split` with a
    capturing group yields the gaps and the words in turn, the running sum of their lengths
    gives each word's offsets, and `map` folds them without a Python-level call per word.
    Only the rare chunks joined by hyphens or apostrophes are split in Python.
    """
    parts = _SPLIT_RE.split(text)
    surfaces = parts[1::2]
    offsets = list(accumulate(map(len, parts), initial=0))
    starts, ends = offsets[1:-1:2], offsets[2::2]  # offsets[-1] is the text's end
    norms = list(map(_FOLDED.__getitem__, surfaces))
    # A word is joined (not all letters and digits) only by one of these marks: a text
    # without any has none, which a few substring scans tell sooner than a test per word.
    if not any(map(text.__contains__, _JOINERS)) or all(map(str.isalnum, surfaces)):
        return Words(surfaces, starts, ends, norms)
    joined = list(compress(range(len(surfaces)), map(operator.not_, map(str.isalnum, surfaces))))
    for index in reversed(joined):  # from the end, so earlier indices stay valid
        pieces = _pieces(surfaces[index], starts[index])
        place = slice(index, index + 1)
        surfaces[place] = [piece.surface for piece in pieces]
        starts[place] = [piece.start for piece in pieces]
        ends[place] = [piece.end for piece in pieces]
        norms[place] = [piece.norm for piece in pieces]
    return Words(surfaces, starts, ends, norms)


def tokenize(text: str) -> list[Token]:
    """Split a text into word tokens, keeping model names such as "Т-72" or "Су-30СМ" whole."""
    return list(map(tuple.__new__, repeat(Token), zip(*split_words(text), strict=True)))


def _pieces(chunk: str, base: int) -> list[Token]:
    """Split a chunk joined by hyphens or apostrophes into its tokens."""
    if "-" in chunk and any(ch.isdigit() for ch in chunk):
        pieces = [(0, chunk)]  # a designation: one token, "Т-72А", "Ил-76", "2-1"
    elif is_cyrillic(chunk):
        # Hyphens join two words ("военно-транспортный"); apostrophes are part of a
        # Belarusian or Ukrainian word ("пад’ехалі", "об'єкт").
        pieces = _split(chunk, "-")
    else:
        # In Latin text an apostrophe ends the word: "Belarus's" is "Belarus" + "s".
        pieces = _split(chunk, "-" + _APOSTROPHES)
    return [
        Token(piece, base + offset, base + offset + len(piece), fold(piece))
        for offset, piece in pieces
    ]


def _split(chunk: str, separators: str) -> list[tuple[int, str]]:
    """Split a chunk at any of the separators, keeping each piece's offset."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for index, char in enumerate(chunk + separators[0]):
        if char in separators:
            if index > start:
                pieces.append((start, chunk[start:index]))
            start = index + 1
    return pieces


def transliterate(text: str, lang: str = "ru") -> str:
    """Romanise Cyrillic text in a BGN/PCGN-like way ("Асіповічы" → "asipovichy")."""
    table = _TRANSLIT | _TRANSLIT_LANG.get(lang, {})
    return "".join(table.get(char, char) for char in text.lower())


def model_name(word: str) -> str | None:
    """Return the canonical form of a designation ("Су-30СМ" → "su-30"), else None."""
    match = _MODEL_RE.match(fold(word))
    if match is None:
        return None
    # Latin and Cyrillic spellings meet: "Т-72" and "T-72" are both "t-72", and the variant
    # letters after the number ("Т-72Б3", "МиГ-31К") are dropped so the family matches.
    return f"{transliterate(match.group(1))}-{match.group(2)}"


def light_stem(word: str, lang: str) -> str:
    """Strip one inflectional ending from a folded Belarusian or Ukrainian word."""
    for ending in _REFLEXIVE[lang]:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    # The ending must lie after the first vowel (Snowball's "RV" region), so short words
    # and the stem's own letters are never cut.
    first_vowel = next((i for i, ch in enumerate(word) if ch in _VOWELS), len(word))
    region = len(word) - first_vowel - 1
    for ending in _ENDINGS[lang]:
        if word.endswith(ending) and len(ending) <= region:
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _VOWELS:
        word = word[:-1]  # "навчанн" (навчання) and "навчан" (навчань) meet
    return word


@cache
def _analyser(lang: str) -> pymorphy3.MorphAnalyzer:
    """Create the pymorphy3 analyser of a language ("ru" or "uk") once."""
    return pymorphy3.MorphAnalyzer(lang=lang)


_MORPH_LANGS = frozenset({"ru", "uk"})
_ABBREVIATION_MAX = 4  # an unknown Belarusian word this short is kept whole: "САУ", "РСЗА"
_MAX_LEMMAS = 3  # a text word's most probable lemmas; the rest are dictionary noise


# A word in capitals, perhaps with a short lower-case ending: "САУ", "ПВО", "NATO", "БТРы".
_ABBREVIATION_RE = re.compile(r"^([^\W\d_a-zа-яёіїєґў]{2,})([a-zа-яёіїєґў]{0,3})$")
_CAPITALS_MAX = 5  # longer words in capitals are a headline's, and are lemmatised


def abbreviation(surface: str) -> str | None:
    """Return the folded abbreviation a word as written is ("САУ" → "сау", "БТРы" → "бтр"),
    or None when it is not one; an abbreviation is never stemmed."""
    match = _ABBREVIATION_RE.match(surface)
    if match is None or len(match.group(1)) > _CAPITALS_MAX:
        return None
    return fold(match.group(1))


@lru_cache(maxsize=131_072)
def word_forms(word: str, lang: str) -> tuple[str, ...]:
    """Return the normal forms of a text word, the most probable first.

    The first is what a catalog or user keyword written as this word is stored as
    (`normalize_word`); a text word is looked up by all of them.
    """
    folded = fold(word)
    model = model_name(folded)
    if model is not None:
        return (model,)
    if not any(ch.isalpha() for ch in folded):
        return (folded,)
    if not is_cyrillic(folded):
        # A Latin word is English even inside a Cyrillic text ("Wagner", "HIMARS").
        return english_forms(folded)
    if lang == "be":
        return belarusian_forms(folded)
    # A Cyrillic word in an English text is most likely a Russian name or quote.
    analyser = _analyser(lang if lang in _MORPH_LANGS else "ru")
    lemmas: dict[str, None] = {}
    for parse in analyser.parse(folded):
        lemmas.setdefault(fold(parse.normal_form), None)
        if len(lemmas) == _MAX_LEMMAS:
            break
    if lang == "uk":
        for lemma in list(lemmas):
            for verb in _participle_verbs(lemma):
                lemmas.setdefault(verb, None)
    for lemma in list(lemmas):
        base = _non_reflexive(lemma, lang)
        if base is not None:
            lemmas.setdefault(base, None)
    return tuple(lemmas) or (folded,)


# Reflexive infinitive endings and the plain verb's, per language the analyser reads.
_REFLEXIVE_INFINITIVES = {
    "ru": (("ться", "ть"), ("чься", "чь"), ("тись", "ти")),
    "uk": (("тися", "ти"), ("тись", "ти")),
}


@lru_cache(maxsize=16_384)
def _non_reflexive(lemma: str, lang: str) -> str | None:
    """Return the plain verb of a reflexive infinitive when the dictionary knows it
    ("переместиться" → "переместить", "перекинутися" → "перекинути"), else None.

    A text word gets it as one more form, so a catalog verb in dictionary form meets its
    reflexive forms ("переместились") without the catalog listing both; a keyword is never
    stored as it (`normalize_word` takes the first form).
    """
    endings = _REFLEXIVE_INFINITIVES.get(lang if lang in _MORPH_LANGS else "ru", ())
    for ending, plain in endings:
        if lemma.endswith(ending) and len(lemma) - len(ending) >= _BELARUSIAN_STEM_MIN:
            verb = lemma[: -len(ending)] + plain
            if _is_infinitive(_analyser(lang if lang in _MORPH_LANGS else "ru"), verb):
                return verb
    return None


def belarusian_forms(folded: str) -> tuple[str, ...]:
    """Return the normal forms of a folded Belarusian word, the most probable first.

    The one place Belarusian lemmas come from: the catalog, users' keywords and texts all
    reach it through `word_forms`.
    """
    known = belarusian.lemmas(folded)
    if known:
        verbs = [verb for lemma in known for verb in _belarusian_verbs(lemma)]
        return tuple(dict.fromkeys((*known, *verbs))) if verbs else known
    # A word the dictionary lacks: its ending stripped, unless it is short enough to be
    # an abbreviation ("САУ" must not become the preposition "са").
    spelled = belarusian.fold_classical(folded)
    return (spelled if len(spelled) <= _ABBREVIATION_MAX else light_stem(spelled, "be"),)


# Belarusian participle endings (adjective lemmas in the table: "перакінуты") and reflexive
# infinitives ("размясціцца"), with the endings of the verbs they come from.
_BELARUSIAN_VERB_ENDINGS = (
    ("нуты", "нуць"), ("аваны", "аваць"), ("ываны", "ываць"), ("аны", "аць"), ("яны", "яць"),
    ("ведзены", "весці"), ("ены", "іць"), ("ыты", "ыць"), ("іты", "іць"), ("цца", "ць"),
)  # fmt: skip
_BELARUSIAN_STEM_MIN = 1  # "у-ведзены": a short prefix; the table vouches for the verb


@lru_cache(maxsize=16_384)
def _belarusian_verbs(lemma: str) -> tuple[str, ...]:
    """Return the verb a Belarusian participle or reflexive infinitive comes from, when the
    table knows it ("перакінуты" → "перакінуць", "размясціцца" → "размясціць")."""
    for ending, infinitive in _BELARUSIAN_VERB_ENDINGS:
        if lemma.endswith(ending) and len(lemma) - len(ending) >= _BELARUSIAN_STEM_MIN:
            verb = lemma[: -len(ending)] + infinitive
            return (verb,) if verb in belarusian.lemmas(verb) else ()
    return ()


# Endings of Ukrainian passive participles (adjective lemmas) and of their verbs' infinitives,
# longest first; consonants alternate before -ений ("переміщений" ← "перемістити").
_PARTICIPLE_ENDINGS = (
    ("ований", ("увати",)),
    ("аний", ("ати",)),
    ("яний", ("яти",)),
    ("тий", ("ти",)),
    ("ений", ("ити", "іти")),
    ("єний", ("їти", "ити")),
)
_ALTERNATIONS = {
    "дж": ("д",), "щ": ("ст", "ск", "щ"), "ж": ("д", "з", "ж"), "ч": ("т", "к", "ч"),
    "ш": ("с", "х", "ш"), "вл": ("в",), "бл": ("б",), "пл": ("п",), "мл": ("м",),
    "фл": ("ф",),
}  # fmt: skip


@lru_cache(maxsize=16_384)
def _participle_verbs(lemma: str) -> tuple[str, ...]:
    """Return the infinitives a Ukrainian participle lemma comes from, as the dictionary knows
    them ("перекинутий" → "перекинути", "мобілізований" → "мобілізувати")."""
    for ending, infinitives in _PARTICIPLE_ENDINGS:
        if not lemma.endswith(ending) or len(lemma) - len(ending) < 3:
            continue
        stem = lemma[: -len(ending)]
        stems = [stem]
        if ending == "ений":
            for tail, sources in _ALTERNATIONS.items():
                if stem.endswith(tail):
                    stems = [stem[: -len(tail)] + source for source in sources]
                    break
        analyser = _analyser("uk")
        found = tuple(
            verb
            for candidate in stems
            for infinitive in infinitives
            if _is_infinitive(analyser, verb := candidate + infinitive)
        )
        if found:
            return found
    return ()


_VERB_TAGS = frozenset({"VERB", "INFN"})  # the Ukrainian dictionary tags an infinitive VERB


def _is_infinitive(analyser: pymorphy3.MorphAnalyzer, word: str) -> bool:
    """Tell whether the dictionary knows a word as an infinitive (not a guess)."""
    return any(
        parse.is_known and parse.tag.POS in _VERB_TAGS and parse.normal_form == word
        for parse in analyser.parse(word)
    )


# lemminflect's parts of speech, as the one letter an English key carries.
_POS = {"NOUN": "n", "PROPN": "n", "VERB": "v", "AUX": "v", "ADJ": "a", "ADV": "r"}
_POS_ORDER = ("NOUN", "PROPN", "VERB", "AUX", "ADJ", "ADV")  # a keyword's reading: noun first


@lru_cache(maxsize=65_536)
def english_forms(folded: str) -> tuple[str, ...]:
    """Return an English word's lemmas with their parts of speech, a noun's first.

    "training" → ("training|n", "train|v"), "trained" → ("train|v",): a text word is looked up
    by every reading it has, a keyword is stored as its first (a noun where it can be one).
    A word the dictionary lacks keeps its own form, and its singular if it reads as a plural.
    """
    readings = lemminflect.getAllLemmas(folded)
    if not readings:
        if len(folded) > 3 and folded.endswith("s") and not folded.endswith(("ss", "us")):
            singular = lemminflect.getAllLemmasOOV(folded, "NOUN").get("NOUN", ())
            return tuple(dict.fromkeys((folded, *map(fold, singular))))
        return (folded,)
    forms: dict[str, None] = {}
    for pos in _POS_ORDER:
        for lemma in readings.get(pos, ()):
            forms.setdefault(f"{fold(lemma)}|{_POS[pos]}", None)
    return tuple(forms) or (folded,)


def english_verb(folded: str) -> str | None:
    """Return the key of an English word read as a verb ("reach" → "reach|v"), or None when
    the dictionary has no verb reading of it.

    A catalog word is stored as a noun where it can be one; "to reach" names the verb, and
    every form of it ("reaches", "reaching", "reached") has this key among its readings.
    """
    return next((form for form in english_forms(folded) if form.endswith("|v")), None)


_PROPER = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn"})


@lru_cache(maxsize=65_536)
def is_common_word(word: str, lang: str) -> bool:
    """Tell whether a Russian or Ukrainian word is a dictionary word, not a proper name.

    Used where capitals say nothing (a sentence's first word): "Військові" is an adjective,
    not the village of Vysokaye. Belarusian and Latin words are never judged common.
    """
    folded = fold(word)
    if not is_cyrillic(folded) or lang not in _MORPH_LANGS:
        return False
    parses = _analyser(lang).parse(folded)
    return all(parse.is_known for parse in parses[:1]) and not any(
        _PROPER & set(parse.tag.grammemes) for parse in parses
    )


def normalize_word(word: str, lang: str) -> str:
    """Reduce a word to the normal form keywords are stored in (its most probable lemma)."""
    return word_forms(word, lang)[0]


class PhraseMatch(NamedTuple, Generic[_T]):
    """One phrase found in a token sequence: tokens start..end (exclusive) and its value.

    A named tuple, not a frozen dataclass: a report makes dozens of them, and a frozen
    dataclass sets each field through `object.__setattr__`.
    """

    start: int
    end: int
    value: _T


_new_tuple = tuple.__new__


class PhraseIndex(Generic[_T]):
    """Phrases of normalised keys, looked up by their first two keys; built once, read often.

    Keying multi-word phrases by their first and second words keeps the work per word of a
    text small even when thousands of phrases start with the same word ("колонна Мозырь",
    "колонна Ельск", ...), as subscribers' own keywords do.
    """

    def __init__(self) -> None:
        # first key -> (the one-word phrases' values, {second key: [(phrase, value)]})
        self._heads: dict[str, tuple[list[_T], dict[str, list[tuple[tuple[str, ...], _T]]]]] = {}
        self._firsts: set[str] = set()  # every first key: most words of a text are not one
        # Whether a word's keys hold a first key. Memoised by the keys: a word's keys are
        # one frozenset, made once (and kept) by the caller's own memo, whose hash is kept.
        self._starts: Memo[frozenset[str], bool] = Memo(self._may_start, 65_536)

    def add(self, keys: Sequence[str], value: _T) -> None:
        """Register a phrase (one key per word) that yields `value` when found."""
        if not keys:
            raise ValueError("a phrase needs at least one word")
        self._firsts.add(keys[0])
        self._starts.clear()
        single, multi = self._heads.setdefault(keys[0], ([], {}))
        if len(keys) == 1:
            single.append(value)
        else:
            multi.setdefault(keys[1], []).append((tuple(keys), value))

    def remove(self, keys: Sequence[str], value: _T) -> bool:
        """Forget one registration of a phrase with this value; False if it had none.

        Containers left empty go too, so an index that had phrases added and removed is
        the index it was before: nothing a chat stopped using costs a later lookup.
        """
        if not keys or keys[0] not in self._heads:
            return False
        single, multi = self._heads[keys[0]]
        if len(keys) == 1:
            if value not in single:
                return False
            single.remove(value)
        else:
            phrases = multi.get(keys[1], [])
            entry = (tuple(keys), value)
            if entry not in phrases:
                return False
            phrases.remove(entry)
            if not phrases:
                del multi[keys[1]]
        if not single and not multi:
            del self._heads[keys[0]]
            self._firsts.discard(keys[0])
            self._starts.clear()
        return True

    def __len__(self) -> int:
        """Return how many phrase registrations the index holds."""
        return sum(
            len(single) + sum(map(len, multi.values())) for single, multi in self._heads.values()
        )

    def _may_start(self, keys: frozenset[str]) -> bool:
        """Tell whether a word with these keys may start a phrase."""
        return not self._firsts.isdisjoint(keys)

    def find(self, token_keys: Sequence[frozenset[str]], max_gap: int = 1) -> list[PhraseMatch[_T]]:
        """Find every phrase whose words occur in order, at most `max_gap` words apart."""
        found: list[PhraseMatch[_T]] = []
        count = len(token_keys)
        heads = self._heads
        # Only the words that may start a phrase, picked in C: most words of a text start none.
        starts = compress(range(count), map(self._starts.__getitem__, token_keys))
        for start in starts:
            for key in token_keys[start]:
                head = heads.get(key)
                if head is None:
                    continue
                single, seconds = head
                for value in single:
                    # PhraseMatch(start, start + 1, value) without its __new__'s Python frame
                    found.append(_new_tuple(PhraseMatch, (start, start + 1, value)))
                if not seconds:
                    continue
                tried: set[int] = set()  # a phrase's second word counts where it first occurs
                for position in range(start + 1, min(start + max_gap + 2, count)):
                    for second in token_keys[position]:
                        for phrase, value in seconds.get(second, ()):
                            if id(phrase) in tried:
                                continue
                            tried.add(id(phrase))
                            end = _match_rest(phrase[1:], token_keys, position, max_gap)
                            if end is not None:
                                found.append(PhraseMatch(start, end, value))
        return found


def _match_rest(
    phrase: tuple[str, ...], token_keys: Sequence[Collection[str]], start: int, max_gap: int
) -> int | None:
    """Return the end of a phrase whose first word is at `start`, or None if it is not there."""
    position = start + 1
    for key in phrase[1:]:
        window = range(position, min(position + max_gap + 1, len(token_keys)))
        hit = next((index for index in window if key in token_keys[index]), None)
        if hit is None:
            return None
        position = hit + 1
    return position
