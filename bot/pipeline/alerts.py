"""Turn a post into a stored event and, when it starts a story, queue its alerts.

Both the source poller and an admin's `/post` come through here, so a manual update is
matched and delivered exactly like a source post.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.matching import Catalog, Matcher
from bot.matching.matcher import Reading, read
from bot.models import Classification, Severity, alert_priority
from bot.pipeline.audience import Audience
from bot.pipeline.parse.text import first_sentences
from bot.pipeline.stories import MAX_CANDIDATES, RecentStories, Signature, merged, signature_of
from bot.pipeline.stories import WINDOW as STORY_WINDOW
from storage import Database
from storage.events import NewEvent, Recorded

log = logging.getLogger(__name__)


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
    queued: int = 0  # outbox rows written
    joined: bool = False  # the post joined a story already told (no new alert)
    edited: bool = False  # an item seen before with other content: its event was updated


def content_hash(title: str, text: str) -> str:
    """Digest a post's content, so an edit to a known item can be told from a repeat."""
    material = f"{title}\n{text}".encode()
    return hashlib.sha1(material, usedforsecurity=False).hexdigest()


def summarize(title: str, text: str) -> str:
    """Make the 1-3 sentence summary an alert shows."""
    return first_sentences(text or title, 3)


def priority_of(found: Classification, catalog: Catalog) -> int:
    """Return the outbox priority of a story: that of its most severe topic in it.

    A topic's severity in a report is what the catalog's rules graded its words (a denied
    call-up is low), else the topic's own.
    """
    levels = [
        alert_priority(found.topic_severity(name) or catalog.topic(name).severity)
        for name in found.topics
    ]
    return max(levels, default=0)


def story_signature(matcher: Matcher, found: Classification, reading: Reading) -> Signature:
    """Return the story signature of a classified post (its point places, not oblasts)."""
    points = [
        place.id
        for place in map(matcher.places.get, found.places)
        if place is not None and place.kind != "oblast"
    ]
    return signature_of(found, reading, points)


@dataclass(frozen=True, slots=True)
class Analysed:
    """A post with what matching found in it, ready to be stored."""

    post: Post
    found: Classification
    summary: str
    signature: Signature
    content_hash: str  # `content_hash` of the post, worked out once with its analysis
    alert: bool = True  # False: store silently (a new source's first poll)


def analysed(
    post: Post,
    matcher: Matcher,
    *,
    alert: bool = True,
    found: Classification | None = None,
    summary: str | None = None,
    signature: Signature | None = None,
) -> Analysed:
    """Work out what a post lacks of its classification, summary and story signature."""
    if found is None or signature is None:
        reading = read(f"{post.title}\n{post.text}")
        if found is None:
            found = matcher.classify(reading)
        signature = story_signature(matcher, found, reading)
    if summary is None:
        summary = summarize(post.title, post.text)
    digest = content_hash(post.title, post.text)
    return Analysed(post, found, summary, signature, digest, alert)


async def record_post(
    db: Database,
    post: Post,
    *,
    matcher: Matcher,
    catalog: Catalog,
    now: datetime,
    alert: bool = True,
    audience: Audience | None = None,
    found: Classification | None = None,
    summary: str | None = None,
    severity: Severity | None = None,
    signature: Signature | None = None,
    stories: RecentStories | None = None,
) -> Outcome:
    """Store a post once; if it starts a story, queue its alerts for the chats it reaches.

    A chat is reached through its topics (at or above its minimum severity) or its own
    keywords, within its place filters and unless one of its exclusions occurs. The
    event, its story and its outbox rows are written in one transaction, so a crash
    either keeps all of them or none. Without an `audience`, one is loaded for this post.

    A known item whose content changed (an edited channel post) updates its event and
    alerts nobody again; `alert=False` stores without alerting (a new source's first,
    silent poll). `found` is the post's classification when the caller already has it (or
    an admin chose it), and `summary` its summary. An admin's `severity` sets the priority.
    `signature` is the post's story signature when the caller worked it out with `found`.
    `stories` is as for `record_posts`, which this is a batch of one of.
    """
    one = analysed(post, matcher, alert=alert, found=found, summary=summary, signature=signature)
    outcomes = await record_posts(
        db,
        [one],
        matcher=matcher,
        catalog=catalog,
        now=now,
        audience=audience,
        severity=severity,
        stories=stories,
    )
    return outcomes[0]


