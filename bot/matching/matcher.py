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

Senses are local: a topic's `[[senses]]` rule keeps a keyword hit only when its `near`
phrases occur within `within` words of it, in the same sentence, and its `not_near`
phrases do not ("учение" next to "Аристотеля" is a doctrine, "drill" next to "fire" is a
school evacuation). A classification's `notes` list the hits a rule dropped and why
(`outpost explain` prints them).

The language of a text decides how its words are normalised; when its letters cannot tell
Ukrainian from Russian or Belarusian (no letter only one of them writes), each word is read
in every language it may be in and all its normal forms are looked up.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Generic, TypeVar

from bot.matching.catalog import Catalog, Sense, Topic, default_catalog
from bot.matching.lacinka import cyrillic_norm, is_lacinka
from bot.matching.lang import detect_language, language_candidates
from bot.matching.normalize import (
    Memo,
    PhraseIndex,
    PhraseMatch,
    Token,
    model_name,
    normalize_word,
    split_words,
    tokenize,
    word_forms,
)
from bot.matching.places import Place, PlaceIndex, default_places
from bot.models import Classification, Severity, TopicHit

_V = TypeVar("_V")
_PREFIX = "*"  # marks a prefix key, so "*ракет" never equals the stem "ракет"
_FAMILY_MIN = 3  # "Шахед-136" also counts as "Шахед"; "Су-30" does not count as "Су"


class _Role(StrEnum):
    """What a catalog phrase does when it occurs in a text."""

    KEYWORD = "keyword"
    EXCLUDE = "exclude"
    CONTEXT = "context"
    NEAR = "near"
    NOT_NEAR = "not_near"


_Hits = dict[str, dict[str, str]]  # topic -> {text words: keyword}
_Graded = dict[str, dict[str, tuple[Severity, str]]]  # topic -> {text words: grade}
# A topic's sense rule with its number among the topic's rules (which `near` is keyed by).
_Rule = tuple[int, Sense]


@dataclass(frozen=True, slots=True)
class _Entry:
    """One catalog phrase as the index stores it.

    A keyword's entry also carries the rules of its topic that govern it, worked out when
    the matcher is built: a text hits dozens of keywords, most of them governed by none.
    """

    topic: str
    phrase: str
    role: _Role
    sense: int = -1  # the index of the topic's sense rule, for NEAR and NOT_NEAR
    filters: tuple[_Rule, ...] = ()  # the filtering rules that govern this keyword
    grades: tuple[_Rule, ...] = ()  # the grading rules, when its topic's hits are graded


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


@dataclass(frozen=True, slots=True)
class Reading:
    """A text read once: its words and the languages they are normalised in.

    The words are kept as parallel tuples, one item per token, rather than as `Token`s:
    matching reads whole tokens only where something hit (see `Words`).
    """

    text: str
    surfaces: tuple[str, ...]  # each word as written
    starts: tuple[int, ...]  # where each word starts in the text
    ends: tuple[int, ...]  # and where it ends
    norms: tuple[str, ...]  # each word lower-cased and folded (`Token.norm`), łacinka in Cyrillic
    langs: tuple[str, ...]
    forms: tuple[frozenset[str], ...]  # each word's normal forms, before any prefix keys

    def keys(self) -> frozenset[str]:
        """Return every normal form of every word of the text."""
        return frozenset().union(*self.forms)


def read(text: str) -> Reading:
    """Tokenize a text, tell the languages it may be in and normalise its words, once."""
    words = split_words(text)
    surfaces, starts, ends = tuple(words.surfaces), tuple(words.starts), tuple(words.ends)
    norms = tuple(words.norms)
    langs = language_candidates(text, norms=norms)
    if langs == ("be",) and is_lacinka(text, norms):
        norms = tuple(map(cyrillic_norm, norms))  # łacinka, read in Cyrillic, shown as written
    forms = tuple(map(_forms_in(langs).__getitem__, norms))
    return Reading(text, surfaces, starts, ends, norms, langs, forms)


