"""The topic catalog: what subscribers can follow, and the words that reveal each topic.

The catalog is a TOML file (the default one ships as `bot/data/catalog.toml`, whose header
documents the format) so an operator can replace it without touching code. It is read and
checked once; a mistake in it is reported as a `CatalogError` naming the topic and field.

Its vocabulary is organised the way event coders organise theirs (PETRARCH's synonym sets
and actor/agent dictionaries used inside verb patterns; PLOVER's event, mode and context):

- a **concept** is a reusable lexicon, written once per language in dictionary form
  ("forces": войско, батальон, troop, battalion, ...; "movement": перебросить, прибыть,
  arrive, ...). A concept whose words are ambiguous ("техника", "колонна", "tank",
  "drill") names the concepts one of which must stand beside a word for it to count
  (`needs`), and those that cancel it (`unless`);
- a topic is revealed by **frames**, concepts that must occur together within a few words
  of one sentence, in any order (forces + movement: deployments), as well as by its
  single `keywords` phrases; its `exclude`, `context` and `senses` work as before, and
  any phrase list may name a concept as "@name".

A catalog without concepts and frames (the first format) is still valid.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from bot.matching.lang import LANGUAGES
from bot.matching.normalize import fold, normalize_word, tokenize
from bot.models import Severity

_TOPIC_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TOPIC_FIELDS = frozenset(
    {
        "names",
        "description",
        "severity",
        "emoji",
        "keywords",
        "exclude",
        "context",
        "senses",
        "frames",
    }
)
_SENSE_FIELDS = frozenset({"note", "keywords", "within", "near", "not_near", "severity"})
_CONCEPT_FIELDS = frozenset(
    {"note", "include", "needs", "unless", "within", "source", "quoted", *LANGUAGES}
)
_FRAME_FIELDS = frozenset({"note", "all", "within", "unless"})
_WITHIN_MAX = 50
_CONCEPT_WITHIN = 4  # how far an ambiguous word looks for the concept it needs, by default
_FRAME_WITHIN = 8  # how far apart a frame's concepts may be, by default
_TEXT = "text"  # a frame's `within` for "anywhere in the text"
CONCEPT_MARK = "@"  # "@forces" in a phrase list stands for the concept's phrases
_PREFIX_MIN = 3  # shorter `word*` prefixes would match half the dictionary


class CatalogError(ValueError):
    """The catalog file cannot be read or does not describe valid topics."""


@dataclass(frozen=True, slots=True)
class Sense:
    """A local condition on some of a topic's keywords: words that must or must not be near.

    Without a severity the rule filters: a keyword hit counts only if, within `within`
    words of it, one of the `near` phrases occurs (when any are given) and none of the
    `not_near` phrases does. With a severity it grades instead: a hit that meets the same
    condition takes that severity ("мобилизация" next to "опровергли" is a denial, low),
    and a hit that does not keeps its topic's. A grading rule never drops a hit, so it
    cannot cost recall; the severity subscribers filter by is then the highest of the
    rules that matched.
    """

    note: str  # why the rule exists, shown by `outpost explain`
    keywords: tuple[str, ...]  # the topic keywords it governs, as written; () = all of them
    within: int
    near: Mapping[str, tuple[str, ...]]
    not_near: Mapping[str, tuple[str, ...]]
    severity: Severity | None = None  # None: a filter; else the severity of the hits it fits

    def governs(self, keyword: str) -> bool:
        """Tell whether this rule applies to a keyword of its topic."""
        return not self.keywords or keyword in self.keywords


@dataclass(frozen=True, slots=True)
class Concept:
    """A reusable lexicon: words and phrases in dictionary form, per language.

    `include` names concepts whose phrases also count as this one's ("military" includes
    "forces" and "weapons"). When `needs` is given the concept's own words are ambiguous:
    an occurrence counts only when a word of one of those concepts, itself unambiguous, is
    within `within` words in the same sentence, and no word of the `unless` concepts is.
    A `source` concept's words count only where they name a headline's source, the way
    channels attribute a report without a verb of speech: after a dash that ends the
    sentence ("… – Минобороны") or before a colon that opens the line ("ГПК: …").
    A `quoted` concept's words (verbs of speech) count only where they attribute the quote
    right before them to a person named by name alone, introduced earlier in the report:
    "«…», – сказал Иванов.", "“…,” Petrov said."
    """

    name: str
    note: str
    phrases: Mapping[str, tuple[str, ...]]  # language -> phrases
    include: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    within: int = _CONCEPT_WITHIN
    source: bool = False
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Frame:
    """Concepts that reveal a topic when they occur together, in any order.

    The frame holds where a word of its first concept has, within `within` words and in
    the same sentence (anywhere in the text when `within` is 0, "text" in the file), a
    word of every other one, and no word of an `unless` concept is in that sentence. Event
    coders call the pattern actor + verb: forces + movement.
    """

    note: str  # what the frame stands for, shown by `outpost explain`
    concepts: tuple[str, ...]  # the `all` list: at least one concept
    within: int = _FRAME_WITHIN  # 0: anywhere in the text
    unless: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return the frame's concepts joined with " + ", as alerts and explanations name it."""
        return " + ".join(self.concepts)


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic of the catalog, with its words per language."""

    name: str  # the topic id, e.g. "drills"
    names: Mapping[str, str]  # display name per language
    description: str
    severity: Severity
    emoji: str
    keywords: Mapping[str, tuple[str, ...]]  # language -> phrases that reveal the topic
    exclude: Mapping[str, tuple[str, ...]]  # language -> phrases that veto it
    context: Mapping[str, tuple[str, ...]]  # language -> one of these must occur, if given
    senses: tuple[Sense, ...] = ()  # local conditions on its keywords
    frames: tuple[Frame, ...] = ()  # concepts that reveal it together

    def display_name(self, lang: str) -> str:
        """Return the topic's name in a language, falling back to English, then its id."""
        return self.names.get(lang) or self.names.get("en") or self.name

    def severities(self) -> frozenset[Severity]:
        """Return every severity a match of this topic can have: its own and its rules'."""
        return frozenset({self.severity} | {s.severity for s in self.senses if s.severity})


