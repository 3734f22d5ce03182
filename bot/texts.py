"""The bot's replies, rendered as Telegram HTML from plain data (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

__all__ = ["escape"]

from bot.delivery.render import safe_href, topic_label
from bot.matching import Catalog
from bot.models import Event, Source

if TYPE_CHECKING:
    from bot.sources import ImportReport

HELP = """<b>Outpost</b> watches public sources about military activity in and around Belarus \
and alerts you when a report matches your topics.

/topics – choose topics with buttons
/subscribe <i>topic</i> – subscribe, e.g. <code>/subscribe drills</code>
/unsubscribe <i>topic</i> – stop a topic
/mysubs – what you are subscribed to
/status – what is going on right now
/help – this message"""

ADMIN_HELP = """

Admins:
/post <i>text</i> – send a verified manual update to subscribers
/sources – sources with their health
/addsource <i>URL</i> [<i>name</i>] – add a feed, a site, t.me/NAME or @NAME
/removesource <i>ID</i> – remove a source (its events stay)
/pausesource <i>ID</i> – stop polling a source; /resumesource <i>ID</i> – start again
Send an OPML file to import its feeds."""


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


def source_deactivated(source: Source, kind: str) -> str:
    """Tell admins that failures turned a source off."""
    return (
        f"⚠️ Source <b>{escape(source.name)}</b> (#{source.id}) was turned off after "
        f"{source.consecutive_failures + 1} failed polls in a row; last error: "
        f"<code>{escape(kind)}</code>.\n{escape(source.url)}\n"
        f"Fix it, then /resumesource {source.id}."
    )


def _in(then: datetime, now: datetime) -> str:
    seconds = int((then - now).total_seconds())
    if seconds <= 0:
        return "due now"
    if seconds < 60:
        return f"in {seconds} s"
    if seconds < 3600:
        return f"in {seconds // 60} min"
    return f"in {seconds // 3600} h {seconds % 3600 // 60} min"


def source_line(source: Source, items_24h: int, now: datetime) -> str:
    """Describe one source and its health for /sources."""
    if not source.active:
        state = "⛔ off after failures" if source.deactivated_at else "⏸ paused"
    elif source.consecutive_failures:
        state = f"⚠️ failing ({source.consecutive_failures}×)"
    else:
        state = "✅ ok"
    success = ago(source.last_success_at, now) if source.last_success_at else "never"
    error = escape(source.last_error_kind) if source.last_error_kind else "none"
    if not source.active:
        next_poll = "not polled"
    elif source.next_poll_at is None:
        next_poll = "due now"
    else:
        next_poll = _in(source.next_poll_at, now)
    return (
        f"<b>#{source.id}</b> {escape(_short(source.name, 100))} "
        f"({escape(source.kind.value)}) {state}\n"
        f"   {escape(_short(source.url, 300))}\n"
        f"   last success: {success}; last error: {error}; "
        f"items 24 h: {items_24h}; next poll: {next_poll}"
    )


MESSAGE_LIMIT = 4000  # Telegram allows 4096 characters; a margin for the entities


def sources_board(sources: Iterable[Source], counts: Mapping[int, int], now: datetime) -> list[str]:
    """Render /sources: every source with its health, as messages that fit Telegram."""
    blocks = [source_line(source, counts.get(source.id, 0), now) for source in sources]
    if not blocks:
        return ["No sources yet. Add one with /addsource URL (a feed, a site, t.me/NAME or @NAME)."]
    pages: list[str] = []
    current = f"📡 <b>Sources</b> ({len(blocks)})"
    for block in blocks:
        if len(current) + 2 + len(block) > MESSAGE_LIMIT:
            pages.append(current)
            current = block
        else:
            current += "\n\n" + block
    pages.append(current)
    return pages


def import_report(report: ImportReport) -> str:
    """Say what an OPML import did."""
    lines = [
        f"📥 OPML import: <b>{len(report.added)}</b> added, {len(report.duplicates)} already "
        f"known, {len(report.refused)} refused."
    ]
    lines.extend(
        f"• #{source.id} {escape(_short(source.name, 80))}" for source in report.added[:30]
    )
    if len(report.added) > 30:
        lines.append(f"… and {len(report.added) - 30} more (see /sources)")
    lines.extend(
        f"✗ {escape(_short(url, 120))}: {escape(_short(why, 160))}"
        for url, why in report.refused[:20]
    )
    return "\n".join(lines)
