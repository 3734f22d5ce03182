"""What an operator or a subscriber reads of a classification: `outpost classify`'s JSON
fields, `outpost explain`'s lines, and the reasons behind an alert ("Why this alert?": the
story's topics and places, and the chat's filters that let it through).

Plain functions over a `Matcher`, so that the command line only reads its input and prints,
and the bot only renders what these return.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from bot.matching.audience import AudienceIndex, distance_km
from bot.matching.catalog import Catalog
from bot.matching.lacinka import is_lacinka, to_cyrillic
from bot.matching.lang import language_candidates
from bot.matching.matcher import Matcher, Reading, Vocabulary, read
from bot.matching.places import PlaceIndex
from bot.models import ChatFilters, Classification, Severity


class LineError(ValueError):
    """A line of `outpost classify` input is not a JSON object with a `text` string."""


def classify_line(matcher: Matcher, line: str) -> dict[str, Any]:
    """Return a JSON object line with its `text` classified, or raise LineError saying why not.

    The fields added (`topics`, `places`, `lang`, `severity`, `oblasts`, `border_km`) are
    the documented output of `outpost classify`; every other field is passed through.
    """
    try:
        item: object = json.loads(line)
    except ValueError as exc:
        raise LineError(f"not JSON: {exc}") from None
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise LineError("no `text` string")
    text: str = item["text"]
    found = matcher.classify(text)
    item["topics"] = list(found.topics)
    item["places"] = list(found.places)
    item["lang"] = found.lang
    item["severity"] = found.severity
    item["oblasts"] = list(found.oblasts)
    item["border_km"] = dict(found.border_km)
    return item


def explain(matcher: Matcher, catalog: Catalog, text: str) -> list[str]:
    """Return lines saying which words hit which topic keyword or frame, which concepts the
    words stand for, what a rule dropped, and where: each place with the words that named it
    and the evidence that made them a place, and the names that did not count and why.

    `catalog` is the one the matcher was built on; it gives a hit's severity when no rule
    graded it.
    """
    trace = matcher.trace(text)
    found = trace.classification
    langs = language_candidates(text)
    read_as = f" (words read as {', '.join(langs)})" if len(langs) > 1 else ""
    lines = [f"language: {found.lang}{read_as}"]
    if langs == ("be",) and is_lacinka(text):
        lines.append(f"łacinka, read as: {to_cyrillic(text)}")
    if not found.hits:
        lines.append("topics: none")
    frames = {(hit.topic, hit.frame.label): hit for hit in trace.frames}
    for hit in found.hits:
        pairs = ", ".join(
            f"{words!r} ~ frame {keyword!r}"
            if (hit.topic, keyword) in frames
            else f"{words!r} ~ keyword {keyword!r}"
            for words, keyword in hit.pairs
        )
        severity = hit.severity or catalog.topic(hit.topic).severity
        lines.append(f"topic {hit.topic} ({severity}): {pairs}")
        for keyword in hit.keywords:
            frame_hit = frames.get((hit.topic, keyword))
            if frame_hit is None:
                continue
            evidence = ", ".join(f"{concept} {words!r}" for concept, words in frame_hit.words)
            note = f" ({frame_hit.frame.note})" if frame_hit.frame.note else ""
            lines.append(f"  frame {keyword}{note}: {evidence}")
        lines.extend(
            f"  {words!r} graded {level} by a rule: {note}" for words, level, note in hit.graded
        )
    if found.severity:
        lines.append(f"severity: {found.severity}")
    lines.extend(
        f"concept {name}: {', '.join(repr(words) for words in found_words)}"
        for name, found_words in trace.concepts
    )
    lines.extend(f"not counted: {note}" for note in found.notes)
    lines.extend(f"ambiguous: {note}" for note in trace.dropped)
    lines.extend(_place_lines(matcher, text, found.places))
    if found.border_km:
        borders = ", ".join(f"{code} {km:g} km" for code, km in found.border_km)
        lines.append(f"borders: {borders}")
    return lines


def _place_lines(matcher: Matcher, text: str, places: tuple[str, ...]) -> list[str]:
    """Return `explain`'s lines for the places found: each with the words that named it and
    their evidence, then the names that did not count and why."""
    lines: list[str] = []
    if not places:
        lines.append("places: none")
    reading = read(text)
    rejected: list[str] = []
    evidence: dict[str, list[str]] = {}
    for named in matcher.places.find_hits(
        reading.surfaces, reading.starts, reading.norms, text, reading.langs, rejected=rejected
    ):
        words = text[reading.starts[named.start] : reading.ends[named.end - 1]]
        evidence.setdefault(named.place, []).append(f"{words!r} ({named.evidence})")
    for place_id in places:
        place = matcher.places.get(place_id)
        if place is None:
            continue
        line = f"place {place.id}: {place.kind}, {place.oblast}"
        if place.kind != "oblast" and place.border_km:
            code, km = min(place.border_km.items(), key=lambda item: item[1])
            line += f", {km:g} km from the {code} border"
        if place_id in evidence:
            line += f"; named by {', '.join(dict.fromkeys(evidence[place_id]))}"
        lines.append(line)
    lines.extend(f"place not counted: {note}" for note in dict.fromkeys(rejected))
    return lines


# -- why an alert reached a chat: what a subscriber reads under "Why this alert?" ----------


@dataclass(frozen=True, slots=True)
class TopicReason:
    """One topic of a story and what in its text made it."""

    topic: str
    severity: Severity  # in this text: a rule's grade, else the topic's own
    pairs: tuple[tuple[str, str], ...]  # (words of the text, the catalog keyword they hit)
    graded: tuple[tuple[str, Severity, str], ...]  # (words, severity, the rule's note)
    by_admin: bool = False  # an admin chose the topic; no words of the text made it
    # The pairs' catalog sides that name a frame of the topic (its concepts joined by " + "),
    # not a keyword: a subscriber reads them as concepts found together.
    frames: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PlaceReason:
    """One place of a story: where it lies, and how close to a border."""

    place: str
    oblast: str
    border: tuple[str, float] | None  # (neighbour, km) to the nearest border, for a point


def story_reasons(
    matcher: Matcher, catalog: Catalog, found: Classification, *, by_admin: bool = False
) -> tuple[tuple[TopicReason, ...], tuple[PlaceReason, ...]]:
    """Return why a classified story has its topics and places (`found`, as stored).

    A topic the matcher's hits do not explain (an admin chose it, `by_admin`, or the
    catalog changed since) has no words; its severity is then the topic's own.
    """
    hits = {hit.topic: hit for hit in found.hits}
    topics = []
    for name in found.topics:
        hit = hits.get(name)
        try:
            own = catalog.topic(name).severity
        except KeyError:
            continue  # a topic the catalog no longer has explains nothing
        if hit is None or by_admin:
            topics.append(TopicReason(name, own, (), (), by_admin=by_admin))
            continue
        labels = {frame.label for frame in catalog.topic(name).frames}
        frames = frozenset(keyword for _, keyword in hit.pairs if keyword in labels)
        topics.append(TopicReason(name, hit.severity or own, hit.pairs, hit.graded, frames=frames))
    places = []
    for place_id in found.places:
        place = matcher.places.get(place_id)
        if place is None:
            continue
        border = None
        if place.kind != "oblast" and place.border_km:
            border = min(place.border_km.items(), key=lambda item: item[1])
        places.append(PlaceReason(place.id, place.oblast, border))
    return tuple(topics), tuple(places)


@dataclass(frozen=True, slots=True)
class ChatReasons:
    """Which of a chat's filters a story meets, and whether together they let it through."""

    passes: bool  # with these filters the story reaches the chat
    min_severity: Severity
    topics: tuple[tuple[str, Severity], ...]  # followed topics it has, at or above the minimum
    below: tuple[tuple[str, Severity], ...]  # followed topics it has, below the minimum
    words: tuple[str, ...]  # the chat's own keywords found in it
    located: bool  # the chat narrowed its alerts to places
    regions: tuple[str, ...]  # its /region oblasts the story lies in
    near: tuple[tuple[str, float, str, float], ...]  # (centre, km, story's place, km away)
    borders: tuple[tuple[str, float, str, float], ...]  # (neighbour, km, place, km to border)
    excluded: tuple[str, ...]  # its exclusions found in it


