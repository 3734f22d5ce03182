"""The topic matcher: which catalog topics and places a report is about, and why.

Keywords are normalised once, when the matcher is built, into a `PhraseIndex` keyed by their
first word; a text is tokenized and normalised once and each of its words is looked up, so
the cost grows with the text, not with the catalog. A keyword of several words matches
consecutive words, with at most one other word between two of them ("troops will arrive"
hits "troops arrive"). A keyword word ending in `*` matches any word beginning with it,
unstemmed ("mobiliz*": "mobilized", not "mobile", which Snowball also reduces to "mobil").

Concepts are found the same way, in the same pass: each concept phrase is one more entry
of the index. An occurrence of an ambiguous concept (one that `needs` others) then counts
only where an unambiguous word of a needed concept is within its reach in the same sentence
and no word of an `unless` concept is; two ambiguous words never vouch for each other
("колонна техники" alone is not military). A topic's frame holds where its concepts occur
together (see `Frame`), and a "@name" in a phrase list stands for the concept's counted
occurrences, so an ambiguous word never reaches a topic through a reference either.

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
import operator
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from itertools import compress, repeat
from typing import Any, Generic, NamedTuple, TypeVar

from bot.matching.catalog import (
    CONCEPT_MARK,
    Catalog,
    Concept,
    Frame,
    Sense,
    Topic,
    default_catalog,
)
from bot.matching.lacinka import cyrillic_norm, is_lacinka
from bot.matching.lang import detect_language, language_candidates
from bot.matching.normalize import (
    Memo,
    PhraseIndex,
    PhraseMatch,
    Token,
    abbreviation,
    english_verb,
    fold,
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
    CONCEPT = "concept"


_Hits = dict[str, dict[str, str]]  # topic -> {text words: keyword}
_Graded = dict[str, dict[str, tuple[Severity, str]]]  # topic -> {text words: grade}
# A topic's sense rule with its number among the topic's rules (which `near` is keyed by).
_Rule = tuple[int, Sense]


@dataclass(frozen=True, slots=True, eq=False)
class _Entry:
    """One catalog phrase as the index stores it.

    A keyword's entry also carries the rules of its topic that govern it, worked out when
    the matcher is built: a text hits dozens of keywords, most of them governed by none.
    Entries compare and hash by identity (each phrase of the catalog is one entry), which
    costs a text's dozens of matches no field-by-field hashing.
    """

    topic: str
    phrase: str
    role: _Role
    sense: int = -1  # the index of the topic's sense rule, for NEAR and NOT_NEAR
    concepts: tuple[str, ...] = ()  # for CONCEPT: the concepts whose own phrase this is
    size: int = 0  # for CONCEPT: how many words the phrase has
    filters: tuple[_Rule, ...] = ()  # the filtering rules that govern this keyword
    grades: tuple[_Rule, ...] = ()  # the grading rules, when its topic's hits are graded


def normalize_phrase(phrase: str, lang: str | None = None) -> tuple[str, ...]:
    """Normalise a keyword phrase into the keys texts are matched by, one per word.

    A word written in capitals ("САУ", "NATO") is an abbreviation and is kept as it is. An
    English phrase that starts with "to" and a verb names that verb in every form: "to reach"
    is keyed as the verb "reach", so it finds "reaches", "reaching" and "reached" (a bare
    "reach" is the noun, as English keywords are where they can be one).
    """
    lang = lang or detect_language(phrase)
    keys: list[str] = []
    pieces = phrase.split()
    if lang == "en" and len(pieces) > 1 and pieces[0].lower() == "to":
        verb = english_verb(fold(pieces[1]))
        if verb is not None:
            keys.append(verb)
            pieces = pieces[2:]
    for piece in pieces:
        tokens = tokenize(piece)
        if not tokens:
            continue
        if piece.endswith(_PREFIX):
            keys.extend(_phrase_key(token, lang) for token in tokens[:-1])
            keys.append(_PREFIX + tokens[-1].norm)
        else:
            keys.extend(_phrase_key(token, lang) for token in tokens)
    return tuple(keys)


def _phrase_key(token: Token, lang: str) -> str:
    """Return the key one word of a keyword phrase is stored as."""
    if token.surface.isupper() and model_name(token.norm) is None:
        return token.norm
    return normalize_word(token.norm, lang)


class Reading(NamedTuple):
    """A text read once: its words and the languages they are normalised in.

    The words are kept as parallel tuples, one item per token, rather than as `Token`s:
    matching reads whole tokens only where something hit (see `Words`). A named tuple, not
    a frozen dataclass: every report is read, and a frozen dataclass sets each of its eight
    fields through `object.__setattr__` (about 6 µs a report, a named tuple 1 µs).
    `sentences` is always a new list of the reader's own, never shared.
    """

    text: str
    surfaces: tuple[str, ...]  # each word as written
    starts: tuple[int, ...]  # where each word starts in the text
    ends: tuple[int, ...]  # and where it ends
    norms: tuple[str, ...]  # each word lower-cased and folded (`Token.norm`), łacinka in Cyrillic
    langs: tuple[str, ...]
    forms: tuple[frozenset[str], ...]  # each word's normal forms, before any prefix keys
    # Each word's sentence, numbered from 0: filled on first use by `_sentence_ids`.
    sentences: list[int]

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
    forms = _with_abbreviations(surfaces, list(map(_forms_in(langs).__getitem__, norms)))
    return Reading(text, surfaces, starts, ends, norms, langs, forms, [])


def _with_abbreviations(
    surfaces: Sequence[str], forms: list[frozenset[str]]
) -> tuple[frozenset[str], ...]:
    """Give the words written in capitals the keys of an abbreviation, never a stem.

    A short word in capitals ("САУ") is only itself, so it never meets a stem ("са"); a
    longer one (a headline's "УЧЕНИЯ") keeps its lemmas too; "БТРы" is also "БТР".
    """
    # Most words are lower-case or capitalised ("Минск"): two tests in C leave the few others.
    odd = map(
        operator.not_, map(operator.or_, map(str.islower, surfaces), map(str.istitle, surfaces))
    )
    for index in compress(range(len(surfaces)), odd):
        short = _ABBREVIATIONS[surfaces[index]]
        if short is None:
            continue
        norm = surfaces[index].lower()
        if short != fold(norm) or len(short) >= _HEADLINE_WORD:
            # "БТРы" is also "БТР"; "ДПСУ" is itself as well as whatever its lemmas are
            forms[index] = forms[index] | {short}
        else:
            forms[index] = frozenset({short})
    return tuple(forms)


_ABBREVIATIONS: Memo[str, str | None] = Memo(abbreviation, 65_536)
_HEADLINE_WORD = 4  # a word in capitals this long may be a headline's word, not an abbreviation


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
    forms = _with_abbreviations(surfaces, list(map(_forms_in(langs).__getitem__, norms)))
    return Reading(text, surfaces, starts, ends, norms, langs, forms, [])


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
        self.add_keys(keys, value)
        return keys

    def add_keys(self, keys: tuple[str, ...], value: _V) -> None:
        """Register a phrase already normalised (`normalize_phrase`) with its value."""
        for key in keys:
            if key.startswith(_PREFIX):
                self._prefixes[key[1:]] = self._prefixes.get(key[1:], 0) + 1
                self._longest_prefix = max(self._longest_prefix, len(key) - 1)
                self._prefixed.clear()
        self._index.add(keys, value)

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


@dataclass(frozen=True, slots=True)
class FrameHit:
    """A frame that held in a text: its topic, the frame, and the words of each concept."""

    topic: str
    frame: Frame
    words: tuple[tuple[str, str], ...]  # (concept, the words of the text), the frame's order


@dataclass(frozen=True, slots=True)
class Trace:
    """A classification and the evidence behind it, as `outpost explain` shows it."""

    classification: Classification
    concepts: tuple[tuple[str, tuple[str, ...]], ...]  # concept -> the words that counted
    frames: tuple[FrameHit, ...]  # the frames that held
    dropped: tuple[str, ...]  # ambiguous words that did not count, and why


class Matcher:
    """Classifies texts by the topics of a catalog and the places of a list; built once."""

    def __init__(self, catalog: Catalog, places: Iterable[Place] = ()) -> None:
        self._catalog = catalog
        self._topics = catalog.names()
        self._gated = frozenset(topic.name for topic in catalog.topics if topic.context)
        self._severity = {topic.name: topic.severity for topic in catalog.topics}
        self._graded = frozenset(t.name for t in catalog.topics if len(t.severities()) > 1)
        self._vocabulary: Vocabulary[_Entry] = Vocabulary()
        # concept -> the entries of the phrase lists that name it ("@forces")
        self._refs: dict[str, list[_Entry]] = {}
        for topic in catalog.topics:
            for role, table in (
                (_Role.KEYWORD, topic.keywords),
                (_Role.EXCLUDE, topic.exclude),
                (_Role.CONTEXT, topic.context),
            ):
                for lang, phrases in table.items():
                    for phrase in phrases:
                        self._add(phrase, lang, self._entry(topic, phrase, role))
            for number, sense in enumerate(topic.senses):
                for role, table in ((_Role.NEAR, sense.near), (_Role.NOT_NEAR, sense.not_near)):
                    for lang, phrases in table.items():
                        for phrase in phrases:
                            self._add(phrase, lang, _Entry(topic.name, phrase, role, number))
        self._add_concepts(catalog)
        self._places = PlaceIndex(places)

    def _add_concepts(self, catalog: Catalog) -> None:
        """Register the concepts' phrases and work out what reading a text needs of them."""
        self._concepts = catalog.concepts
        self._member_of = _memberships(catalog.concepts)
        frames = [frame for topic in catalog.topics for frame in topic.frames]
        # The concepts something reads: frames, references, and the needs and unless lists.
        read_by_rules = {name for concept in catalog.concepts.values() for name in concept.needs}
        read_by_rules |= {name for frame in frames for name in (*frame.concepts, *frame.unless)}
        # A concept only exclusions and contexts name needs no list of its occurrences:
        # whether one of the concepts whose words count for it counted is enough.
        presence = {
            name
            for name, entries in self._refs.items()
            if all(entry.role in (_Role.EXCLUDE, _Role.CONTEXT) for entry in entries)
        }
        self._presence = {
            name: frozenset(own for own, targets in self._member_of.items() if name in targets)
            for name in presence - read_by_rules
        }
        used = read_by_rules | (set(self._refs) - set(self._presence))
        # The concepts referred to whose occurrences are listed: worked out once, not per text.
        self._listed_refs = self._refs.keys() - self._presence.keys()
        self._used_member_of = {
            name: tuple(owners & used) for name, owners in self._member_of.items()
        }
        # The concepts whose own words count for each concept (itself, and what it includes).
        self._counted_for = {
            name: frozenset(own for own, targets in self._member_of.items() if name in targets)
            for name in catalog.concepts
        }
        self._ambiguous = frozenset(n for n, c in catalog.concepts.items() if c.needs)
        self._sources = frozenset(n for n, c in catalog.concepts.items() if c.source)
        self._quoted = frozenset(n for n, c in catalog.concepts.items() if c.quoted)
        # concept -> the key of its "C|unless" list, for the concepts that have one
        self._cancellable = {n: n + _UNLESS for n, c in catalog.concepts.items() if c.unless}
        # Per concept: the "C|needs" and "C|unless" lists its words join.
        self._needs_of = {
            own: tuple(
                name + _NEEDS
                for name, concept in catalog.concepts.items()
                if any(own in self._counted_for[other] for other in concept.needs)
            )
            for own in catalog.concepts
        }
        self._unless_of = {
            own: tuple(
                name + _UNLESS
                for name, concept in catalog.concepts.items()
                if any(own in self._counted_for[other] for other in concept.unless)
            )
            for own in catalog.concepts
        }
        self._used_targets = {
            own: self._used_member_of[own] + self._needs_of[own] for own in catalog.concepts
        }
        self._trace_member_of = {own: tuple(owners) for own, owners in self._member_of.items()}
        self._trace_targets = {
            own: tuple(self._member_of[own]) + self._needs_of[own] for own in catalog.concepts
        }
        # One entry per distinct phrase: a word several concepts (or languages) list is
        # found once and counted for each of its concepts.
        owners: dict[tuple[str, ...], tuple[str, dict[str, None]]] = {}
        for name, concept in catalog.concepts.items():
            for lang, phrases in concept.phrases.items():
                for phrase in phrases:
                    if not phrase.startswith(CONCEPT_MARK):  # an include, in _memberships
                        keys = normalize_phrase(phrase, lang)
                        owners.setdefault(keys, (phrase, {}))[1].setdefault(name, None)
        for keys, (phrase, names) in owners.items():
            entry = _Entry("", phrase, _Role.CONCEPT, concepts=tuple(names), size=len(keys))
            self._vocabulary.add_keys(keys, entry)
        # Frames by their first concept: a text's concepts pick the frames worth trying.
        self._frames: dict[str, list[tuple[int, str, Frame]]] = {}
        for order, (name, frame) in enumerate(
            (topic.name, frame) for topic in catalog.topics for frame in topic.frames
        ):
            self._frames.setdefault(frame.concepts[0], []).append((order, name, frame))

    def _add(self, phrase: str, lang: str, entry: _Entry) -> None:
        """Register a phrase of a topic, or note the concept a "@name" refers to."""
        if phrase.startswith(CONCEPT_MARK):
            self._refs.setdefault(phrase[1:], []).append(entry)
        else:
            self._vocabulary.add(phrase, lang, entry)

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
        return self._analyse(read(text) if isinstance(text, str) else text, trace=False)[0]

    def trace(self, text: str | Reading) -> Trace:
        """Classify a text and return the evidence too: the concepts whose words counted, the
        ambiguous words that did not and why, and the frames that held."""
        found, concepts, frames, dropped = self._analyse(
            read(text) if isinstance(text, str) else text, trace=True
        )
        return Trace(found, concepts, frames, dropped)

    def _analyse(
        self, reading: Reading, *, trace: bool
    ) -> tuple[
        Classification,
        tuple[tuple[str, tuple[str, ...]], ...],
        tuple[FrameHit, ...],
        tuple[str, ...],
    ]:
        """Classify a read text; with `trace`, also gather what `Trace` reports."""
        text, langs = reading.text, reading.langs
        matches = self._vocabulary.find_in(reading)
        occurrences: dict[str, list[PhraseMatch[_Entry]]] = {}
        dropped: list[str] = []
        frames: list[FrameHit] = []
        if self._concepts:
            plain = [match for match in matches if match.value.role is not _Role.CONCEPT]
            if len(plain) != len(matches):
                occurrences, first = self._occurrences(matches, reading, dropped if trace else None)
                matches = plain
                refs = self._refs
                for name, owners in self._presence.items():
                    present = first.keys() & owners
                    if present:
                        occurrence = first[min(present)]  # any one will do; this one always
                        matches.extend(
                            PhraseMatch(occurrence.start, occurrence.end, entry)
                            for entry in refs[name]
                        )
                for name in occurrences.keys() & self._listed_refs:
                    found_here = occurrences[name]
                    for entry in refs[name]:
                        # An exclusion or a context needs one occurrence; other roles each.
                        once = entry.role is _Role.EXCLUDE or entry.role is _Role.CONTEXT
                        matches.extend(
                            PhraseMatch(occurrence.start, occurrence.end, entry)
                            for occurrence in (found_here[:1] if once else found_here)
                        )
                if self._frames:
                    frames = self._frame_hits(occurrences, reading, every=trace)
        hits, graded, vetoed, in_context, notes = self._tally(matches, reading)
        for hit in frames:
            hits.setdefault(hit.topic, {}).setdefault(
                " … ".join(words for _, words in hit.words), hit.frame.label
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
        classification = Classification(
            lang=langs[0],
            topics=topics,
            places=places,
            oblasts=oblasts,
            border_km=border_km,
            hits=found_hits,
            severity=_highest(hit.severity for hit in found_hits),
            notes=tuple(dict.fromkeys(notes)),
        )
        if not trace:
            return classification, (), (), ()
        counted = tuple(
            (name, tuple(dict.fromkeys(_words(reading, match) for match in occurrences[name])))
            for name in self._concepts
            if name in occurrences
        )
        return classification, counted, tuple(frames), tuple(dict.fromkeys(dropped))

    def _occurrences(
        self,
        matches: list[PhraseMatch[_Entry]],
        reading: Reading,
        dropped: list[str] | None,
    ) -> tuple[dict[str, list[PhraseMatch[_Entry]]], dict[str, PhraseMatch[_Entry]]]:
        """Return, per concept, the occurrences of its words (and its included concepts')
        that count: an ambiguous concept's only where a word it needs stands beside it; and
        per concept whose own words counted, the first that did.

        Only unambiguous words vouch for an ambiguous one, so the order in which words are
        looked at never matters; any word of an `unless` concept cancels. Each concept's
        `needs` and `unless` lists are one list of occurrences apiece ("exercise|needs"),
        so a check is one look, however many concepts it names. `dropped` collects why a
        word did not count.
        """
        concepts, ambiguous, cancellable = self._concepts, self._ambiguous, self._cancellable
        # Without a trace only the concepts something reads are collected. A plain word's
        # lists are its concepts' and the "C|needs" lists it vouches in; "|" keeps them apart.
        if dropped is None:
            member_of, plain_targets = self._used_member_of, self._used_targets
        else:
            member_of, plain_targets = self._trace_member_of, self._trace_targets
        groups = _grouped(matches)
        # The "C|unless" lists are read only for a concept that has one: most texts hold none.
        cancelling = (
            {} if cancellable.keys().isdisjoint(groups) else _gathered(groups, self._unless_of)
        )
        kept: dict[str, list[PhraseMatch[_Entry]]] = {}
        waiting: list[tuple[list[PhraseMatch[_Entry]], Concept]] = []
        for name, found in groups.items():
            # Most texts hold no cancelling word at all: look before calling.
            group = found
            if name in cancellable and cancellable[name] in cancelling:
                concept = concepts[name]
                group = [
                    match
                    for match in found
                    if not self._cancelled(concept, match, cancelling, reading, dropped)
                ]
                if not group:
                    continue
            if name in ambiguous:
                waiting.append((group, concepts[name]))
            else:
                kept[name] = group
        counted = _gathered(kept, plain_targets)
        first = {name: group[0] for name, group in kept.items()}
        vouched = _vouched(waiting, counted, reading, dropped)
        for name, counts in vouched.items():
            first.setdefault(name, counts[0])
        # Only unambiguous words vouch: the ambiguous ones join the lists after all checks.
        for target, late in _gathered(vouched, member_of).items():
            if target in counted:
                counted[target] = sorted(counted[target] + late, key=_start)
            else:
                counted[target] = late
        self._keep_sources(counted, reading)
        return counted, first

    def _keep_sources(
        self, counted: dict[str, list[PhraseMatch[_Entry]]], reading: Reading
    ) -> None:
        """Keep a `source` concept's occurrences only where they name a headline's source,
        and a `quoted` one's only where they attribute a quote to a person named alone."""
        for names, keeps in (
            (self._sources, _names_source),
            (self._quoted, _attributes_quote),
        ):
            for name in names & counted.keys():
                kept = [match for match in counted[name] if keeps(reading, match)]
                if kept:
                    counted[name] = kept
                else:
                    del counted[name]

    def _cancelled(
        self,
        concept: Concept,
        match: PhraseMatch[_Entry],
        cancelling: dict[str, list[PhraseMatch[_Entry]]],
        reading: Reading,
        dropped: list[str] | None,
    ) -> bool:
        """Tell whether a word of one of a concept's `unless` concepts stands beside a word."""
        others = cancelling.get(concept.name + _UNLESS, ())
        blocker = _covering(match, others) or _beside(match, others, concept.within, reading)
        if blocker is None:
            return False
        if dropped is not None:
            owners = set(blocker.value.concepts)
            name = next(n for n in concept.unless if owners & self._counted_for[n])
            dropped.append(
                f"{_words(reading, match)!r} ({concept.name}) not counted: "
                f"{_words(reading, blocker)!r} ({name}) is beside it"
            )
        return True

    def _frame_hits(
        self,
        occurrences: dict[str, list[PhraseMatch[_Entry]]],
        reading: Reading,
        *,
        every: bool,
    ) -> list[FrameHit]:
        """Return the frames that hold in a text, each with the words that make it: the
        first of each topic's, or with `every` all of them."""
        found: list[FrameHit] = []
        heads = self._frames
        tried = [frame for name in occurrences if name in heads for frame in heads[name]]
        tried.sort()  # in catalog order; no two frames share an order
        done: set[str] = set()
        for _, topic, frame in tried:
            if topic in done:
                continue
            anchors = occurrences[frame.concepts[0]]
            others = [occurrences.get(name) for name in frame.concepts[1:]]
            if not all(others):
                continue
            for anchor in anchors:
                picks = [anchor]
                for candidates in others:
                    pick = (
                        _beside(anchor, candidates or (), frame.within, reading)
                        if frame.within
                        else next((c for c in candidates or () if _apart(anchor, c)), None)
                    )
                    if pick is None:
                        break
                    picks.append(pick)
                else:
                    if any(
                        _same_sentence(reading, anchor, other)
                        for name in frame.unless
                        for other in occurrences.get(name, ())
                    ):
                        continue
                    words = tuple(
                        (name, _words(reading, pick))
                        for name, pick in zip(frame.concepts, picks, strict=True)
                    )
                    found.append(FrameHit(topic, frame, words))
                    if not every:
                        done.add(topic)
                    break
        return found

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


def _words(reading: Reading, match: PhraseMatch[Any]) -> str:
    """Return the words of the text a match covers."""
    return reading.text[reading.starts[match.start] : reading.ends[match.end - 1]]


_DASHES = "-–—"  # the dashes a headline's source follows
_SOURCE_TAIL = 2  # words that may follow a source's name ("Минобороны Беларуси")
_LABEL_TAIL = 3  # before a colon, as many as a post abroad takes ("Посол Украины в Беларуси: …")
_SOURCE_END_RE = re.compile(r"[.!?…]")


def _names_source(reading: Reading, match: PhraseMatch[Any]) -> bool:
    """Tell whether a match names a headline's source: it follows a dash and ends its
    sentence, give or take a couple of words ("… – Минобороны РФ"), or it opens its line
    before a colon, give or take as many ("ГПК: …", "Британская разведка: …").
    """
    text = reading.text
    start, end = reading.starts[match.start], reading.ends[match.end - 1]
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = text[line_start:start].rstrip()
    after = text[end : len(text) if line_end < 0 else line_end]
    label_words = before.strip(" «\"'“„(").split()
    if (
        ":" in after
        and len(label_words) <= _SOURCE_TAIL
        and all(
            word[:1].isupper()
            for word in label_words  # a name, not "По поручению главы: …"
        )
    ):
        label = after.split(":", 1)[0]  # "Генштаб ВСУ: …"
        return len(label.split()) <= _LABEL_TAIL and not _SOURCE_END_RE.search(label)
    if not before or before[-1] not in _DASHES or len(before) < 2:
        return False
    if before[-1] == "-" and not before[-2].isspace():
        return False  # a hyphen inside a word, not a dash
    head = before[:-1].rstrip(" ,")
    tail = _SOURCE_END_RE.split(after, 1)[0]
    return bool(head) and len(tail.split()) <= _SOURCE_TAIL and not any(c in tail for c in ",:;")


_CLOSING_QUOTES = "\"»”“'’"  # what ends a quote ("“" closes one in some Ukrainian texts)
_QUOTE_JOINERS = " \t,–—-"  # what may stand between a quote and its attribution
_SPEAKER_WORDS = 3  # a person named alone: "Мотузяник", "Юрий Иванов", "Anna Maria Nowak"
_SENTENCE_END_RE = re.compile(r"[.!?…\n]")


def _named_alone(words: Sequence[str]) -> bool:
    """Tell whether some words are a person's name alone: one to three capitalised words."""
    return 0 < len(words) <= _SPEAKER_WORDS and all(
        word[:1].isupper() and word.strip("-'’").isalpha() for word in words
    )


def _attributes_quote(reading: Reading, match: PhraseMatch[Any]) -> bool:
    """Tell whether a verb of speech attributes the quote right before it to a person named
    by name alone, who ends the sentence: "«…», – сказал Иванов.", "“…,” Petrov said."
    A title or a description would name the speaker's office ("— сказал министр"): that is
    another frame's; a name alone is someone the report introduced before."""
    text = reading.text
    start, end = reading.starts[match.start], reading.ends[match.end - 1]
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    after = _SENTENCE_END_RE.split(text[end:], 1)[0]
    # "«…», – сказал Иванов.": the verb right after the quote, the name after it
    joined = before.rstrip(_QUOTE_JOINERS)
    if joined[-1:] in tuple(_CLOSING_QUOTES):
        return _named_alone(after.split())
    # "“…,” Petrov said.": the name between the quote and the verb, nothing after it
    cut = max(before.rfind(quote) for quote in _CLOSING_QUOTES)
    if after.strip() or cut <= 0:
        return False
    return _named_alone(before[cut + 1 :].strip(_QUOTE_JOINERS).split())


_NEEDS = "|needs"  # the list of a concept's vouching words, by the concept's name
_UNLESS = "|unless"  # and of its cancelling words
_LONGEST_PHRASE = 12  # words: no catalog phrase is longer, so none starts further back


def _beside(
    match: PhraseMatch[_Entry],
    others: Sequence[PhraseMatch[_Entry]],
    within: int,
    reading: Reading,
) -> PhraseMatch[_Entry] | None:
    """Return the first of `others` (in text order) on other words than a match, within
    `within` words of it and in its sentence.

    A report dense with catalog words has dozens of occurrences of a concept: the window
    is found by bisection, so each look costs the few occurrences near the match.
    """
    first = bisect_left(others, match.start - within - _LONGEST_PHRASE, key=_start)
    start, end = match.start, match.end
    last = end + within - 1
    sentences = reading.sentences or _sentence_ids(reading)
    # The sentence of the match's first word, and of its last: a text word before it must
    # end in the first one's, a word after it start in the last one's.
    before, after = sentences[start], sentences[end - 1]
    for index in range(first, len(others)):
        other = others[index]
        other_start = other.start
        if other_start > last:
            break
        if other_start >= end:
            if sentences[other_start] == after:
                return other
        elif (
            other.end <= start and start - other.end < within and sentences[other.end - 1] == before
        ):
            return other
    return None


_start = operator.attrgetter("start")


def _grouped(matches: list[PhraseMatch[_Entry]]) -> dict[str, list[PhraseMatch[_Entry]]]:
    """Return the occurrences of each concept's own words, in text order: each list is then
    handed on whole. A concept phrase's words must be adjacent: only keywords allow a filler
    word."""
    groups: dict[str, list[PhraseMatch[_Entry]]] = {}
    for match in matches:
        entry = match.value
        if entry.role is _Role.CONCEPT and match.end - match.start == entry.size:
            for name in entry.concepts:
                groups.setdefault(name, []).append(match)
    return groups


def _vouched(
    waiting: list[tuple[list[PhraseMatch[_Entry]], Concept]],
    counted: Mapping[str, list[PhraseMatch[_Entry]]],
    reading: Reading,
    dropped: list[str] | None,
) -> dict[str, list[PhraseMatch[_Entry]]]:
    """Return, per ambiguous concept, its occurrences that a word it needs stands beside
    (`counted` holds each concept's "C|needs" list); `dropped` collects the others."""
    vouched: dict[str, list[PhraseMatch[_Entry]]] = {}
    for group, concept in waiting:
        name = concept.name
        vouching = counted.get(name + _NEEDS, ())
        counts = []
        for match in group:
            if _beside(match, vouching, concept.within, reading) is not None:
                counts.append(match)
            elif dropped is not None:
                needs = " or ".join(concept.needs)
                dropped.append(
                    f"{_words(reading, match)!r} ({name}) not counted: "
                    f"no word of {needs} within {concept.within} words"
                )
        if counts:
            vouched[name] = counts
    return vouched


def _covering(
    match: PhraseMatch[_Entry], others: Sequence[PhraseMatch[_Entry]]
) -> PhraseMatch[_Entry] | None:
    """Return the first of `others` that is a longer phrase holding the match's words ("на
    границе района" holds "границе"): the phrase says the word's sense."""
    start, end = match.start, match.end
    for other in others:
        if other.start > start:
            break
        if other.end >= end and other.end - other.start > end - start:
            return other
    return None


def _gathered(
    groups: Mapping[str, list[PhraseMatch[_Entry]]], targets: Mapping[str, Sequence[str]]
) -> dict[str, list[PhraseMatch[_Entry]]]:
    """Return the lists the occurrences of each concept join (`targets` of it), each in text
    order: a concept's occurrences are handed on as one list, not word by word."""
    gathered: dict[str, list[PhraseMatch[_Entry]]] = {}
    mixed: set[str] = set()
    for name, group in groups.items():
        for target in targets[name]:
            joined = gathered.get(target)
            if joined is None:
                gathered[target] = group.copy()
            else:
                joined.extend(group)
                mixed.add(target)
    for target in mixed:
        gathered[target].sort(key=_start)
    return gathered


def _apart(one: PhraseMatch[Any], other: PhraseMatch[Any]) -> bool:
    """Tell whether two matches cover different words."""
    return other.start >= one.end or one.start >= other.end


def _memberships(concepts: Mapping[str, Concept]) -> dict[str, frozenset[str]]:
    """Return, per concept, the concepts its own words count for: itself and every concept
    that includes it, directly or through others."""
    includes = {
        name: set(concept.include)
        | {
            phrase[1:]
            for phrases in concept.phrases.values()
            for phrase in phrases
            if phrase.startswith(CONCEPT_MARK)
        }
        for name, concept in concepts.items()
    }

    def closure(name: str) -> set[str]:
        found = {name}
        for other in includes[name]:
            found |= closure(other)
        return found

    members: dict[str, set[str]] = {name: set() for name in concepts}
    for name in concepts:
        for part in closure(name):
            members[part].add(name)
    return {name: frozenset(owners) for name, owners in members.items()}


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


# A sentence (or an independent clause) ends at "!", "?", ";", a line break, or a full stop
# not followed by a lower-case word: "24 ед. военной техники" goes on.
_SENTENCE_END_RE = re.compile(r"[!?;\n]|\.(?![^\w]*[^\W\d_A-ZА-ЯЁІЇЄҐЎ])")


def _same_sentence(reading: Reading, one: PhraseMatch[Any], other: PhraseMatch[Any]) -> bool:
    """Tell whether no sentence ends between two matches: "near" stops at a full stop."""
    first, second = (one, other) if one.start <= other.start else (other, one)
    if second.start < first.end:
        return True
    sentences = reading.sentences or _sentence_ids(reading)
    return sentences[first.end - 1] == sentences[second.start]


def _sentence_ids(reading: Reading) -> list[int]:
    """Return each word's sentence, numbered from 0 (how many sentence ends precede it).

    Found once per text, with one regular expression and one bisection per word in C: a
    text's words are compared for being in one sentence dozens of times, and two words are
    in one sentence when their numbers are equal. No sentence ends inside a word.
    """
    sentences = reading.sentences
    if not sentences and reading.starts:
        breaks = [match.start() for match in _SENTENCE_END_RE.finditer(reading.text)]
        sentences.extend(map(bisect_left, repeat(breaks), reading.starts))
    return sentences


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
