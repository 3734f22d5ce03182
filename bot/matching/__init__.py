"""Matching: which topics and places a report is about, in Russian, Belarusian, Ukrainian
and English.

`lang` tells the language, `normalize` reduces words to the forms keywords are compared in,
`catalog` reads the topic catalog (`bot/data/catalog.toml`), `places` the gazetteer
(`bot/data/places.toml`), and `matcher` puts them together: a `Matcher` is built once and
`classify(text)` returns a `bot.models.Classification`. No I/O happens after start-up.
"""

from bot.matching.catalog import (
    Catalog,
    CatalogError,
    Topic,
    default_catalog,
    load_catalog,
    resolve_topic,
)
from bot.matching.lang import LANGUAGES, detect_language
from bot.matching.matcher import (
    KeywordMatcher,
    Matcher,
    default_matcher,
    keyword_matcher,
    normalize_phrase,
)
from bot.matching.normalize import Token, normalize_word, tokenize, transliterate
from bot.matching.places import Place, PlaceIndex, PlacesError, default_places, load_places
from bot.models import Severity

__all__ = [
    "LANGUAGES",
    "Catalog",
    "CatalogError",
    "KeywordMatcher",
    "Matcher",
    "Place",
    "PlaceIndex",
    "PlacesError",
    "Severity",
    "Token",
    "Topic",
    "default_catalog",
    "default_matcher",
    "default_places",
    "detect_language",
    "keyword_matcher",
    "load_catalog",
    "load_places",
    "normalize_phrase",
    "normalize_word",
    "resolve_topic",
    "tokenize",
    "transliterate",
]