def chat_reasons(
    chat: ChatFilters,
    found: Classification,
    reading: Reading,
    catalog: Catalog,
    places: PlaceIndex,
) -> ChatReasons:
    """Say which of a chat's filters a story meets (`found` as stored, `reading` its text).

    Whether it passes is asked of a one-chat `AudienceIndex`, the same code fan-out runs,
    so the answer cannot drift from what delivery does; the rest names the filters.
    """
    index = AudienceIndex(catalog, places)
    index.update(chat)
    severity = {
        topic.name: found.topic_severity(topic.name) or topic.severity
        for topic in catalog.topics
        if topic.name in found.topics and topic.name in chat.topics
    }
    followed = [(name, level) for name in found.topics if (level := severity.get(name))]
    vocabulary: Vocabulary[tuple[str, str]] = Vocabulary()
    for kind, phrases in (("watch", chat.watch), ("exclude", chat.exclude)):
        for phrase in phrases:
            vocabulary.add(phrase, None, (kind, phrase))
    matched = {match.value for match in vocabulary.find_in(reading)}
    points = [p for p in map(places.get, found.places) if p is not None and p.kind != "oblast"]
    near: list[tuple[str, float, str, float]] = []
    regions = set(chat.regions)
    for centre_id, km in chat.near:
        centre = places.get(centre_id)
        if centre is None:
            continue
        if centre.kind == "oblast":
            regions.add(centre.id)
            continue
        near.extend(
            (centre.id, km, point.id, away)
            for point in points
            if (away := distance_km(centre, point)) <= km
        )
    return ChatReasons(
        passes=chat.chat_id in index.recipients(found, reading),
        min_severity=chat.min_severity,
        topics=tuple(item for item in followed if item[1] >= chat.min_severity),
        below=tuple(item for item in followed if item[1] < chat.min_severity),
        words=tuple(phrase for phrase in chat.watch if ("watch", phrase) in matched),
        located=chat.located,
        regions=tuple(oblast for oblast in found.oblasts if oblast in regions),
        near=tuple(near),
        borders=tuple(
            (country, km, point.id, point.border_km[country])
            for country, km in chat.borders
            for point in points
            if point.border_km.get(country, math.inf) <= km
        ),
        excluded=tuple(phrase for phrase in chat.exclude if ("exclude", phrase) in matched),
    )