# The normal forms of folded words, per tuple of languages a text may be in (a handful),
# each memo bounded: most texts are in one language, a few in another.
_FORMS: dict[tuple[str, ...], Memo[str, frozenset[str]]] = {}
_FORMS_LIMIT = 65_536


def _reading(text: str, tokens: Sequence[Token], langs: tuple[str, ...]) -> Reading:
    """Build a reading of tokens whose languages are known."""
    surfaces = tuple(token.surface for token in tokens)
    starts = tuple(token.start for token in tokens)
    ends = tuple(token.end for token in tokens)
    norms = tuple(token.norm for token in tokens)
    forms = tuple(map(_forms_in(langs).__getitem__, norms))
    return Reading(text, surfaces, starts, ends, norms, langs, forms)


def _forms_in(langs: tuple[str, ...]) -> Memo[str, frozenset[str]]:
    """Return the memo of folded words' normal forms in these languages."""
    forms = _FORMS.get(langs)
    if forms is None:
        forms = _FORMS[langs] = Memo(functools.partial(_base_keys, langs=langs), _FORMS_LIMIT)
    return forms


def _base_keys(norm: str, langs: tuple[str, ...]) -> frozenset[str]:
    """Return the keys a folded word matches phrase words by, in any of the languages."""
    keys: set[str] = set()
    for lang in langs:
        keys.update(word_forms(norm, lang))
    if model_name(norm) is not None:
        family = norm.split("-", 1)[0]
        if len(family) >= _FAMILY_MIN:
            keys.add(normalize_word(family, langs[0]))
    return frozenset(keys)


class Vocabulary(Generic[_V]):
    """Normalised phrases with a value each, and the lookup of a text's words against them."""

    def __init__(self) -> None:
        self._index: PhraseIndex[_V] = PhraseIndex()
        # prefix -> how many registered phrases end in it (`remove` forgets unused ones)
        self._prefixes: dict[str, int] = {}
        self._longest_prefix = 0
        # (folded word, its normal forms) -> the keys it is looked up by, prefixes included.
        # Keyed by both, as the forms a word has depend on the languages of its text.
        self._prefixed: Memo[tuple[str, frozenset[str]], frozenset[str]] = Memo(
            self._with_prefixes, 65_536
        )

    def add(self, phrase: str, lang: str | None, value: _V) -> tuple[str, ...]:
        """Normalise a phrase and register it with its value; return its keys."""
        keys = normalize_phrase(phrase, lang)
        if not keys:
            raise ValueError(f"{phrase!r} has no words")
        for key in keys:
            if key.startswith(_PREFIX):
                self._prefixes[key[1:]] = self._prefixes.get(key[1:], 0) + 1
                self._longest_prefix = max(self._longest_prefix, len(key) - 1)
                self._prefixed.clear()
        self._index.add(keys, value)
        return keys

    def remove(
        self, phrase: str, lang: str | None, value: _V, keys: tuple[str, ...] | None = None
    ) -> None:
        """Forget a phrase registered with `add` (the same phrase, language and value).

        `keys` are what `add` returned, if the caller kept them: normalising again costs
        more than the rest.
        """
        if keys is None:
            keys = normalize_phrase(phrase, lang)
        if not self._index.remove(keys, value):
            return
        for key in keys:
            if key.startswith(_PREFIX):
                left = self._prefixes.get(key[1:], 0) - 1
                if left > 0:
                    self._prefixes[key[1:]] = left
                else:
                    self._prefixes.pop(key[1:], None)
                self._longest_prefix = max(map(len, self._prefixes), default=0)
                self._prefixed.clear()

    def __len__(self) -> int:
        """Return how many phrases are registered."""
        return len(self._index)

    def find(self, tokens: Sequence[Token], langs: Sequence[str]) -> list[PhraseMatch[_V]]:
        """Find the registered phrases in tokenized text that may be in these languages."""
        return self.find_in(_reading("", tuple(tokens), tuple(langs)))

    def find_in(self, reading: Reading) -> list[PhraseMatch[_V]]:
        """Find the registered phrases in a text read once."""
        keys: Sequence[frozenset[str]] = reading.forms
        if self._prefixes:
            words = zip(reading.norms, keys, strict=True)
            keys = list(map(self._prefixed.__getitem__, words))
        return self._index.find(keys, max_gap=1)

    def _with_prefixes(self, word: tuple[str, frozenset[str]]) -> frozenset[str]:
        """Add the `prefix*` keys a word (folded, with its normal forms) matches to its forms."""
        norm, base = word
        extra = {
            _PREFIX + norm[:length]
            for length in range(1, min(len(norm), self._longest_prefix) + 1)
            if norm[:length] in self._prefixes
        }
        return base | extra if extra else base