@dataclass(frozen=True, slots=True)
class Catalog:
    """The topics, in the order the file lists them, and the concepts they are built from."""

    topics: tuple[Topic, ...]
    concepts: Mapping[str, Concept] = field(default_factory=lambda: MappingProxyType({}))

    def topic(self, name: str) -> Topic:
        """Return the topic with this id; raise KeyError if there is none."""
        for topic in self.topics:
            if topic.name == name:
                return topic
        raise KeyError(f"no topic {name!r} in the catalog")

    def names(self) -> tuple[str, ...]:
        """Return the topic ids in catalog order."""
        return tuple(topic.name for topic in self.topics)


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and check a catalog file; None reads the catalog shipped with Outpost."""
    if path is None:
        return default_catalog()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the catalog: {exc.strerror}") from exc
    return parse_catalog(data, str(path))


@cache
def default_catalog() -> Catalog:
    """Return the catalog shipped in the package, read once."""
    data = resources.files("bot").joinpath("data", "catalog.toml").read_bytes()
    return parse_catalog(data, "bot/data/catalog.toml")


def parse_catalog(data: bytes, source: str = "<catalog>") -> Catalog:
    """Parse and check the bytes of a catalog file; `source` names it in errors."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{source}: not a valid TOML file: {exc}") from exc
    unknown = set(document) - {"topics", "concepts"}
    if unknown:
        raise CatalogError(f"{source}: unknown top-level keys {sorted(unknown)}")
    topics = document.get("topics")
    if not isinstance(topics, dict) or not topics:
        raise CatalogError(f"{source}: no [topics.NAME] tables")
    raw = document.get("concepts", {})
    if not isinstance(raw, dict):
        raise CatalogError(f"{source}: 'concepts' must be [concepts.NAME] tables")
    names = frozenset(raw)
    concepts = {name: _concept(name, body, names, source) for name, body in raw.items()}
    _check_cycles(concepts, source)
    return Catalog(
        tuple(_topic(name, body, source, names) for name, body in topics.items()),
        MappingProxyType(concepts),
    )


def _concept(name: str, body: object, known: frozenset[str], source: str) -> Concept:
    """Build one concept from its table, or raise CatalogError saying what is wrong."""
    where = f"{source}: concept {name!r}"
    if not _TOPIC_ID_RE.match(name):
        raise CatalogError(f"{where}: a name is lower-case letters, digits and _")
    if not isinstance(body, dict):
        raise CatalogError(f"{where}: expected a table")
    unknown = set(body) - _CONCEPT_FIELDS
    if unknown:
        raise CatalogError(
            f"{where}: unknown fields {sorted(unknown)} (languages are {', '.join(LANGUAGES)})"
        )
    phrases = _phrases({lang: body[lang] for lang in LANGUAGES if lang in body}, where, known)
    include = _names(body.get("include", []), f"{where}: include", known)
    if not any(phrases.values()) and not include:
        raise CatalogError(f"{where}: no phrases and nothing included")
    note = body.get("note", "")
    if not isinstance(note, str):
        raise CatalogError(f"{where}: 'note' must be a string")
    needs = _names(body.get("needs", []), f"{where}: needs", known)
    unless = _names(body.get("unless", []), f"{where}: unless", known)
    if name in needs or name in include:
        raise CatalogError(f"{where}: a concept cannot need or include itself")
    within = _within(body.get("within", _CONCEPT_WITHIN), where)
    source = body.get("source", False)
    if not isinstance(source, bool):
        raise CatalogError(f"{where}: 'source' must be true or false")
    quoted = body.get("quoted", False)
    if not isinstance(quoted, bool):
        raise CatalogError(f"{where}: 'quoted' must be true or false")
    return Concept(name, note, phrases, include, needs, unless, within, source, quoted)


