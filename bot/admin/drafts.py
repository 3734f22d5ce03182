"""Admins' drafts as services the handlers call: preview, publish or cancel a draft.

Every action is written to the audit log in the same transaction as its effect.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from bot.context import Core
from bot.delivery.render import render_alert
from bot.models import HIGH_PRIORITY, Alert, Classification, Draft, ParsedItem
from bot.pipeline.analysis import Analysis, analyse
from bot.pipeline.store import Post, record_post
from storage.events import NewEvent

ANNOUNCEMENT_PRIORITY = HIGH_PRIORITY  # announcements go first and through quiet hours


@dataclass(frozen=True, slots=True)
class Published:
    """The result of confirming a draft."""

    topics: tuple[str, ...]
    queued: int


def _title(text: str) -> str:
    return text.strip().splitlines()[0][:120] if text.strip() else ""


async def publish(core: Core, draft: Draft, *, admin_id: int) -> Published | None:
    """Send a confirmed draft; None when it was already confirmed or cancelled, or when
    `admin_id` is not its author (only the author decides a draft)."""
    now = core.clock.now()
    async with core.db.transaction():
        if not await core.db.admin.close_draft(draft.id, state="sent", author_id=admin_id):
            return None
        if draft.kind == "broadcast":
            published = await _announce(core, draft)
        else:
            item = ParsedItem(
                key=f"admin:{uuid.uuid4()}",
                title=_title(draft.text),
                text=draft.text,
                link=None,
                canonical_link=None,
                published=now,
            )
            outcome = await record_post(
                core.db,
                Post(
                    item,
                    analysed(core, draft),
                    source_name="Outpost admins",
                    is_admin=True,
                    author_id=draft.author_id,
                ),
                matcher=core.matcher,
                catalog=core.catalog,
                now=now,
                severity=draft.severity,
            )
            published = Published(outcome.topics, outcome.queued)
        await core.db.admin.audit(
            admin_id,
            draft.kind,
            f"draft {draft.id}; topics={','.join(published.topics) or '-'}; "
            f"queued={published.queued}; text={draft.text[:200]}",
            now=now,
        )
    core.dispatcher.wake()
    return published


async def _announce(core: Core, draft: Draft) -> Published:
    """Store an announcement as its own story and queue it for every active chat."""
    now = core.clock.now()
    recorded = await core.db.events.record(
        NewEvent(
            source_id=None,
            source_name="Outpost admins",
            item_key=f"announcement:{uuid.uuid4()}",
            title=_title(draft.text),
            text=draft.text,
            summary=draft.text,
            link=None,
            canonical_link=None,
            lang="",
            topics=(),
            places=(),
            published_at=now,
            seen_at=now,
            is_admin=True,
            author_id=draft.author_id,
            is_announcement=True,
        )
    )
    if recorded is None:  # pragma: no cover -- a fresh uuid key cannot collide
        return Published((), 0)
    chats = await core.db.chats.active_ids()
    queued = await core.db.outbox.enqueue(
        recorded.story_id, chats, priority=ANNOUNCEMENT_PRIORITY, now=now
    )
    return Published((), queued)


async def cancel(core: Core, draft: Draft, *, admin_id: int) -> bool:
    """Cancel a draft; False when it was no longer open, or is not `admin_id`'s."""
    async with core.db.transaction():
        if not await core.db.admin.close_draft(draft.id, state="cancelled", author_id=admin_id):
            return False
        await core.db.admin.audit(
            admin_id, f"{draft.kind}_cancelled", f"draft {draft.id}", now=core.clock.now()
        )
    return True


def decided_by_admin(core: Core, draft: Draft) -> Classification | None:
    """Return the topics and places an admin chose in the /post conversation, if any.

    Everything else (language, severity, oblasts and border distances) follows from the
    text and the chosen places as it would for a source post.
    """
    if draft.step != "preview" or not draft.topics:
        return None
    chosen = set(draft.topics)
    topics = tuple(name for name in core.catalog.names() if name in chosen)
    oblasts, border_km = core.matcher.places.locate(draft.places)
    return replace(
        core.matcher.classify(draft.text),
        topics=topics,
        places=draft.places,
        oblasts=oblasts,
        border_km=border_km,
    )


def analysed(core: Core, draft: Draft) -> Analysis:
    """Analyse an update as a source's post is analysed, with what the admin chose."""
    return analyse(
        core.matcher, _title(draft.text), draft.text, found=decided_by_admin(core, draft)
    )


def preview(core: Core, draft: Draft, *, lang: str = "en") -> str:
    """Render a draft exactly as subscribers who read this language will see it."""
    text = draft.text
    if draft.kind == "broadcast":
        alert = Alert(0, (), _title(text), text, (), None, (), True, is_announcement=True)
    else:
        analysis = analysed(core, draft)
        alert = Alert(
            0,
            analysis.found.topics,
            _title(text),
            analysis.summary,
            analysis.found.places,
            core.clock.now(),
            (),
            True,
        )
    return render_alert(alert, core.catalog, lang=lang, places=core.matcher.places)
