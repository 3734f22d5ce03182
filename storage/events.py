"""Events (one per source item or admin update) and the stories they belong to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import from_timestamp
from bot.models import Alert, Event, StoryLink
from storage._base import Repository, dump_list, load_list

_EVENT_COLUMNS = """e.id, e.source_id, e.canonical_link,
    COALESCE(s.name, e.source_name) AS source_name, e.story_id,
    e.title, e.summary, e.link, e.lang, e.topics, e.places, e.published_at, e.seen_at,
    e.is_admin"""


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be stored."""

    source_id: int | None
    source_name: str | None
    item_key: str
    title: str
    text: str
    summary: str
    link: str | None
    canonical_link: str | None
    lang: str
    topics: tuple[str, ...]
    places: tuple[str, ...]
    published_at: datetime | None
    seen_at: datetime
    is_admin: bool = False
    author_id: int | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """What storing an event did: its id, its story, and whether the story is new."""

    event_id: int
    story_id: int
    new_story: bool


def _event(row: aiosqlite.Row) -> Event:
    seen = from_timestamp(row["seen_at"])
    assert seen is not None  # noqa: S101 -- NOT NULL column
    return Event(
        id=row["id"],
        source_id=row["source_id"],
        source_name=row["source_name"],
        story_id=row["story_id"],
        title=row["title"],
        summary=row["summary"],
        link=row["link"],
        lang=row["lang"],
        topics=load_list(row["topics"]),
        places=load_list(row["places"]),
        published_at=from_timestamp(row["published_at"]),
        seen_at=seen,
        is_admin=bool(row["is_admin"]),
    )


class EventRepository(Repository):
    """Events and stories."""

    async def record(self, event: NewEvent) -> Recorded | None:
        """Store an event once; return None when this source already had this item.

        An event whose canonical link is already known joins that story, so the same
        article reached through two links or two sources is one happening.
        """
        async with self._db.transaction():
            if event.source_id is not None:
                seen = await self._db.fetchone(
                    "SELECT 1 FROM events WHERE source_id = ? AND item_key = ?",
                    (event.source_id, event.item_key),
                )
                if seen is not None:
                    return None
            story_id: int | None = None
            if event.canonical_link:
                row = await self._db.fetchone(
                    "SELECT id FROM stories WHERE canonical_link = ?", (event.canonical_link,)
                )
                story_id = None if row is None else int(row["id"])
            new_story = story_id is None
            if story_id is None:
                cursor = await self._db.execute(
                    "INSERT INTO stories (canonical_link, topics, places, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (
                        event.canonical_link,
                        dump_list(event.topics),
                        dump_list(event.places),
                        event.seen_at.timestamp(),
                    ),
                )
                story_id = int(cursor.lastrowid or 0)
            cursor = await self._db.execute(
                """
                INSERT INTO events (source_id, source_name, item_key, story_id, title, text,
                    summary, link, canonical_link, lang, topics, places, published_at, seen_at,
                    is_admin, author_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    event.source_id,
                    event.source_name,
                    event.item_key,
                    story_id,
                    event.title,
                    event.text,
                    event.summary,
                    event.link,
                    event.canonical_link,
                    event.lang,
                    dump_list(event.topics),
                    dump_list(event.places),
                    None if event.published_at is None else event.published_at.timestamp(),
                    event.seen_at.timestamp(),
                    int(event.is_admin),
                    event.author_id,
                ),
            )
            event_id = int(cursor.lastrowid or 0)
            if new_story:
                await self._db.execute(
                    "UPDATE stories SET first_event_id = ? WHERE id = ?", (event_id, story_id)
                )
            return Recorded(event_id=event_id, story_id=story_id, new_story=new_story)

    async def recent(self, *, limit: int = 20) -> list[Event]:
        """Return the newest events first."""
        rows = await self._db.fetchall(
            f"SELECT {_EVENT_COLUMNS} FROM events e "  # noqa: S608 -- constant columns
            "LEFT JOIN sources s ON s.id = e.source_id ORDER BY e.seen_at DESC, e.id DESC LIMIT ?",
            (limit,),
        )
        return [_event(row) for row in rows]

    async def count_by_topic(self, since: datetime) -> dict[str, int]:
        """Return how many stories of each topic were first seen since a time."""
        rows = await self._db.fetchall(
            """
            SELECT t.value AS topic, COUNT(DISTINCT e.story_id) AS n
            FROM events e, json_each(e.topics) t
            WHERE e.seen_at >= ? GROUP BY t.value
            """,
            (since.timestamp(),),
        )
        return {row["topic"]: int(row["n"]) for row in rows}

    async def latest_by_topic(self) -> dict[str, Event]:
        """Return the newest event of each topic."""
        rows = await self._db.fetchall(
            f"""
            SELECT {_EVENT_COLUMNS}, t.value AS topic FROM events e
            JOIN json_each(e.topics) t LEFT JOIN sources s ON s.id = e.source_id
            WHERE e.id = (
                SELECT e2.id FROM events e2, json_each(e2.topics) t2
                WHERE t2.value = t.value ORDER BY e2.seen_at DESC, e2.id DESC LIMIT 1)
            """  # noqa: S608 -- constant columns
        )
        return {row["topic"]: _event(row) for row in rows}

    async def alert(self, story_id: int) -> Alert | None:
        """Gather what a message about a story shows: its first report and every link."""
        rows = await self._db.fetchall(
            f"SELECT {_EVENT_COLUMNS} FROM events e "  # noqa: S608 -- constant columns
            "LEFT JOIN sources s ON s.id = e.source_id WHERE e.story_id = ? ORDER BY e.id",
            (story_id,),
        )
        if not rows:
            return None
        events = [_event(row) for row in rows]
        first = events[0]
        links: list[StoryLink] = []
        seen_urls: set[str] = set()
        for event, row in zip(events, rows, strict=True):
            # One link per canonical URL: a republished copy adds no new source.
            identity: str | None = row["canonical_link"] or event.link
            if event.link and identity and identity not in seen_urls:
                seen_urls.add(identity)
                links.append(StoryLink(event.source_name or "source", event.link))
        return Alert(
            story_id=story_id,
            topics=first.topics,
            title=first.title,
            summary=first.summary,
            places=_merge(event.places for event in events),
            happened_at=first.published_at or first.seen_at,
            links=tuple(links),
            is_admin=first.is_admin,
            sources=_merge([event.source_name or "source"] for event in events),
        )


def _merge(groups: Iterable[Sequence[str]]) -> tuple[str, ...]:
    """Join lists of names keeping first-seen order and dropping repeats."""
    merged: dict[str, None] = {}
    for group in groups:
        for name in group:
            merged.setdefault(name, None)
    return tuple(merged)
