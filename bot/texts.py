"""The bot's replies, rendered as Telegram HTML from plain data (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from html import escape

__all__ = ["escape"]

from bot.delivery.render import safe_href, topic_label
from bot.matching import Catalog
from bot.models import Event, Source
from storage.admin import AuditEntry
from storage.stats import Stats

HELP = """<b>Outpost</b> watches public sources about military activity in and around Belarus \
and alerts you when a report matches your topics.

/topics – choose topics with buttons
/subscribe <i>topic</i> – subscribe, e.g. <code>/subscribe drills</code>
/unsubscribe <i>topic</i> – stop a topic
/mysubs – what you are subscribed to
/status – what is going on right now
/latest <i>[topic]</i> – the newest stories
/help – this message"""

ADMIN_HELP = """

<b>Admins</b>
/post <i>text</i> – a verified manual update, previewed before it goes out
/broadcast <i>text</i> – an announcement to every chat, previewed first
/stats – subscribers, deliveries, failing sources
/audit – the latest admin actions
/admins – who the admins are (owners: <code>/admins add|remove ID</code>)"""


def welcome(catalog: Catalog) -> str:
    """Greet a new chat and show how to start."""
    return (
        "👋 Welcome to <b>Outpost</b>.\n\nPick topics with /topics or subscribe directly, "
        f"e.g. <code>/subscribe drills</code>. Topics: {topic_list(catalog)}.\n\n{HELP}"
    )


def topic_list(catalog: Catalog) -> str:
    """List topic ids for a command hint."""
    return ", ".join(f"<code>{escape(name)}</code>" for name in catalog.names())


def my_subscriptions(topics: Iterable[str], catalog: Catalog) -> str:
    """Describe a chat's subscriptions."""
    chosen = [name for name in catalog.names() if name in set(topics)]
    if not chosen:
        return "You have no subscriptions yet. Use /topics to pick some."
    lines = [escape(topic_label(name, catalog)) for name in chosen]
    return "<b>Your topics</b>\n" + "\n".join(lines)


def ago(then: datetime, now: datetime) -> str:
    """Say how long ago something happened, briefly."""
    seconds = max(int((now - then).total_seconds()), 0)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def status_board(
    *,
    catalog: Catalog,
    counts: Mapping[str, int],
    latest: Mapping[str, Event],
    sources: Iterable[Source],
    now: datetime,
) -> str:
    """Render /status: per topic the last 24 h and the latest report; source health."""
    lines = ["📊 <b>What is going on</b> (reports in the last 24 h)"]
    for name in catalog.names():
        line = f"{escape(topic_label(name, catalog))}: <b>{counts.get(name, 0)}</b>"
        event = latest.get(name)
        if event is not None:
            title = escape(_short(event.title, 90))
            href = safe_href(event.link) if event.link else None
            shown = f'<a href="{href}">{title}</a>' if href else title
            line += f"\n   latest {ago(event.seen_at, now)}: {shown}"
        lines.append(line)
    source_lines = []
    for source in sources:
        if source.last_success_at is not None:
            health = f"answered {ago(source.last_success_at, now)}"
        else:
            health = "not answered yet"
        if source.last_error_kind and source.consecutive_failures:
            health += f", failing: {escape(source.last_error_kind)}"
        if not source.active:
            health += ", paused"
        source_lines.append(f"• {escape(source.name)} – {health}")
    if source_lines:
        lines.append("\n<b>Sources</b>")
        lines.extend(source_lines)
    return "\n".join(lines)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def since(now: datetime, hours: int) -> datetime:
    """Return the start of a window of hours ending now."""
    return now - timedelta(hours=hours)


def draft_prompt(kind: str) -> str:
    """Explain what Confirm will do with a draft."""
    if kind == "broadcast":
        return "☝️ Preview of the announcement. Confirm sends it to every chat."
    return "☝️ Preview of the update. Confirm sends it to the subscribers of its topics."


def published(kind: str, result: object) -> str:
    """Say what confirming a draft did."""
    topics = getattr(result, "topics", ())
    queued = getattr(result, "queued", 0)
    if kind == "broadcast":
        return f"Announcement sent to {queued} chat(s)."
    if not topics:
        return (
            "Posted, but it matched no topic, so no subscriber was alerted. "
            "Name the activity (e.g. drills, mobilization) in the text."
        )
    return f"Posted. Topics: {', '.join(topics)}; queued for {queued} chat(s)."


def stats(figures: Stats, catalog: Catalog) -> str:
    """Render /stats."""
    lines = [
        "📈 <b>Outpost statistics</b>",
        f"Chats: <b>{figures.chats}</b> active, {figures.blocked_chats} blocked or gone",
    ]
    if figures.by_language:
        langs = ", ".join(f"{escape(k)} {v}" for k, v in figures.by_language.items())
        lines.append(f"By language: {langs}")
    if figures.by_topic:
        topics = ", ".join(
            f"{escape(topic_label(k, catalog))} {v}"
            for k, v in figures.by_topic.items()
            if k in catalog.names()
        )
        lines.append(f"By topic: {topics}")
    box = figures.outbox
    lines.append(
        f"Alerts: {box.get('sent', 0)} sent, {box.get('pending', 0)} pending, "
        f"{box.get('failed', 0)} failed, {box.get('cancelled', 0)} cancelled"
    )
    if figures.failing_sources:
        lines.append("<b>Failing sources</b>")
        lines.extend(
            f"• {escape(name)} – {escape(kind)} ×{count}"
            for name, kind, count in figures.failing_sources
        )
    else:
        lines.append("No source is failing.")
    return "\n".join(lines)


def audit(entries: Iterable[AuditEntry]) -> str:
    """Render /audit."""
    lines = ["🗂 <b>Latest admin actions</b>"]
    for entry in entries:
        lines.append(
            f"{entry.at:%Y-%m-%d %H:%M} UTC · <code>{entry.user_id}</code> · "
            f"<b>{escape(entry.action)}</b> {escape(_short(entry.detail, 120))}"
        )
    if len(lines) == 1:
        lines.append("Nothing yet.")
    return "\n".join(lines)


def admin_list(owners: Iterable[int], added: Iterable[int]) -> str:
    """Render /admins."""
    owner_text = ", ".join(f"<code>{uid}</code>" for uid in owners) or "none"
    added_text = ", ".join(f"<code>{uid}</code>" for uid in added) or "none"
    return (
        f"<b>Owners</b> (OUTPOST_ADMIN_IDS): {owner_text}\n<b>Admins added in chat</b>: "
        f"{added_text}\n\n<code>/admins add ID</code> · <code>/admins remove ID</code>"
    )


def latest(
    stories: Iterable[Event], catalog: Catalog, *, topic: str | None, now: datetime, offset: int
) -> str:
    """Render one page of /latest."""
    heading = escape(topic_label(topic, catalog)) if topic else "all topics"
    lines = [f"🗞 <b>Latest stories</b> – {heading}"]
    for number, event in enumerate(stories, start=offset + 1):
        labels = ", ".join(escape(topic_label(name, catalog)) for name in event.topics)
        title = escape(_short(event.title, 120))
        href = safe_href(event.link) if event.link else None
        shown = f'<a href="{href}">{title}</a>' if href else title
        source = escape(event.source_name or "")
        lines.append(f"{number}. {shown}\n   {labels} · {source} · {ago(event.seen_at, now)}")
    if len(lines) == 1:
        lines.append("No stories yet.")
    return "\n".join(lines)
