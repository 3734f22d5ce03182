"""The topic matcher: which catalog topics and places a report is about, and why.

Keywords are normalised once, when the matcher is built, into a `PhraseIndex` keyed by their
first word; a text is tokenized and normalised once and each of its words is looked up, so
the cost grows with the text, not with the catalog. A keyword of several words matches
consecutive words, with at most one other word between two of them ("troops will arrive"
hits "troops arrive"). A keyword word ending in `*` matches any word beginning with it,
unstemmed ("mobiliz*": "mobilized", not "mobile", which Snowball also reduces to "mobil").

A topic is dropped when one of its `exclude` phrases occurs anywhere in the text, and a
topic that lists `context` words needs one of them, or another topic, in the text too
("said" is a statement only in a text about something military).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Generic, TypeVar

from bot.matching.catalog import Catalog, default_catalog
from bot.matching.lang import detect_language
from bot.matching.normalize import (
    PhraseIndex,
    PhraseMatch,
    Token,
    model_name,
    normalize_word,
    tokenize,
)
from bot.matching.places import Place, PlaceIndex, default_places
from bot.models import Classification, TopicHit

_V = TypeVar("_V")
_PREFIX = "*"  # marks a prefix key, so "*ракет" never equals the stem "ракет"
_FAMILY_MIN = 3  # "Шахед-136" also counts as "Шахед"; "Су-30" does not count as "Су"


class _Role(StrEnum):
    """What a catalog phrase does when it occurs in a text."""

    KEYWORD = "keyword"
    EXCLUDE = "exclude"
    CONTEXT = "context"


@dataclass(frozen=True, slots=True)
class _Entry:
    """One catalog phrase as the index stores it."""

    topic: str
    phrase: str
    role: _Role


def normalize_phrase(phrase: str, lang: str | None = None) -> tuple[str, ...]:
    """Normalise a keyword phrase into the keys texts are matched by, one per word."""
    lang = lang or detect_language(phrase)
    keys: list[str] = []
    for piece in phrase.split():
        tokens = tokenize(piece)
        if not tokens:
            continue
        if piece.endswith(_PREFIX):
            keys.extend(normalize_word(token.norm, lang) for token in tokens[:-1])
            keys.append(_PREFIX + tokens[-1].norm)
        else:
            keys.extend(normalize_word(token.norm, lang) for token in tokens)
    return tuple(keys)


_KEY_CACHE_SIZE = 65_536


class _Vocabulary(Generic[_V]):
    """Normalised phrases with a value each, and the lookup of a text's words against them."""

    def __init__(self) -> None:
        self._index: PhraseIndex[_V] = PhraseIndex()
        self._prefixes: set[str] = set()
        self._longest_prefix = 0
        # A word's keys depend on the word, the language and the vocabulary only; news text
        # repeats its words, so ingest looks most of them up here instead of stemming again.
        self._key_cache: dict[tuple[str, str], frozenset[str]] = {}

    def add(self, phrase: str, lang: str | None, value: _V) -> None:
        """Normalise a phrase and register it with its value."""
        keys = normalize_phrase(phrase, lang)
        if not keys:
            raise ValueError(f"{phrase!r} has no words")
        for key in keys:
            if key.startswith(_PREFIX):
                self._prefixes.add(key[1:])
                self._longest_prefix = max(self._longest_prefix, len(key) - 1)
        self._index.add(keys, value)
        self._key_cache.clear()

    def find(self, tokens: Sequence[Token], lang: str) -> list[PhraseMatch[_V]]:
        """Find the registered phrases in tokenized text of a language."""
        return self._index.find([self._keys(token, lang) for token in tokens], max_gap=1)

    def _keys(self, token: Token, lang: str) -> frozenset[str]:
        """Return every key a word of the text can match a phrase word by."""
        cached = self._key_cache.get((token.norm, lang))
        if cached is None:
            if len(self._key_cache) >= _KEY_CACHE_SIZE:
                self._key_cache.clear()  # bounded: a hostile text of unique words cannot grow it
            cached = self._key_cache[(token.norm, lang)] = self._word_keys(token, lang)
        return cached

    def _word_keys(self, token: Token, lang: str) -> frozenset[str]:
        keys = {normalize_word(token.norm, lang)}
        if model_name(token.norm) is not None:
            family = token.norm.split("-", 1)[0]
            if len(family) >= _FAMILY_MIN:
                keys.add(normalize_word(family, lang))
        for length in range(1, min(len(token.norm), self._longest_prefix) + 1):
            if token.norm[:length] in self._prefixes:
                keys.add(_PREFIX + token.norm[:length])
        return frozenset(keys)