def _check_cycles(concepts: Mapping[str, Concept], source: str) -> None:
    """Raise CatalogError when concepts include each other in a circle."""
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            circle = " -> ".join((*path[path.index(name) :], name))
            raise CatalogError(f"{source}: concepts include each other: {circle}")
        if name in done:
            return
        for other in concepts[name].include:
            visit(other, (*path, name))
        done.add(name)

    for name in concepts:
        visit(name, ())


def _names(value: object, where: str, known: frozenset[str]) -> tuple[str, ...]:
    """Check a list of concept names and return it."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogError(f"{where}: expected a list of concept names")
    strangers = [item for item in value if item not in known]
    if strangers:
        raise CatalogError(f"{where}: no concepts named {strangers}")
    return tuple(value)


def _within(value: object, where: str, alternative: str = "") -> int:
    """Check a `within` distance in words."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= _WITHIN_MAX:
        raise CatalogError(
            f"{where}: 'within' must be a number of words from 1 to {_WITHIN_MAX}{alternative}"
        )
    return value


def _frames(value: object, where: str, known: frozenset[str]) -> tuple[Frame, ...]:
    """Check a topic's [[frames]] tables and return them."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise CatalogError(f"{where}: 'frames' must be [[topics.NAME.frames]] tables")
    frames = []
    for number, body in enumerate(value, 1):
        at = f"{where}: frame #{number}"
        unknown = set(body) - _FRAME_FIELDS
        if unknown:
            raise CatalogError(f"{at}: unknown fields {sorted(unknown)}")
        concepts = _names(body.get("all", []), f"{at}: all", known)
        if not concepts:
            raise CatalogError(f"{at}: 'all' must name at least one concept")
        note = body.get("note", "")
        if not isinstance(note, str):
            raise CatalogError(f"{at}: 'note' must be a string")
        within = body.get("within", _FRAME_WITHIN)
        within = 0 if within == _TEXT else _within(within, at, f' or "{_TEXT}"')
        unless = _names(body.get("unless", []), f"{at}: unless", known)
        frames.append(Frame(note, concepts, within, unless))
    return tuple(frames)


def _topic(name: str, body: object, source: str, concepts: frozenset[str] = frozenset()) -> Topic:
    """Build one topic from its table, or raise CatalogError saying what is wrong."""
    where = f"{source}: topic {name!r}"
    if not _TOPIC_ID_RE.match(name):
        raise CatalogError(f"{where}: an id is lower-case letters, digits and _")
    if not isinstance(body, dict):
        raise CatalogError(f"{where}: expected a table")
    unknown = set(body) - _TOPIC_FIELDS
    if unknown:
        raise CatalogError(f"{where}: unknown fields {sorted(unknown)}")
    severity = body.get("severity")
    if not isinstance(severity, str) or severity not in set(Severity):
        raise CatalogError(f"{where}: unknown severity {severity!r} (expected high, medium or low)")
    names = body.get("names")
    if not isinstance(names, dict) or not all(
        isinstance(value, str) and value.strip() for value in names.values()
    ):
        raise CatalogError(f"{where}: 'names' must be a table of language = \"name\"")
    _check_languages(names, f"{where}: names")
    if "en" not in names:
        raise CatalogError(f"{where}: 'names' needs at least an English name (en)")
    keywords = _phrases(body.get("keywords", {}), f"{where}: keywords", concepts)
    frames = _frames(body.get("frames", []), where, concepts)
    if not any(keywords.values()) and not frames:
        raise CatalogError(f"{where}: no keywords and no frames")
    for key in ("description", "emoji"):
        if not isinstance(body.get(key, ""), str):
            raise CatalogError(f"{where}: {key!r} must be a string")
    return Topic(
        name=name,
        names=MappingProxyType(dict(names)),
        description=body.get("description", ""),
        severity=Severity(severity),
        emoji=body.get("emoji", ""),
        keywords=keywords,
        exclude=_phrases(body.get("exclude", {}), f"{where}: exclude", concepts),
        context=_phrases(body.get("context", {}), f"{where}: context", concepts),
        senses=_senses(body.get("senses", []), keywords, where, concepts),
        frames=frames,
    )


def _senses(
    value: object,
    keywords: Mapping[str, tuple[str, ...]],
    where: str,
    concepts: frozenset[str] = frozenset(),
) -> tuple[Sense, ...]:
    """Check a topic's [[senses]] rules and return them."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise CatalogError(f"{where}: 'senses' must be [[topics.NAME.senses]] tables")
    known = {phrase for phrases in keywords.values() for phrase in phrases}
    senses = []
    for number, body in enumerate(value, 1):
        at = f"{where}: sense #{number}"
        unknown = set(body) - _SENSE_FIELDS
        if unknown:
            raise CatalogError(f"{at}: unknown fields {sorted(unknown)}")
        governed = body.get("keywords", [])
        if not isinstance(governed, list) or not all(isinstance(k, str) for k in governed):
            raise CatalogError(f"{at}: 'keywords' must be a list of the topic's keywords")
        strangers = [k for k in governed if k not in known]
        if strangers:
            raise CatalogError(f"{at}: {strangers} are not keywords of this topic")
        within = body.get("within", 3)
        if not isinstance(within, int) or isinstance(within, bool) or not 0 < within <= _WITHIN_MAX:
            raise CatalogError(f"{at}: 'within' must be a number of words from 1 to {_WITHIN_MAX}")
        near = _phrases(body.get("near", {}), f"{at}: near", concepts)
        not_near = _phrases(body.get("not_near", {}), f"{at}: not_near", concepts)
        if not any(near.values()) and not any(not_near.values()):
            raise CatalogError(f"{at}: give 'near' or 'not_near' phrases")
        note = body.get("note", "")
        if not isinstance(note, str):
            raise CatalogError(f"{at}: 'note' must be a string")
        severity = body.get("severity")
        if severity is not None and severity not in set(Severity):
            raise CatalogError(f"{at}: unknown severity {severity!r} (high, medium or low)")
        grade = Severity(severity) if severity is not None else None
        senses.append(Sense(note, tuple(governed), within, near, not_near, grade))
    return tuple(senses)