class Matcher:
    """Classifies texts by the topics of a catalog and the places of a list; built once."""

    def __init__(self, catalog: Catalog, places: Iterable[Place] = ()) -> None:
        self._catalog = catalog
        self._topics = catalog.names()
        self._gated = frozenset(topic.name for topic in catalog.topics if topic.context)
        self._severity = {topic.name: topic.severity for topic in catalog.topics}
        self._graded = frozenset(t.name for t in catalog.topics if len(t.severities()) > 1)
        self._vocabulary: Vocabulary[_Entry] = Vocabulary()
        for topic in catalog.topics:
            for role, table in (
                (_Role.KEYWORD, topic.keywords),
                (_Role.EXCLUDE, topic.exclude),
                (_Role.CONTEXT, topic.context),
            ):
                for lang, phrases in table.items():
                    for phrase in phrases:
                        self._vocabulary.add(phrase, lang, self._entry(topic, phrase, role))
            for number, sense in enumerate(topic.senses):
                for role, table in ((_Role.NEAR, sense.near), (_Role.NOT_NEAR, sense.not_near)):
                    for lang, phrases in table.items():
                        for phrase in phrases:
                            entry = _Entry(topic.name, phrase, role, number)
                            self._vocabulary.add(phrase, lang, entry)
        self._places = PlaceIndex(places)

    def _entry(self, topic: Topic, phrase: str, role: _Role) -> _Entry:
        """Make the entry of a topic's keyword, exclusion or context phrase."""
        if role is not _Role.KEYWORD:
            return _Entry(topic.name, phrase, role)
        rules = [(number, sense) for number, sense in enumerate(topic.senses)]
        governing = [(number, sense) for number, sense in rules if sense.governs(phrase)]
        return _Entry(
            topic.name,
            phrase,
            role,
            # A grading rule never drops a hit.
            filters=tuple(rule for rule in governing if rule[1].severity is None),
            grades=tuple(rule for rule in governing if rule[1].severity is not None)
            if topic.name in self._graded
            else (),
        )

    @property
    def topics(self) -> tuple[str, ...]:
        """Return the topic ids this matcher finds, in catalog order."""
        return self._topics

    @property
    def places(self) -> PlaceIndex:
        """Return the place index texts are searched with."""
        return self._places

    def classify(self, text: str | Reading) -> Classification:
        """Return the language, topics (in catalog order), places and the words that hit."""
        reading = read(text) if isinstance(text, str) else text
        text, langs = reading.text, reading.langs
        hits, graded, vetoed, in_context, notes = self._tally(
            self._vocabulary.find_in(reading), reading
        )
        found = [topic for topic in self._topics if topic in hits and topic not in vetoed]
        # A gated topic stands only with its context or beside a topic that needs none.
        ungated = any(topic not in self._gated for topic in found)
        topics = tuple(
            topic for topic in found if topic not in self._gated or ungated or topic in in_context
        )
        for topic in found:
            if topic not in topics:
                notes.append(f"{topic}: dropped, none of its context words occur")
        places = self._places.find_in_words(
            reading.surfaces, reading.starts, reading.norms, text, langs
        )
        oblasts, border_km = self._places.locate(places)
        found_hits = tuple(self._hit(topic, hits, graded) for topic in topics)
        return Classification(
            lang=langs[0],
            topics=topics,
            places=places,
            oblasts=oblasts,
            border_km=border_km,
            hits=found_hits,
            severity=_highest(hit.severity for hit in found_hits),
            notes=tuple(dict.fromkeys(notes)),
        )

    def _tally(
        self, matches: list[PhraseMatch[_Entry]], reading: Reading
    ) -> tuple[_Hits, _Graded, set[str], set[str], list[str]]:
        """Sort a text's catalog matches: the keyword hits that stand (and their grades),
        the topics vetoed and those whose context occurs, and notes on what was dropped.

        One pass of few Python steps per match: a text hits dozens of keywords.
        """
        near: dict[tuple[str, int, _Role], list[PhraseMatch[_Entry]]] = {}
        for match in matches:
            entry = match.value
            if entry.role is _Role.NEAR or entry.role is _Role.NOT_NEAR:
                near.setdefault((entry.topic, entry.sense, entry.role), []).append(match)
        hits: _Hits = {}
        graded: _Graded = {}
        vetoed: set[str] = set()
        in_context: set[str] = set()
        notes: list[str] = []
        excluded: set[tuple[str, str, str]] = set()  # the vetoes noted: one note each
        text, starts, ends = reading.text, reading.starts, reading.ends
        for match in matches:
            start, end, entry = match
            role = entry.role
            words = text[starts[start] : ends[end - 1]]
            if role is _Role.KEYWORD:
                reason = self._sense_veto(entry, match, near, reading) if entry.filters else None
                if reason is None:
                    hits.setdefault(entry.topic, {}).setdefault(words, entry.phrase)
                    if entry.grades:
                        grade = self._grade(entry, match, near, reading)
                        if grade is not None:
                            graded.setdefault(entry.topic, {}).setdefault(words, grade)
                else:
                    notes.append(f"{entry.topic}: {words!r} ignored: {reason}")
            elif role is _Role.EXCLUDE:
                vetoed.add(entry.topic)
                veto = (entry.topic, words, entry.phrase)
                if veto not in excluded:  # a repeated note is dropped anyway: skip its format
                    excluded.add(veto)
                    notes.append(f"{entry.topic}: vetoed by {words!r} (exclude {entry.phrase!r})")
            elif role is _Role.CONTEXT:
                in_context.add(entry.topic)
        return hits, graded, vetoed, in_context, notes

    def _hit(
        self,
        topic: str,
        hits: dict[str, dict[str, str]],
        graded: dict[str, dict[str, tuple[Severity, str]]],
    ) -> TopicHit:
        """Describe one found topic: its words, keywords and severity in this text.

        A hit a grading rule fits has that rule's severity, any other hit the topic's; the
        topic's severity here is the highest of its hits'.
        """
        pairs = hits[topic]
        grades = graded.get(topic)
        severity = self._severity[topic]
        if grades:
            own = severity
            severity = max(grades[words][0] if words in grades else own for words in pairs)
        return TopicHit(
            topic=topic,
            words=tuple(pairs),
            keywords=tuple(dict.fromkeys(pairs.values())),
            pairs=tuple(pairs.items()),
            severity=severity,
            graded=tuple((w, level, note) for w, (level, note) in grades.items()) if grades else (),
        )

    def _grade(
        self,
        entry: _Entry,
        match: PhraseMatch[_Entry],
        near: dict[tuple[str, int, _Role], list[PhraseMatch[_Entry]]],
        reading: Reading,
    ) -> tuple[Severity, str] | None:
        """Return the severity and note of the most severe grading rule a hit fits, if any."""
        best: tuple[Severity, str] | None = None
        for number, sense in entry.grades:
            if sense.severity is None:
                continue  # for mypy: `grades` are the rules that have one

            def close(role: _Role, sense: Sense = sense, number: int = number) -> bool:
                others = near.get((entry.topic, number, role), ())
                return _nearby(match, others, sense.within, reading) is not None

            fits = (not any(sense.near.values()) or close(_Role.NEAR)) and not close(_Role.NOT_NEAR)
            if fits and (best is None or sense.severity > best[0]):
                best = (sense.severity, sense.note)
        return best

    def _sense_veto(
        self,
        entry: _Entry,
        match: PhraseMatch[_Entry],
        near: dict[tuple[str, int, _Role], list[PhraseMatch[_Entry]]],
        reading: Reading,
    ) -> str | None:
        """Return why a sense rule drops a keyword hit, or None when the hit stands."""
        for number, sense in entry.filters:
            blocker = _nearby(
                match,
                near.get((entry.topic, number, _Role.NOT_NEAR), ()),
                sense.within,
                reading,
            )
            if blocker is not None:
                words = reading.text[reading.starts[blocker.start] : reading.ends[blocker.end - 1]]
                return f"{words!r} is near ({sense.note or 'not_near rule'})"
            wanted = near.get((entry.topic, number, _Role.NEAR), ())
            if any(sense.near.values()) and (_nearby(match, wanted, sense.within, reading) is None):
                return f"none of its 'near' words within {sense.within} ({sense.note})"
        return None


