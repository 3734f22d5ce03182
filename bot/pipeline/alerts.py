"""Turn a post into a stored event and, when it starts a story, queue its alerts.

Both the source poller and an admin's `/post` come through here, so a manual update is
matched and delivered exactly like a source post.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.matching import Catalog, Matcher
from bot.models import Classification
from bot.pipeline.text import first_sentences
from storage import Database
from storage.events import NewEvent

log = logging.getLogger(__name__)

SEVERITY_PRIORITY = {"high": 2, "medium": 1, "low": 0}


@dataclass(frozen=True, slots=True)
class Post:
    """A post from anywhere, before it is classified."""

    item_key: str
    title: str
    text: str
    link: str | None
    canonical_link: str | None
    published: datetime | None
    source_id: int | None = None
    source_name: str | None = None
    is_admin: bool = False
    author_id: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one post."""

    new: bool  # stored for the first time
    event_id: int | None = None
    story_id: int | None = None
    topics: tuple[str, ...] = ()
    queued: int = 0  # outbox rows written (or sent alerts marked to be edited)


def summarize(title: str, text: str) -> str:
    """Make the 1-3 sentence summary an alert shows."""
    return first_sentences(text or title, 3)


def priority_of(topics: tuple[str, ...], catalog: Catalog) -> int:
    """Return the outbox priority of a story: that of its most severe topic."""
    levels = [SEVERITY_PRIORITY.get(catalog.topic(name).severity, 0) for name in topics]
    return max(levels, default=0)


async def record_post(
    db: Database,
    post: Post,
    *,
    matcher: Matcher,
    catalog: Catalog,
    now: datetime,
    alert: bool = True,
) -> Outcome:
    """Store a post once; if it starts a story that matches topics, queue its alerts.

    The event, its story and its outbox rows are written in one transaction, so a crash
    either keeps all of them or none.
    """
    found: Classification = matcher.classify(f"{post.title}\n{post.text}")
    event = NewEvent(
        source_id=post.source_id,
        source_name=post.source_name,
        item_key=post.item_key,
        title=post.title,
        text=post.text,
        summary=summarize(post.title, post.text),
        link=post.link,
        canonical_link=post.canonical_link,
        lang=found.lang,
        topics=found.topics,
        places=found.places,
        published_at=post.published,
        seen_at=now,
        is_admin=post.is_admin,
        author_id=post.author_id,
    )
    async with db.transaction():
        recorded = await db.events.record(event)
        if recorded is None:
            return Outcome(new=False)
        queued = 0
        if alert and recorded.new_story and found.topics:
            chats = await db.chats.subscribers(found.topics)
            queued = await db.outbox.enqueue(
                recorded.story_id, chats, priority=priority_of(found.topics, catalog), now=now
            )
        elif alert and not recorded.new_story:
            # The story grew: alerts already sent are edited to show the new source and the
            # count, rather than sent again; ones still queued render it when they go.
            queued = await db.outbox.request_edits(recorded.story_id, now=now)
    log.debug(
        "event %d (story %d) topics=%s queued=%d",
        recorded.event_id,
        recorded.story_id,
        ",".join(found.topics),
        queued,
    )
    return Outcome(
        new=True,
        event_id=recorded.event_id,
        story_id=recorded.story_id,
        topics=found.topics,
        queued=queued,
    )
