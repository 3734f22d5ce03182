"""Places: a small gazetteer of Belarusian places and finding their names in a text.

The default list ships as `bot/data/places.toml` (its header documents the format). Names
are found in any case form and script: "в Ельске", "у Мазыры", "near Asipovichy",
"станцыі Асіповічы" and "Гомельской области" all resolve to a place id.

Place names are not stemmed with Snowball: it takes proper nouns for adjectives and verbs
("Слоним" → "слон", "Борисов" → "борис", "Урал" → "ура"), which both misses forms and
invents collisions. Instead each name is cut to its base (the nominative ending removed,
"Осиповичи" → "осипович") and a word of the text matches when it is that base plus any case
ending. Bases and words are compared as romanised skeletons (`skeleton`), so Russian,
Belarusian and Ukrainian spellings of one name meet ("Мозырь" and "Мозир"), and a Latin
spelling nobody listed still hits ("Osipovichi" is how "Осиповичи" romanises).
"""

from __future__ import annotations

import itertools
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from bot.matching.lang import LANGUAGES
from bot.matching.normalize import PhraseIndex, Token, is_cyrillic, tokenize, transliterate

PLACE_KINDS = frozenset({"oblast", "town", "airfield", "training_ground", "crossing", "station"})
_PLACE_FIELDS = frozenset({"id", "kind", "oblast", "lat", "lon", "names"})
_BASE_MIN = 3  # a shorter base would match common short words

# Nominative endings cut from a name to get its base ("Асіповічы" → "асіповіч").
_NOMINATIVE = (
    "ая", "яя", "ое", "ее", "ые", "ие", "ий", "ый", "ой", "ыя", "ія", "ае", "яе", "ій",
    "ь", "а", "я", "ы", "и", "і", "ї", "о", "е", "й",
)  # fmt: skip
# Case endings of nouns and adjectives in Russian, Belarusian and Ukrainian, any of which
# may follow a base in a text ("Мазыр|ы", "Гомельск|ой", "област|ью", "Бараньвіч|ах").
_CASE_ENDINGS = frozenset((
    "а", "я", "ы", "и", "і", "ї", "у", "ю", "о", "е", "є", "ь", "й", "ў",
    "ам", "ям", "ах", "ях", "ой", "ей", "ом", "ем", "ею", "ою", "ую", "юю", "ая", "яя", "ое",
    "ее", "ые", "ие", "ий", "ый", "ым", "им", "ых", "их", "ів", "ов", "ев", "ай", "яй", "ае",
    "яе", "ыя", "ія", "ім", "іх", "ої", "ій", "аў", "яў", "ью",
    "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "амі", "ямі", "ымі", "імі", "ага",
    "яга", "аму", "яму", "ові", "еві",
))  # fmt: skip
# Skeleton rules: spellings of one name in different romanisations become one string.
_DIGRAPHS = (
    ("shch", "shch"),
    ("kh", "h"),
    ("ts", "c"),
    ("ye", "e"),
    ("yu", "u"),
    ("ya", "a"),
    ("yo", "o"),
    ("yi", "i"),
    ("ie", "e"),
    ("ia", "a"),
    ("iu", "u"),
    ("io", "o"),
)
# j, y → i fold transliteration variants (Asipovichy/Asipovichi, Babrujsk/Babruysk); g → h
# folds the two readings of г (Gomel/Homel). Belarusian akanye (Mozyr/Mazyr) is not folded:
# o → a would make "Stalin" a spelling of Stolin; both spellings are listed instead.
_LETTERS = str.maketrans({"j": "i", "y": "i", "w": "v", "g": "h", "ł": "l"})


class PlacesError(ValueError):
    """The places file cannot be read or does not describe valid places."""


@dataclass(frozen=True, slots=True)
class Place:
    """One place: an id (its English name), what it is, where it is and its names."""

    id: str
    kind: str  # one of PLACE_KINDS
    oblast: str  # the id of the oblast (region) it lies in
    lat: float
    lon: float
    names: Mapping[str, tuple[str, ...]]  # language -> names and spellings


def load_places(path: Path | None = None) -> tuple[Place, ...]:
    """Read and check a places file; None reads the list shipped with Outpost."""
    if path is None:
        return default_places()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlacesError(f"{path}: cannot read the places file: {exc.strerror}") from exc
    return parse_places(data, str(path))


@cache
def default_places() -> tuple[Place, ...]:
    """Return the places shipped in the package, read once."""
    data = resources.files("bot").joinpath("data", "places.toml").read_bytes()
    return parse_places(data, "bot/data/places.toml")