async def record_posts(
    db: Database,
    posts: Sequence[Analysed],
    *,
    matcher: Matcher,
    catalog: Catalog,
    now: datetime,
    audience: Audience | None = None,
    severity: Severity | None = None,
    stories: RecentStories | None = None,
) -> list[Outcome]:
    """Store the posts of one source in order, as `record_post` would one after another.

    All of them, their stories and their outbox rows are written in one transaction, with
    a few statements for the whole batch rather than several per post (`EventBatch`): the
    poller stores a feed's new items this way. A later post sees an earlier one as stored
    (a repeated key is a repeat or an edit, a shared canonical link or a near-duplicate
    text joins its story).

    `stories` is the caller's mirror of the recent stories, synced inside the caller's
    transaction; without it the recent stories are read here.
    """
    if not posts:
        return []
    source_ids = {item.post.source_id for item in posts}
    if len(source_ids) != 1:
        raise ValueError("record_posts stores the posts of one source at a time")
    since = (now - STORY_WINDOW).timestamp()
    results: list[Recorded | None] = []
    outcomes: list[Outcome] = []
    async with db.transaction():
        if stories is None:
            stories = RecentStories()
            stories.sync(
                await db.events.recent_signatures(since=now - STORY_WINDOW, limit=MAX_CANDIDATES)
            )
        batch = await db.events.batch(
            source_ids.pop(),
            keys=[item.post.item_key for item in posts],
            links=[item.post.canonical_link for item in posts],
        )
        for item in posts:
            event = _new_event(item, now)
            # A verified update is always delivered as its own story.
            joined = None if item.post.is_admin else stories.choose(item.signature, since=since)
            grown: Signature | None = None
            if joined is not None:
                story_id, story = joined
                grown = merged(story, item.signature)
                event = replace(event, join_story=story_id, joined_signature=grown.to_json())
            recorded = batch.record(event)
            results.append(recorded)
            if recorded is not None and not recorded.edited:  # an edit leaves the story be
                # The signature the story now has, decoded: the mirror need not parse it.
                decoded = None
                if recorded.story_signature == event.signature:
                    decoded = item.signature
                elif grown is not None and recorded.story_signature == event.joined_signature:
                    decoded = grown
                stories.touch(recorded.story_id, now.timestamp(), recorded.story_signature, decoded)
        await db.events.write(batch)
        # Alerts after the writes: an outbox row points at its story. In post order, so a
        # story that grew within the batch is queued before its edit is asked for.
        for item, recorded in zip(posts, results, strict=True):
            if recorded is None:
                outcomes.append(Outcome(new=False))
                continue
            if audience is None and item.alert and recorded.new_story:
                audience = Audience(catalog, matcher.places)
            outcomes.append(
                await _queue(
                    db,
                    item,
                    recorded,
                    catalog=catalog,
                    now=now,
                    audience=audience,
                    severity=severity,
                )
            )
    return outcomes


def _new_event(item: Analysed, now: datetime) -> NewEvent:
    post, found = item.post, item.found
    return NewEvent(
        source_id=post.source_id,
        source_name=post.source_name,
        item_key=post.item_key,
        title=post.title,
        text=post.text,
        summary=item.summary,
        link=post.link,
        canonical_link=post.canonical_link,
        lang=found.lang,
        topics=found.topics,
        places=found.places,
        published_at=post.published,
        seen_at=now,
        is_admin=post.is_admin,
        author_id=post.author_id,
        content_hash=item.content_hash,
        signature=item.signature.to_json(),
    )


async def _queue(
    db: Database,
    item: Analysed,
    recorded: Recorded,
    *,
    catalog: Catalog,
    now: datetime,
    audience: Audience | None,
    severity: Severity | None,
) -> Outcome:
    """Queue the alerts of a stored post: its story's first, or an edit of a grown one."""
    found = item.found
    if recorded.edited:
        log.info("event %d edited at its source; updated in place", recorded.event_id)
        return Outcome(
            new=False,
            event_id=recorded.event_id,
            story_id=recorded.story_id,
            topics=found.topics,
            edited=True,
        )
    queued = 0
    if item.alert and recorded.new_story and audience is not None:
        reading = read(f"{item.post.title}\n{item.post.text}")
        chats = await audience.recipients(db, found, reading)
        priority = alert_priority(severity) if severity is not None else priority_of(found, catalog)
        queued = await db.outbox.enqueue(recorded.story_id, chats, priority=priority, now=now)
    elif item.alert and not recorded.new_story:
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
        joined=not recorded.new_story,
    )