def _check_languages(table: Mapping[str, object], where: str) -> None:
    """Raise CatalogError if a table is keyed by a language Outpost does not know."""
    unknown = set(table) - set(LANGUAGES)
    if unknown:
        raise CatalogError(f"{where}: unknown languages {sorted(unknown)}, expected {LANGUAGES}")


def _phrases(
    value: object, where: str, concepts: frozenset[str] = frozenset()
) -> Mapping[str, tuple[str, ...]]:
    """Check a table of language = [phrases] and return it frozen; "@name" must name one of
    the `concepts`."""
    if not isinstance(value, dict):
        raise CatalogError(f'{where}: expected a table of language = ["phrase", ...]')
    _check_languages(value, where)
    result: dict[str, tuple[str, ...]] = {}
    for lang, phrases in value.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise CatalogError(f"{where}.{lang}: expected a list of strings")
        for phrase in phrases:
            if phrase.startswith(CONCEPT_MARK):
                if phrase[1:] not in concepts:
                    raise CatalogError(f"{where}.{lang}: no concept named {phrase[1:]!r}")
                continue
            _check_phrase(phrase, f"{where}.{lang}")
        result[lang] = tuple(phrases)
    return MappingProxyType(result)


def _check_phrase(phrase: str, where: str) -> None:
    """Raise CatalogError for a phrase that has no words or a too short `prefix*`."""
    if not tokenize(phrase.replace("*", " ")):
        raise CatalogError(f"{where}: {phrase!r} has no words")
    for word in phrase.split():
        stripped = word.rstrip("*")
        if "*" in stripped or (word.endswith("*") and len(fold(stripped)) < _PREFIX_MIN):
            raise CatalogError(
                f"{where}: {phrase!r}: '*' goes at the end of a word of at least "
                f"{_PREFIX_MIN} letters"
            )


def resolve_topic(catalog: Catalog, user_text: str) -> str | None:
    """Return the topic id a user meant by an id or a display name in any language."""
    wanted = fold(user_text.strip().lstrip("#/").strip())
    if not wanted:
        return None
    for topic in catalog.topics:
        if wanted == topic.name or any(wanted == fold(name) for name in topic.names.values()):
            return topic.name
    # Then by word form: "учение" or "вучэнне" still mean the topic named "Учения".
    for topic in catalog.topics:
        for lang, name in topic.names.items():
            if _stems(wanted, lang) == _stems(name, lang):
                return topic.name
    return None


def _stems(text: str, lang: str) -> tuple[str, ...]:
    """Return the normal forms of a short text's words."""
    return tuple(normalize_word(token.surface, lang) for token in tokenize(text))
