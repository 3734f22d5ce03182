"""One story per happening: when a new report joins a story already being told.

Each story keeps a `Signature` of what it is about: its topics, its places, the numbers
its reports give ("28 trucks") and a MinHash sketch of its first report's wording. A new
report, within `WINDOW` of the story's latest report, joins it when

- it does not contradict the story (if both name places, one is shared; if both give
  numbers, one is shared), and
- its wording is a near-duplicate (estimated Jaccard similarity of word-pair shingles at
  least `NEAR_DUPLICATE`; words are compared in their normal forms, so a rewrite that
  changes cases still counts), or it shares a topic and a named place (a town, airfield,
  crossing: an oblast is too wide).
  Topics, places and numbers do not depend on the language, so a Belarusian post and a
  Russian article about the same column join.

Why no library: datasketch's MinHash needs numpy and scipy for what is here a bottom-k
sketch of 64 hashes over a few dozen shingles, compared against a few hundred stories.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.matching.matcher import Reading
from bot.models import Classification

WINDOW = timedelta(hours=12)
NEAR_DUPLICATE = 0.5
SKETCH_SIZE = 64
MAX_CANDIDATES = 300  # the newest stories in the window that a report is compared with
_MIN_NUMBER = 2  # "1" is too common to mean anything


@dataclass(frozen=True, slots=True)
class Signature:
    """What a story is about, as far as joining reports goes."""

    topics: frozenset[str]
    places: frozenset[str]  # point places only
    numbers: frozenset[str]
    sketch: tuple[int, ...]  # bottom-k MinHash of word-pair shingles

    def to_json(self) -> str:
        """Encode for the stories table."""
        return json.dumps(
            {
                "topics": sorted(self.topics),
                "places": sorted(self.places),
                "numbers": sorted(self.numbers),
                "sketch": list(self.sketch),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Signature | None:
        """Decode a stored signature; None if it is missing or unreadable."""
        try:
            data = json.loads(text)
            return cls(
                topics=frozenset(map(str, data["topics"])),
                places=frozenset(map(str, data["places"])),
                numbers=frozenset(map(str, data["numbers"])),
                sketch=tuple(int(value) for value in data["sketch"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def signature_of(found: Classification, reading: Reading, point_places: Iterable[str]) -> Signature:
    """Describe a report: its topics, point places, numbers and a sketch of its wording."""
    words = [min(forms) for forms in reading.forms if forms]
    numbers = {
        token.norm.lstrip("0") or "0"
        for token in reading.tokens
        if token.norm.isdigit() and int(token.norm) >= _MIN_NUMBER
    }
    shingles = {f"{one} {two}" for one, two in itertools.pairwise(words)}
    return Signature(
        topics=frozenset(found.topics),
        places=frozenset(point_places),
        numbers=frozenset(numbers),
        sketch=_sketch(shingles),
    )


def _sketch(shingles: Iterable[str]) -> tuple[int, ...]:
    """Return the bottom-k hashes of a set of shingles."""
    hashes = {
        int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles
    }
    return tuple(sorted(hashes)[:SKETCH_SIZE])


def similarity(one: Sequence[int], other: Sequence[int]) -> float:
    """Estimate the Jaccard similarity of two sets from their bottom-k sketches."""
    if not one or not other:
        return 0.0
    k = min(SKETCH_SIZE, len(set(one) | set(other)))
    union = sorted(set(one) | set(other))[:k]
    both = set(one) & set(other)
    return sum(value in both for value in union) / k


def same_happening(story: Signature, report: Signature) -> bool:
    """Tell whether a report tells the same happening as a story."""
    # Different places or different numbers are different happenings, however alike the
    # wording ("28 trucks through Yelsk" and "28 trucks through Orsha").
    if story.places and report.places and not story.places & report.places:
        return False
    if story.numbers and report.numbers and not story.numbers & report.numbers:
        return False
    if similarity(story.sketch, report.sketch) >= NEAR_DUPLICATE:
        return True
    return bool(story.topics & report.topics and story.places & report.places)


def merged(story: Signature, report: Signature) -> Signature:
    """Return a story's signature once a report joined it (the wording stays the first's)."""
    return Signature(
        topics=story.topics | report.topics,
        places=story.places | report.places,
        numbers=story.numbers | report.numbers,
        sketch=story.sketch,
    )


def choose_story(
    report: Signature, candidates: Iterable[tuple[int, str | None]]
) -> tuple[int, Signature] | None:
    """Return the first candidate story (newest first) the report joins, with its signature."""
    for story_id, stored in candidates:
        signature = Signature.from_json(stored) if stored else None
        if signature is not None and same_happening(signature, report):
            return story_id, signature
    return None
