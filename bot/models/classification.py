"""What the matcher found in a text: its topics, places and severity, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.models.severity import Severity


@dataclass(frozen=True, slots=True)
class TopicHit:
    """One topic found in a text, with the words of the text that triggered it."""

    topic: str
    words: tuple[str, ...]
    keywords: tuple[str, ...]  # the catalog keywords those words matched
    pairs: tuple[tuple[str, str], ...] = ()  # (words of the text, the keyword they hit)
    severity: Severity | None = None  # the highest severity of its hits (rules' or topic's)
    graded: tuple[tuple[str, Severity, str], ...] = ()  # (words, severity, rule note) by a rule


@dataclass(frozen=True, slots=True)
class Classification:
    """What the matcher found in a text."""

    lang: str
    topics: tuple[str, ...]
    places: tuple[str, ...]
    hits: tuple[TopicHit, ...] = field(default=())
    severity: Severity | None = None  # the most severe of its topics' severities in this text
    notes: tuple[str, ...] = ()  # hits that rules dropped, and why (for `outpost explain`)
    oblasts: tuple[str, ...] = ()  # the oblasts its places lie in
    border_km: tuple[tuple[str, float], ...] = ()  # (neighbour, km) from its nearest place

    def topic_severity(self, topic: str) -> Severity | None:
        """Return a found topic's severity in this text (None: not found, or not by words)."""
        return next((hit.severity for hit in self.hits if hit.topic == topic), None)

    def border_distance(self, country: str | None = None) -> float | None:
        """Return the km from the text's places to a neighbour's border (None: the nearest)."""
        values = [km for code, km in self.border_km if country is None or code == country]
        return min(values, default=None)
