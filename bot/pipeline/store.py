"""Store posts as events, join or start their stories, and queue the alerts of new stories.

Both the source poller and an admin's `/post` come through here, so a manual update is
matched and delivered exactly like a source post.

No source can silence another's report through its story. A report joins a story by its
link only when both come from the same origin (one site or one channel) within the story
window, so a feed cannot claim links it does not own before their owner publishes them. An
admin's update is never joined: its story keeps no signature to be compared with. And a
report that joins a story still alerts every chat it reaches that the story had not
reached: joining spares only the chats already told, who see the new source by an edit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.matching import Catalog, Matcher
from bot.matching.matcher import read
from bot.models import Classification, ParsedItem, Severity, alert_priority
from bot.pipeline.analysis import Analysis
from bot.pipeline.audience import Audience
from bot.pipeline.stories import WINDOW as STORY_WINDOW
from bot.pipeline.stories import Signature, StoryMirror, merged
from storage import Database
from storage.events import NewEvent, Recorded

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Post:
    """A post ready to be stored: the item, what its words say, and where it came from."""

    item: ParsedItem
    analysis: Analysis
    source_id: int | None = None
    source_name: str | None = None
    is_admin: bool = False
    author_id: int | None = None
    alert: bool = True  # False: store silently (a new source's first poll)
    origin: str | None = None  # the site or channel it came from (`origin_of`); None: its source

    @property
    def link_key(self) -> str | None:
        """Return what joins it to a story by link: its origin and canonical link."""
        link = self.item.canonical_link
        if not link or self.is_admin:
            return None
        origin = self.origin or (None if self.source_id is None else f"source:{self.source_id}")
        return None if origin is None else f"{origin} {link}"


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


async def record_post(
    db: Database,
    post: Post,
    *,
    matcher: Matcher,
    catalog: Catalog,
    now: datetime,
    audience: Audience | None = None,
    severity: Severity | None = None,
    stories: StoryMirror | None = None,
    edit_interval: timedelta = timedelta(0),
) -> Outcome:
    """Store a post once; if it starts a story, queue its alerts for the chats it reaches.

    A chat is reached through its topics (at or above its minimum severity) or its own
    keywords, within its place filters and unless one of its exclusions occurs. The
    event, its story and its outbox rows are written in one transaction, so a crash
    either keeps all of them or none. Without an `audience`, one is loaded for this post.

    A known item whose content changed (an edited channel post) updates its event and
    alerts nobody again. An admin's `severity` sets the priority. This is a batch of one
    of `record_posts`.
    """
    outcomes = await record_posts(
        db,
        [post],
        matcher=matcher,
        catalog=catalog,
        now=now,
        audience=audience,
        severity=severity,
        stories=stories,
        edit_interval=edit_interval,
    )
    return outcomes[0]


async def record_posts(
    db: Database,
    posts: Sequence[Post],
    *,
    matcher: Matcher,
    catalog: Catalog,
    now: datetime,
    audience: Audience | None = None,
    severity: Severity | None = None,
    stories: StoryMirror | None = None,
    edit_interval: timedelta = timedelta(0),
) -> list[Outcome]:
    """Store the posts of one source in order, as `record_post` would one after another.

    All of them, their stories and their outbox rows are written in one transaction, with
    a few statements for the whole batch (`EventBatch`). A later post sees an earlier one
    as stored (a repeated key is a repeat or an edit, a shared canonical link or a
    near-duplicate text joins its story).

    `stories` is the caller's mirror of the recent stories (the poller keeps one across
    polls); without it the recent stories are read from the table here. A story that grows
    has its sent messages edited at most once per `edit_interval`.
    """
    if not posts:
        return []
    source_ids = {post.source_id for post in posts}
    if len(source_ids) != 1:
        raise ValueError("record_posts stores the posts of one source at a time")
    since = (now - STORY_WINDOW).timestamp()
    results: list[Recorded | None] = []
    outcomes: list[Outcome] = []
    async with db.transaction():
        # One instance at a time reads the recent stories and joins or opens one: two
        # instances must never open two stories for one happening.
        await db.serialise("story-joining")
        mirror = stories if stories is not None else StoryMirror()
        recent = await mirror.recent(db, now=now)
        batch = await db.events.batch(
            source_ids.pop(),
            keys=[post.item.key for post in posts],
            links=[post.link_key for post in posts],
            since=now - STORY_WINDOW,
        )
        for post in posts:
            signature = post.analysis.signature
            event = _new_event(post, now)
            # A verified update is always delivered as its own story.
            joined = None if post.is_admin else recent.choose(signature, since=since)
            grown: Signature | None = None
            if joined is not None:
                story_id, story = joined
                grown = merged(story, signature)
                event = replace(event, join_story=story_id, joined_signature=grown.to_json())
            recorded = batch.record(event)
            results.append(recorded)
            if recorded is not None and not recorded.edited:  # an edit leaves the story be
                # The signature the story now has, decoded: the mirror need not parse it.
                decoded = None
                if recorded.story_signature is None:
                    pass  # a story no report can join (an admin's)
                elif recorded.story_signature == event.signature:
                    decoded = signature
                elif grown is not None and recorded.story_signature == event.joined_signature:
                    decoded = grown
                recent.touch(recorded.story_id, now.timestamp(), recorded.story_signature, decoded)
        await db.events.write(batch)
        # Alerts after the writes: an outbox row points at its story. In post order, so a
        # story that grew within the batch is queued before its edit is asked for.
        for post, recorded in zip(posts, results, strict=True):
            if recorded is None:
                outcomes.append(Outcome(new=False))
                continue
            if audience is None and post.alert:
                audience = Audience(catalog, matcher.places)
            outcomes.append(
                await _queue(
                    db,
                    post,
                    recorded,
                    catalog=catalog,
                    now=now,
                    audience=audience,
                    severity=severity,
                    edit_interval=edit_interval,
                )
            )
    return outcomes


def _new_event(post: Post, now: datetime) -> NewEvent:
    """Put a post in the words of the events table (the signature as its JSON)."""
    item, analysis = post.item, post.analysis
    return NewEvent(
        source_id=post.source_id,
        source_name=post.source_name,
        item_key=item.key,
        title=item.title,
        text=item.text,
        summary=analysis.summary,
        link=item.link,
        canonical_link=item.canonical_link,
        lang=analysis.found.lang,
        topics=analysis.found.topics,
        places=analysis.found.places,
        published_at=item.published,
        seen_at=now,
        is_admin=post.is_admin,
        author_id=post.author_id,
        content_hash=analysis.content_hash,
        # An admin's story keeps no signature, so no later report can join it.
        signature=None if post.is_admin else analysis.signature.to_json(),
        link_key=post.link_key,
    )


async def _queue(
    db: Database,
    post: Post,
    recorded: Recorded,
    *,
    catalog: Catalog,
    now: datetime,
    audience: Audience | None,
    severity: Severity | None,
    edit_interval: timedelta,
) -> Outcome:
    """Queue the alerts of a stored post: its story's first, or an edit of a grown one."""
    found = post.analysis.found
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
    if post.alert and audience is not None:
        # A joining report's chats too: those the story had not reached get it now (the
        # outbox keeps one row per story and chat, so the others are not queued again).
        reading = read(f"{post.item.title}\n{post.item.text}")
        chats = await audience.recipients(db, found, reading)
        priority = alert_priority(severity) if severity is not None else priority_of(found, catalog)
        queued = await db.outbox.enqueue(recorded.story_id, chats, priority=priority, now=now)
    if post.alert and not recorded.new_story:
        # The story grew: alerts already sent are edited to show the new source and the
        # count, rather than sent again; ones still queued render it when they go.
        queued += await db.outbox.request_edits(recorded.story_id, now=now, interval=edit_interval)
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
