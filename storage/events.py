"""Events (one per source item or admin update) and the stories they belong to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.models import Alert, Event, StoryLink
from bot.runtime.clock import from_timestamp
from storage._base import Repository, Row, dump_list, load_list

if TYPE_CHECKING:
    from storage.db import Database

# PostgreSQL's counterpart of SQLite's data_version for the stories (`stories_version`).
BUMP_STORIES_VERSION = "UPDATE stories_version SET version = version + 1"
DAY = 86_400  # seconds in a UTC day: daily_counts are keyed by days since the epoch
# Newest items of a source compared with a fetched document: more than a feed or a channel
# page lists. Older keys that come back are still caught when the batch is stored.
KNOWN_ITEMS = 1_000

_EVENT_COLUMNS = """e.id, e.source_id, e.canonical_link,
    COALESCE(s.name, e.source_name) AS source_name, e.story_id,
    e.title, e.summary, e.link, e.lang, e.topics, e.places, e.published_at, e.seen_at,
    e.is_admin, e.is_announcement"""


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
    is_announcement: bool = False
    content_hash: str | None = None  # a hash of title and text; a changed one is an edit
    signature: str | None = None  # what the story is about, for later reports to join it
    join_story: int | None = None  # a story this report tells too (chosen by the caller)
    joined_signature: str | None = None  # that story's signature once this report joined
    link_key: str | None = None  # "ORIGIN LINK": joins the story of the same, from one origin


@dataclass(frozen=True, slots=True)
class Recorded:
    """What storing an event did: its id, its story, and whether the story is new.

    `edited` is set when the source already had this item with other content: the stored
    event was updated in place (no new event, no new story).
    """

    event_id: int
    story_id: int
    new_story: bool
    edited: bool = False
    story_signature: str | None = None  # the story's signature if this write set it


def _event(row: Row) -> Event:
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
        is_announcement=bool(row["is_announcement"]),
    )


class EventRepository(Repository):
    """Events and stories."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        # Batches written through this repository that added or changed stories: with
        # SQLite's data_version (other connections' commits) it tells a cache of the
        # stories table whether it is still current (`stories_version`).
        self._stories_writes = 0

    async def stories_version(self) -> tuple[int, int]:
        """Return a value that changes whenever the stories table may have changed.

        SQLite's `PRAGMA data_version` changes when another connection commits, whatever
        it wrote; this connection's own story writes are counted here, in `write`.

        PostgreSQL has no data_version: there every write to stories or their signatures
        moves the one-row `stories_version` table in its own transaction (`write`, and
        retention). The first part is that row less this process's own `write`s, which
        each move it once: like data_version, it stays still for this process's own
        batches and moves for anyone else's (or for a write of ours that was rolled back).
        """
        if self._db.dialect == "postgresql":
            row = await self._db.fetchone("SELECT version FROM stories_version")
            seen = int(row[0]) if row else 0
            return (seen - self._stories_writes, self._stories_writes)
        rows = await self._db.fetchall("PRAGMA data_version")
        return (int(rows[0][0]) if rows else 0, self._stories_writes)

    @property
    def stories_writes(self) -> int:
        """Return how many batches that touch stories `write` has started on this connection."""
        return self._stories_writes

    async def record(self, event: NewEvent) -> Recorded | None:
        """Store an event once; return None when this source already had this item as is.

        An event whose `link_key` (its origin and canonical link) is already known joins
        that story, so the same article reached through two feeds of one site is one
        happening; the caller may also name a story the report tells too (`join_story`,
        chosen from its signature).
        An item seen before with a different content hash (an edited channel post) updates
        its event. This is a batch of one (`batch`, `EventBatch.record`, `write`).
        """
        async with self._db.transaction():
            batch = await self.batch(
                event.source_id, keys=[event.item_key], links=[event.link_key], since=None
            )
            recorded = batch.record(event)
            await self.write(batch)
            return recorded

    async def batch(
        self,
        source_id: int | None,
        *,
        keys: Iterable[str],
        links: Iterable[str | None],
        since: datetime | None,
    ) -> EventBatch:
        """Start storing events of one source: read what is known of their keys and links.

        `links` are the events' link keys ("ORIGIN LINK"); only stories reported since
        `since` are joined by one (None: any). One query however many events follow;
        `EventBatch.record` then decides each event in memory and `write` stores them all.
        Call both inside one transaction (the batch hands out row ids, which are only ours
        while the write lock is held: SQLite's, or PostgreSQL's advisory writer lock).
        """
        if not self._db.in_transaction:
            raise RuntimeError("EventRepository.batch needs a transaction around it")
        key_list = list(dict.fromkeys(keys))
        link_list = list(dict.fromkeys(link for link in links if link))
        # One query (one trip to the database thread) for the three answers, told apart by
        # the first column: this source's known keys, the stories of these links, and the
        # highest row ids so far.
        rows = await self._db.fetchall(
            "SELECT 0, item_key, id, story_id, content_hash FROM events "  # noqa: S608
            f"WHERE source_id = ? AND {self._db.any_of('item_key')} "
            "UNION ALL "
            "SELECT 1, link_key, id, NULL, NULL FROM stories "
            f"WHERE {self._db.any_of('link_key')} AND last_seen_at >= ? "
            "UNION ALL "
            "SELECT 2, NULL, (SELECT COALESCE(MAX(id), 0) FROM stories), "
            "(SELECT COALESCE(MAX(id), 0) FROM events), NULL",
            (
                source_id,
                self._db.list_param(key_list),
                self._db.list_param(link_list),
                0.0 if since is None else since.timestamp(),
            ),
        )
        existing: dict[str, tuple[int, int, str | None]] = {}
        linked: dict[str, int] = {}
        top = (0, 0)
        for kind, name, first, second, content in rows:
            if kind == 0:
                existing[name] = (int(first), int(second), content)
            elif kind == 1:
                linked[name] = int(first)
            else:
                top = (int(first), int(second))
        return EventBatch(
            source_id,
            existing=existing,
            linked=linked,
            next_story=top[0] + 1,
            next_event=top[1] + 1,
        )

    async def write(self, batch: EventBatch) -> None:
        """Store what a batch decided: a handful of statements, each over many rows.

        The order gives what storing the events one by one would: stories exist before
        the events that point at them, a story joined twice keeps the last signature, and
        a joined story's source count is taken once every event is in.
        """
        if batch.new_stories or batch.joins:
            # Counted before writing: a write that fails part-way may still have changed
            # what a cache holds, so it must look changed too.
            self._stories_writes += 1
        async with self._db.transaction():
            if (batch.new_stories or batch.joins) and self._db.dialect == "postgresql":
                await self._db.execute(BUMP_STORIES_VERSION)
            if batch.new_stories:
                await self._db.executemany(
                    "INSERT INTO stories (id, link_key, topics, places, created_at, "
                    "last_seen_at, first_event_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    batch.new_stories,
                )
            if batch.labels:
                await self._db.executemany(
                    "INSERT INTO story_labels (story_id, kind, name, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    batch.labels,
                )
                await self._db.executemany(
                    "INSERT INTO daily_counts (day, topic, stories) VALUES (?, ?, ?) "
                    "ON CONFLICT (day, topic) DO UPDATE "
                    "SET stories = daily_counts.stories + excluded.stories",
                    batch.daily_counts(),
                )
            if batch.joins:
                await self._db.executemany(
                    "UPDATE stories SET last_seen_at = ? WHERE id = ?", batch.joins
                )
            await self._write_signatures(batch)
            if batch.events:
                await self._db.executemany(
                    """
                    INSERT INTO events (id, source_id, source_name, item_key, story_id, title,
                        text, summary, link, canonical_link, lang, topics, places, published_at,
                        seen_at, is_admin, author_id, is_announcement, content_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    batch.events,
                )
            if batch.recount:
                # Corroboration: how many different sources now tell each joined story.
                await self._db.executemany(
                    """
                    UPDATE stories SET sources_count = (
                        SELECT COUNT(DISTINCT
                            COALESCE('s' || source_id, 'n' || source_name, 'admin'))
                        FROM events WHERE story_id = ?)
                    WHERE id = ?
                    """,
                    [(story_id, story_id) for story_id in batch.recount],
                )
            if batch.edits:
                await self._db.executemany(
                    """
                    UPDATE events SET title = ?, text = ?, summary = ?, lang = ?, topics = ?,
                        places = ?, content_hash = ?
                    WHERE id = ?
                    """,
                    batch.edits,
                )
            if batch.events and self._db.dialect == "postgresql":
                # Ids handed out here: the identity sequences must not hand them out again.
                await self._db.execute(
                    "SELECT setval(pg_get_serial_sequence('stories', 'id'), ?),"
                    " setval(pg_get_serial_sequence('events', 'id'), ?)",
                    batch.last_ids(),
                )
            batch.written()

    async def _write_signatures(self, batch: EventBatch) -> None:
        """Store the signatures of the stories a batch started or joined, in its order.

        A story keeps the last signature it was given and the time it was last reported;
        a join that brings no signature moves only the time.
        """
        if batch.signatures:
            await self._db.executemany(
                "INSERT INTO story_signatures (story_id, last_seen_at, signature) "
                "VALUES (?, ?, ?) ON CONFLICT (story_id) DO UPDATE "
                "SET last_seen_at = excluded.last_seen_at, "
                "signature = COALESCE(excluded.signature, story_signatures.signature)",
                batch.signatures,
            )

    async def known(self, source_id: int) -> dict[str, str | None]:
        """Return the item keys of a source's newest events, with their content hashes.

        At most `KNOWN_ITEMS`, the newest: what a fetched document can still list. An
        older item that comes back is found by `batch`, which looks its key up exactly.
        """
        rows = await self._db.fetchall(
            "SELECT item_key, content_hash FROM events WHERE source_id = ? "
            "ORDER BY seen_at DESC LIMIT ?",
            (source_id, KNOWN_ITEMS),
        )
        return {row["item_key"]: row["content_hash"] for row in rows}

    async def count_by_source(
        self, since: datetime, source_ids: Iterable[int] | None = None
    ) -> dict[int, int]:
        """Return how many events each source (or each of `source_ids`) gave since a time."""
        if source_ids is not None:
            wanted = sorted(set(source_ids))
            if not wanted:
                return {}
            marks = ",".join("?" for _ in wanted)
            rows = await self._db.fetchall(
                "SELECT source_id, COUNT(*) AS n FROM events "  # noqa: S608 -- placeholders
                f"WHERE source_id IN ({marks}) AND seen_at >= ? GROUP BY source_id",
                (*wanted, since.timestamp()),
            )
        else:
            rows = await self._db.fetchall(
                "SELECT source_id, COUNT(*) AS n FROM events "
                "WHERE seen_at >= ? AND source_id IS NOT NULL GROUP BY source_id",
                (since.timestamp(),),
            )
        return {int(row["source_id"]): int(row["n"]) for row in rows}

    async def count(self) -> int:
        """Return how many events are stored."""
        row = await self._db.fetchone("SELECT COUNT(*) AS n FROM events")
        return 0 if row is None else int(row["n"])

    async def recent_signatures(
        self, *, since: datetime, limit: int
    ) -> list[tuple[int, float, str | None]]:
        """Return (id, last reported, signature) of the stories reported since a time.

        The newest `limit` of them, newest first; a story without a signature (none was
        given, or it was dropped) comes with None.
        """
        rows = await self._db.fetchall(
            "SELECT st.id, st.last_seen_at, sg.signature FROM stories st "
            "LEFT JOIN story_signatures sg ON sg.story_id = st.id WHERE st.last_seen_at >= ? "
            "ORDER BY st.last_seen_at DESC, st.id DESC LIMIT ?",
            (since.timestamp(), limit),
        )
        return [(int(row[0]), float(row[1]), row[2]) for row in rows]

    async def sources_count(self, story_id: int) -> int:
        """Return how many different sources tell a story."""
        row = await self._db.fetchone("SELECT sources_count FROM stories WHERE id = ?", (story_id,))
        return int(row[0]) if row else 0

    async def recent(self, *, limit: int = 20) -> list[Event]:
        """Return the newest events first."""
        rows = await self._db.fetchall(
            f"SELECT {_EVENT_COLUMNS} FROM events e "  # noqa: S608 -- constant columns
            "LEFT JOIN sources s ON s.id = e.source_id ORDER BY e.seen_at DESC, e.id DESC LIMIT ?",
            (limit,),
        )
        return [_event(row) for row in rows]

    async def latest_stories(
        self,
        *,
        topic: str | None = None,
        place: str | None = None,
        offset: int = 0,
        limit: int = 5,
    ) -> list[Event]:
        """Return the first report of each story, newest story first, a page at a time.

        A topic or a place is looked up among the stories' labels (their first report's
        topics and places); either way only the page's stories are read.
        """
        if topic and place:
            raise ValueError("latest_stories narrows to a topic or a place, not both")
        if topic or place:
            kind, name = ("topic", topic) if topic else ("place", place)
            rows = await self._db.fetchall(
                f"SELECT {_EVENT_COLUMNS} FROM story_labels sl "  # noqa: S608 -- constant columns
                "JOIN stories st ON st.id = sl.story_id "
                "JOIN events e ON e.id = st.first_event_id "
                "LEFT JOIN sources s ON s.id = e.source_id "
                "WHERE sl.kind = ? AND sl.name = ? "
                "ORDER BY sl.created_at DESC, sl.story_id DESC LIMIT ? OFFSET ?",
                (kind, name, limit, offset),
            )
            return [_event(row) for row in rows]
        rows = await self._db.fetchall(
            f"SELECT {_EVENT_COLUMNS} FROM stories st "  # noqa: S608 -- constant columns
            "JOIN events e ON e.id = st.first_event_id LEFT JOIN sources s ON s.id = e.source_id "
            "WHERE e.is_announcement = 0 "
            "ORDER BY st.created_at DESC, st.id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_event(row) for row in rows]

    async def count_by_topic(self, since: datetime) -> dict[str, int]:
        """Return how many stories of each topic were first seen since a time."""
        return await self._label_counts("topic", since)

    async def _label_counts(
        self, kind: str, since: datetime, *, limit: int | None = None
    ) -> dict[str, int]:
        """Return how many stories started since a time carry each label of a kind."""
        sql = (
            "SELECT name, COUNT(*) AS n FROM story_labels WHERE kind = ? AND created_at >= ? "
            "GROUP BY name ORDER BY n DESC, name"
        )
        params: list[object] = [kind, since.timestamp()]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = await self._db.fetchall(sql, params)
        return {row["name"]: int(row["n"]) for row in rows}

    async def daily_counts(self, *, start: datetime, days: int) -> dict[str, list[int]]:
        """Return, per topic, how many stories started on each UTC day from start's day."""
        first = int(start.timestamp() // DAY)
        rows = await self._db.fetchall(
            "SELECT day, topic, stories FROM daily_counts WHERE day >= ? AND day < ?",
            (first, first + days),
        )
        series: dict[str, list[int]] = {}
        for row in rows:
            series.setdefault(row["topic"], [0] * days)[int(row["day"]) - first] = int(
                row["stories"]
            )
        return series

    async def top_places(self, *, since: datetime, limit: int = 5) -> list[tuple[str, int]]:
        """Return the places named by the most stories since a time."""
        counts = await self._label_counts("place", since, limit=limit)
        return list(counts.items())

    async def latest_by_topic(self, topics: Sequence[str]) -> dict[str, Event]:
        """Return the first report of the newest story of each topic: one lookup a topic."""
        if not topics:
            return {}
        picks = " UNION ALL ".join(
            "SELECT CAST(? AS TEXT) AS topic, (SELECT story_id FROM story_labels "
            "WHERE kind = 'topic' AND name = ? "
            "ORDER BY created_at DESC, story_id DESC LIMIT 1) AS story_id"
            for _ in topics
        )
        rows = await self._db.fetchall(
            f"SELECT {_EVENT_COLUMNS}, p.topic FROM ({picks}) p "  # noqa: S608 -- constant SQL
            "JOIN stories st ON st.id = p.story_id JOIN events e ON e.id = st.first_event_id "
            "LEFT JOIN sources s ON s.id = e.source_id",
            [value for topic in topics for value in (topic, topic)],
        )
        return {row["topic"]: _event(row) for row in rows}

    async def alert(self, story_id: int) -> Alert | None:
        """Gather what a message about a story shows: its first report and every link."""
        # The story's count of sources comes with its events: one query for each message.
        rows = await self._db.fetchall(
            f"SELECT {_EVENT_COLUMNS}, st.sources_count AS story_sources FROM events e "  # noqa: S608 -- constant columns
            "LEFT JOIN sources s ON s.id = e.source_id"
            " LEFT JOIN stories st ON st.id = e.story_id WHERE e.story_id = ? ORDER BY e.id",
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
        count = int(rows[0]["story_sources"] or 0)
        return Alert(
            story_id=story_id,
            sources_count=max(count, 1),
            topics=first.topics,
            title=first.title,
            summary=first.summary,
            places=_merge(event.places for event in events),
            happened_at=first.published_at or first.seen_at,
            links=tuple(links),
            is_admin=first.is_admin,
            is_announcement=first.is_announcement,
            sources=_merge([event.source_name or "source"] for event in events),
            source_id=first.source_id,
        )


class EventBatch:
    """Events of one source decided in memory, to be written by `EventRepository.write`.

    A batch asks its questions once for all of a source's items (`EventRepository.batch`)
    and remembers what it decides, so a later event of the same batch sees an earlier one
    exactly as if it had been stored: a repeated key is a repeat or an edit, and a link
    key met twice is one story. Why: every trip to the database thread costs a
    wake-up and a GIL hand-over, so a feed's items are stored in a few statements, not
    several per item. Row ids are handed out as SQLite would (the largest plus one) while
    the caller's transaction holds the write lock.
    """

    def __init__(
        self,
        source_id: int | None,
        *,
        existing: dict[str, tuple[int, int, str | None]],
        linked: dict[str, int],
        next_story: int,
        next_event: int,
    ) -> None:
        self._source_id = source_id
        self._existing = existing  # item key -> (event id, story id, content hash)
        self._linked = linked  # link key (origin and canonical link) -> story id
        self._next_story = next_story
        self._next_event = next_event
        self.new_stories: list[tuple[object, ...]] = []
        self.joins: list[tuple[object, ...]] = []
        self.events: list[tuple[object, ...]] = []
        self.recount: dict[int, None] = {}  # joined stories, in order
        self.edits: list[tuple[object, ...]] = []
        self.labels: list[tuple[int, str, str, float]] = []  # new stories' topics and places
        # (story, time, signature or None) of the stories started or joined, in order
        self.signatures: list[tuple[int, float, str | None]] = []

    def record(self, event: NewEvent) -> Recorded | None:
        """Decide how an event is stored; None when its source already had it as is."""
        if event.source_id != self._source_id:
            raise ValueError("a batch holds the events of one source")
        seen = self._existing.get(event.item_key) if event.source_id is not None else None
        if seen is not None:
            known_id, known_story, stored_hash = seen
            if event.content_hash is None or stored_hash == event.content_hash:
                return None
            self.edits.append(
                (
                    event.title,
                    event.text,
                    event.summary,
                    event.lang,
                    dump_list(event.topics),
                    dump_list(event.places),
                    event.content_hash,
                    known_id,
                )
            )
            self._existing[event.item_key] = (known_id, known_story, event.content_hash)
            return Recorded(event_id=known_id, story_id=known_story, new_story=False, edited=True)
        story_id = self._linked.get(event.link_key) if event.link_key else None
        signature = event.signature
        if story_id is None and event.join_story is not None:
            story_id, signature = event.join_story, event.joined_signature
        new_story = story_id is None
        event_id = self._next_event
        self._next_event += 1
        seen_at = event.seen_at.timestamp()
        if story_id is None:
            story_id = self._next_story
            self._next_story += 1
            self.new_stories.append(
                (
                    story_id,
                    event.link_key,
                    dump_list(event.topics),
                    dump_list(event.places),
                    seen_at,
                    seen_at,
                    event_id,
                )
            )
            if signature is not None:
                self.signatures.append((story_id, seen_at, signature))
            if event.link_key:
                self._linked[event.link_key] = story_id
            if not event.is_announcement:
                self.labels.extend(
                    (story_id, kind, name, seen_at)
                    for kind, names in (("topic", event.topics), ("place", event.places))
                    for name in dict.fromkeys(names)
                )
        else:
            self.joins.append((seen_at, story_id))
            self.signatures.append((story_id, seen_at, signature))
            self.recount[story_id] = None
        self.events.append(
            (
                event_id,
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
                seen_at,
                int(event.is_admin),
                event.author_id,
                int(event.is_announcement),
                event.content_hash,
            )
        )
        if event.source_id is not None:
            self._existing[event.item_key] = (event_id, story_id, event.content_hash)
        return Recorded(
            event_id=event_id, story_id=story_id, new_story=new_story, story_signature=signature
        )

    def last_ids(self) -> tuple[int, int]:
        """Return the largest story and event ids known to the batch (at least 1)."""
        return max(self._next_story - 1, 1), max(self._next_event - 1, 1)

    def daily_counts(self) -> list[tuple[int, str, int]]:
        """Return (UTC day, topic, new stories) for the stories this batch starts."""
        counts = Counter(
            (int(created // DAY), name) for _, kind, name, created in self.labels if kind == "topic"
        )
        return [(day, topic, n) for (day, topic), n in counts.items()]

    def written(self) -> None:
        """Forget the rows `write` stored; what the batch knows of keys and links stays."""
        self.new_stories, self.joins, self.events, self.edits = [], [], [], []
        self.recount = {}
        self.labels = []
        self.signatures = []


def _merge(groups: Iterable[Sequence[str]]) -> tuple[str, ...]:
    """Join lists of names keeping first-seen order and dropping repeats."""
    merged: dict[str, None] = {}
    for group in groups:
        for name in group:
            merged.setdefault(name, None)
    return tuple(merged)