def parse_places(data: bytes, source: str = "<places>") -> tuple[Place, ...]:
    """Parse and check the bytes of a places file; `source` names it in errors."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlacesError(f"{source}: not a valid TOML file: {exc}") from exc
    entries = document.get("place")
    if set(document) != {"place"} or not isinstance(entries, list) or not entries:
        raise PlacesError(f"{source}: expected only [[place]] tables")
    places = tuple(_place(index, entry, source) for index, entry in enumerate(entries, 1))
    seen: set[str] = set()
    for place in places:
        if place.id in seen:
            raise PlacesError(f"{source}: place id {place.id!r} is listed twice")
        seen.add(place.id)
    return places


def _place(index: int, entry: object, source: str) -> Place:
    """Build one place from its table, or raise PlacesError saying what is wrong."""
    where = f"{source}: place #{index}"
    if not isinstance(entry, dict):
        raise PlacesError(f"{where}: expected a table")
    unknown = set(entry) - _PLACE_FIELDS
    if unknown:
        raise PlacesError(f"{where}: unknown fields {sorted(unknown)}")
    place_id, kind, oblast = entry.get("id"), entry.get("kind"), entry.get("oblast")
    if not isinstance(place_id, str) or not place_id.strip():
        raise PlacesError(f"{where}: 'id' must be a non-empty string")
    where = f"{source}: place {place_id!r}"
    if kind not in PLACE_KINDS:
        raise PlacesError(f"{where}: unknown kind {kind!r}, expected one of {sorted(PLACE_KINDS)}")
    if not isinstance(oblast, str):
        raise PlacesError(f"{where}: 'oblast' must be a string")
    lat, lon = entry.get("lat"), entry.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        raise PlacesError(f"{where}: 'lat' and 'lon' must be numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise PlacesError(f"{where}: coordinates out of range")
    names = entry.get("names")
    if not isinstance(names, dict) or not names:
        raise PlacesError(f"{where}: 'names' must be a table of language = [\"name\", ...]")
    unknown = set(names) - set(LANGUAGES)
    if unknown:
        raise PlacesError(f"{where}: unknown languages {sorted(unknown)}")
    for lang, values in names.items():
        if not isinstance(values, list) or not all(
            isinstance(value, str) and tokenize(value) for value in values
        ):
            raise PlacesError(f"{where}: names.{lang} must be a list of names")
    return Place(
        id=place_id,
        kind=kind,
        oblast=oblast,
        lat=float(lat),
        lon=float(lon),
        names=MappingProxyType({lang: tuple(values) for lang, values in names.items()}),
    )


def skeleton(romanised: str) -> str:
    """Reduce a romanised name to a skeleton that different spellings of it share."""
    decomposed = unicodedata.normalize("NFKD", romanised.lower())
    text = "".join(ch for ch in decomposed if (ch.isalpha() and ch.isascii()) or ch == "ł")
    for old, new in _DIGRAPHS:
        text = text.replace(old, new)
    text = text.translate(_LETTERS)
    return "".join(ch for ch, _ in itertools.groupby(text))


def _name_bases(word: str) -> set[str]:
    """Return the bases of one folded Cyrillic name word: without its nominative ending."""
    base = word
    for ending in _NOMINATIVE:
        if word.endswith(ending) and len(word) - len(ending) >= _BASE_MIN:
            base = word[: -len(ending)]
            break
    bases = {base}
    # A fleeting vowel: "Лунинец" → "Лунинца", "Городок" → "Городка".
    for full, short in (("ец", "ц"), ("ок", "к"), ("ек", "к")):
        if base.endswith(full) and len(base) - 1 > _BASE_MIN:
            bases.add(base[: -len(full)] + short)
    return bases


def _token_keys(token: Token) -> frozenset[str]:
    """Return the keys a word of a text can match a name by."""
    return _word_keys(token.norm)


# Keys depend on the word alone, and news text repeats its words (Zipf): ingest classifies
# thousands of items a cycle, and computing skeletons was most of that time.
@lru_cache(maxsize=65_536)
def _word_keys(word: str) -> frozenset[str]:
    """Return the keys a folded word can match a name by."""
    if is_cyrillic(word):
        candidates = {word} | {
            word[: -len(ending)]
            for ending in (word[-3:], word[-2:], word[-1:])
            if ending in _CASE_ENDINGS and len(word) - len(ending) >= _BASE_MIN
        }
        return frozenset("c:" + skeleton(transliterate(c)) for c in candidates)
    if any(ch.isalpha() for ch in word):
        return frozenset({"l:" + skeleton(word)})
    return frozenset()


def _name_phrases(name: str, lang: str, *, town: bool = False) -> list[tuple[str, ...]]:
    """Return the key sequences one name can be found by."""
    words = [token.norm for token in tokenize(name)]
    if lang != "en" and all(is_cyrillic(word) for word in words):
        variants = [sorted(_name_bases(word)) for word in words]
        if town and len(words) == 1:
            # The town's adjective names its district and people: "Мозырский район",
            # "Мазырскага раёна", "осиповичские военные".
            variants[0] += [base + "ск" for base in variants[0] if not base.endswith("ск")]
        phrases = [
            tuple("c:" + skeleton(transliterate(b, lang)) for b in combo)
            for combo in itertools.product(*variants)
        ]
        # The romanised full name lets a Latin spelling nobody listed still hit.
        phrases.append(tuple("l:" + skeleton(transliterate(word, lang)) for word in words))
        return phrases
    return [tuple("l:" + skeleton(word) for word in words)]


class PlaceIndex:
    """Finds the places a text names; built once from a list of places."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._index: PhraseIndex[str] = PhraseIndex()
        for place in places:
            phrases = {
                phrase
                for lang, names in place.names.items()
                for name in names
                for phrase in _name_phrases(name, lang, town=place.kind == "town")
            }
            for phrase in phrases:
                self._index.add(phrase, place.id)

    def find(self, text: str) -> tuple[str, ...]:
        """Return the ids of the places a text names, in order of first mention."""
        return self.find_in_tokens(tokenize(text))

    def find_in_tokens(self, tokens: Sequence[Token]) -> tuple[str, ...]:
        """Return the ids of the places named by already tokenized text."""
        matches = self._index.find([_token_keys(token) for token in tokens], max_gap=0)
        # The longest name wins where names overlap: "Гомельская область" is the oblast,
        # not also the city of Gomel.
        taken: set[int] = set()
        chosen = []
        for match in sorted(matches, key=lambda m: (m.start - m.end, m.start)):
            span = set(range(match.start, match.end))
            if not span & taken:
                taken |= span
                chosen.append(match)
        ordered = (match.value for match in sorted(chosen, key=lambda m: m.start))
        return tuple(dict.fromkeys(ordered))
