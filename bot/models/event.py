"""Stored posts and the stories they tell, as an alert shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Event:
    """A stored post: one per source item (or admin update), attached to a story."""

    id: int
    source_id: int | None
    source_name: str | None
    story_id: int
    title: str
    summary: str
    link: str | None
    lang: str
    topics: tuple[str, ...]
    places: tuple[str, ...]
    published_at: datetime | None
    seen_at: datetime
    is_admin: bool
    is_announcement: bool = False


@dataclass(frozen=True, slots=True)
class StoryLink:
    """One source's link for a story, as shown under an alert."""

    source_name: str
    url: str


@dataclass(frozen=True, slots=True)
class Alert:
    """Everything a message about one story needs, gathered for rendering."""

    story_id: int
    topics: tuple[str, ...]
    title: str
    summary: str
    places: tuple[str, ...]
    happened_at: datetime | None
    links: tuple[StoryLink, ...]
    is_admin: bool
    is_announcement: bool = False
    sources_count: int = 1  # how many different sources tell the story (corroboration)
    sources: tuple[str, ...] = ()  # every source that reported the story, first first
    source_id: int | None = None  # the source of its first report (None: an admin's, or removed)
