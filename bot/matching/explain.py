"""What an operator reads of a classification: `outpost classify`'s JSON fields and
`outpost explain`'s lines.

Plain functions over a `Matcher`, so that the command line only reads its input and prints.
"""

from __future__ import annotations

import json
from typing import Any

from bot.matching.catalog import Catalog
from bot.matching.lacinka import is_lacinka, to_cyrillic
from bot.matching.lang import language_candidates
from bot.matching.matcher import Matcher, read


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
    """Return lines saying which words hit which topic keyword, what a rule dropped, and where:
    each place with the words that named it and the evidence that made them a place, and the
    names that did not count and why.

    `catalog` is the one the matcher was built on; it gives a hit's severity when no rule
    graded it.
    """
    found = matcher.classify(text)
    langs = language_candidates(text)
    read_as = f" (words read as {', '.join(langs)})" if len(langs) > 1 else ""
    lines = [f"language: {found.lang}{read_as}"]
    if langs == ("be",) and is_lacinka(text):
        lines.append(f"łacinka, read as: {to_cyrillic(text)}")
    if not found.hits:
        lines.append("topics: none")
    for hit in found.hits:
        pairs = ", ".join(f"{words!r} ~ keyword {keyword!r}" for words, keyword in hit.pairs)
        severity = hit.severity or catalog.topic(hit.topic).severity
        lines.append(f"topic {hit.topic} ({severity}): {pairs}")
        lines.extend(
            f"  {words!r} graded {level} by a rule: {note}" for words, level, note in hit.graded
        )
    if found.severity:
        lines.append(f"severity: {found.severity}")
    lines.extend(f"not counted: {note}" for note in found.notes)
    if not found.places:
        lines.append("places: none")
    reading = read(text)
    rejected: list[str] = []
    evidence: dict[str, list[str]] = {}
    for named in matcher.places.find_hits(
        reading.surfaces, reading.starts, reading.norms, text, reading.langs, rejected=rejected
    ):
        words = text[reading.starts[named.start] : reading.ends[named.end - 1]]
        evidence.setdefault(named.place, []).append(f"{words!r} ({named.evidence})")
    for place_id in found.places:
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
    if found.border_km:
        borders = ", ".join(f"{code} {km:g} km" for code, km in found.border_km)
        lines.append(f"borders: {borders}")
    return lines
