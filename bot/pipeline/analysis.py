"""What a post's words say, worked out once: the one analysis of polled items and `/post`.

A post is classified (topics, places, language), summarised, signed for story joining and
hashed, all from one reading of its title and text, so a source's item and an admin's
update are analysed by the same code whether it runs in a worker process or inline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.matching import Matcher
from bot.matching.matcher import Reading, read
from bot.models import Classification
from bot.pipeline.parse.text import MAX_TEXT_CHARS, MAX_TITLE_CHARS, bounded, first_sentences
from bot.pipeline.stories import Signature, signature_of


@dataclass(frozen=True, slots=True)
class Analysis:
    """What storing a post needs to know of its words."""

    found: Classification  # topics, places, language and the words that hit
    summary: str  # the 1-3 sentences an alert shows
    signature: Signature  # what its story is about, for later reports to join it
    content_hash: str  # `content_hash` of its title and text: a changed one is an edit


def content_hash(title: str, text: str) -> str:
    """Hash a post's content, so an edit to a known item can be told from a repeat."""
    material = f"{title}\n{text}".encode()
    return hashlib.sha1(material, usedforsecurity=False).hexdigest()


def summarize(title: str, text: str) -> str:
    """Make the 1-3 sentence summary an alert shows."""
    return first_sentences(text or title, 3)


def story_signature(matcher: Matcher, found: Classification, reading: Reading) -> Signature:
    """Return the story signature of a classified post (its point places, not oblasts)."""
    points = [
        place.id
        for place in map(matcher.places.get, found.places)
        if place is not None and place.kind != "oblast"
    ]
    return signature_of(found, reading, points)


def analyse(
    matcher: Matcher,
    title: str,
    text: str,
    *,
    found: Classification | None = None,
    hashed: str | None = None,
) -> Analysis:
    """Classify, summarise, sign and hash a post.

    `found` is a classification the caller already decided (an admin's chosen topics and
    places): the signature then follows it. `hashed` is the post's `content_hash` when the
    caller worked it out already (sifting a page compares it with the stored one).

    The title and text are cut to the caps first (an item from a source already is): no
    post costs more to analyse than that much text.
    """
    title, text = bounded(title, MAX_TITLE_CHARS), bounded(text, MAX_TEXT_CHARS)
    reading = read(f"{title}\n{text}")  # read once for the topics and the signature
    if found is None:
        found = matcher.classify(reading)
    return Analysis(
        found=found,
        summary=summarize(title, text),
        signature=story_signature(matcher, found, reading),
        content_hash=content_hash(title, text) if hashed is None else hashed,
    )