def _nearby(
    match: PhraseMatch[_Entry],
    others: Iterable[PhraseMatch[_Entry]],
    within: int,
    reading: Reading,
) -> PhraseMatch[_Entry] | None:
    """Return the first of `others` within `within` words of a hit and in its sentence."""
    for other in others:
        if _distance(match, other) <= within and _same_sentence(reading, match, other):
            return other
    return None


def _highest(levels: Iterable[Severity | None]) -> Severity | None:
    """Return the most severe of some severities, None when there are none."""
    return max((level for level in levels if level is not None), default=None)


def _same_sentence(reading: Reading, one: PhraseMatch[Any], other: PhraseMatch[Any]) -> bool:
    """Tell whether no sentence ends between two matches: "near" stops at a full stop."""
    first, second = (one, other) if one.start <= other.start else (other, one)
    if second.start < first.end:
        return True
    between = reading.text[reading.ends[first.end - 1] : reading.starts[second.start]]
    return not any(mark in between for mark in ".!?\n")


def _distance(one: PhraseMatch[Any], other: PhraseMatch[Any]) -> int:
    """Return how many words apart two matches are (0 when they overlap or touch)."""
    if other.start >= one.end:
        return other.start - one.end + 1
    if one.start >= other.end:
        return one.start - other.end + 1
    return 0


@cache
def default_matcher() -> Matcher:
    """Return a matcher over the shipped catalog and places, built once."""
    return Matcher(default_catalog(), default_places())


class KeywordMatcher:
    """Finds a user's own keywords in texts, normalised exactly like the catalog's."""

    def __init__(self, phrases: Iterable[str], lang: str | None = None) -> None:
        self._vocabulary: Vocabulary[str] = Vocabulary()
        for phrase in phrases:
            self._vocabulary.add(phrase, lang, phrase)

    def find(self, text: str) -> tuple[str, ...]:
        """Return the keywords that occur in a text, in order of first occurrence."""
        matches = self._vocabulary.find_in(read(text))
        return tuple(dict.fromkeys(match.value for match in matches))


def keyword_matcher(phrases: Iterable[str], lang: str | None = None) -> KeywordMatcher:
    """Build a matcher for a user's own keywords (a word ending in `*` is a prefix)."""
    return KeywordMatcher(phrases, lang)
