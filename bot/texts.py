"""The bot's replies, rendered as Telegram HTML from plain data (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from html import escape

__all__ = ["escape"]

from bot.delivery.render import safe_href, topic_label
from bot.matching import Catalog
from bot.models import Event, Source

HELP = """<b>Outpost</b> watches public sources about military activity in and around Belarus \
and alerts you when a report matches your topics.

/topics – choose topics with buttons
/subscribe <i>topic</i> – subscribe, e.g. <code>/subscribe drills</code>
/unsubscribe <i>topic</i> – stop a topic
/mysubs – what you are subscribed to
/status – what is going on right now
/digest off|hourly|daily <i>HH</i> – alerts at once, or a digest
/timezone <i>Europe/Minsk</i> – your time zone for digests and quiet hours
/quiet <i>23-07</i> [silent|hold] [urgent] – quiet hours (/quiet off to stop)
/previews on|off – link previews
/here – in a forum topic: send alerts to this topic
/help – this message"""

ADMIN_HELP = "\n\nAdmins: /post <i>text</i> – send a verified manual update to subscribers"


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