class Matcher:
    """Classifies texts by the topics of a catalog and the places of a list; built once."""

    def __init__(self, catalog: Catalog, places: Iterable[Place] = ()) -> None:
        self._topics = catalog.names()
        self._gated = frozenset(topic.name for topic in catalog.topics if topic.context)
        self._vocabulary: _Vocabulary[_Entry] = _Vocabulary()
        for topic in catalog.topics:
            for role, table in (
                (_Role.KEYWORD, topic.keywords),
                (_Role.EXCLUDE, topic.exclude),
                (_Role.CONTEXT, topic.context),
            ):
                for lang, phrases in table.items():
                    for phrase in phrases:
                        self._vocabulary.add(phrase, lang, _Entry(topic.name, phrase, role))
        self._places = PlaceIndex(places)

    @property
    def topics(self) -> tuple[str, ...]:
        """Return the topic ids this matcher finds, in catalog order."""
        return self._topics

    def classify(self, text: str) -> Classification:
        """Return the language, topics (in catalog order), places and the words that hit."""
        tokens = tokenize(text)
        lang = detect_language(text, tokens)
        hits: dict[str, dict[str, str]] = {}  # topic -> {text words: keyword}
        vetoed: set[str] = set()
        in_context: set[str] = set()
        for match in self._vocabulary.find(tokens, lang):
            entry = match.value
            if entry.role is _Role.EXCLUDE:
                vetoed.add(entry.topic)
            elif entry.role is _Role.CONTEXT:
                in_context.add(entry.topic)
            else:
                words = text[tokens[match.start].start : tokens[match.end - 1].end]
                hits.setdefault(entry.topic, {}).setdefault(words, entry.phrase)
        found = [topic for topic in self._topics if topic in hits and topic not in vetoed]
        # A gated topic stands only with its context or beside a topic that needs none.
        ungated = any(topic not in self._gated for topic in found)
        topics = tuple(
            topic for topic in found if topic not in self._gated or ungated or topic in in_context
        )
        return Classification(
            lang=lang,
            topics=topics,
            places=self._places.find_in_tokens(tokens),
            hits=tuple(
                TopicHit(
                    topic=topic,
                    words=tuple(hits[topic]),
                    keywords=tuple(dict.fromkeys(hits[topic].values())),
                )
                for topic in topics
            ),
        )

    def explain(self, text: str) -> Classification:
        """Return the classification of a text; its hits say which words hit which keywords."""
        return self.classify(text)


@cache
def default_matcher() -> Matcher:
    """Return a matcher over the shipped catalog and places, built once."""
    return Matcher(default_catalog(), default_places())


class KeywordMatcher:
    """Finds a user's own keywords in texts, normalised exactly like the catalog's."""

    def __init__(self, phrases: Iterable[str], lang: str | None = None) -> None:
        self._vocabulary: _Vocabulary[str] = _Vocabulary()
        for phrase in phrases:
            self._vocabulary.add(phrase, lang, phrase)

    def find(self, text: str) -> tuple[str, ...]:
        """Return the keywords that occur in a text, in order of first occurrence."""
        matches = self._vocabulary.find(tokenize(text), detect_language(text))
        return tuple(dict.fromkeys(match.value for match in matches))


def keyword_matcher(phrases: Iterable[str], lang: str | None = None) -> KeywordMatcher:
    """Build a matcher for a user's own keywords (a word ending in `*` is a prefix)."""
    return KeywordMatcher(phrases, lang)
