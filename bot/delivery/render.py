"""Alert messages as Telegram HTML, built from our own template only.

Every string that came from a source is escaped here, and links keep only safe schemes,
so a hostile title is shown as text and never becomes markup.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from urllib.parse import urlsplit

from babel.dates import format_datetime

from bot.i18n import translator
from bot.matching import Catalog
from bot.models import Alert

SAFE_SCHEMES = frozenset({"http", "https", "tg"})
MAX_LINKS = 8


def safe_href(url: str) -> str | None:
    """Return the URL escaped for an href attribute, or None when its scheme is not safe."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    if scheme not in SAFE_SCHEMES:
        return None
    return escape(url.strip(), quote=True)


def format_time(when: datetime, lang: str = "en") -> str:
    """Format a time the way alerts show it, in UTC, with month names in the language."""
    return format_datetime(when, "d MMMM y, HH:mm", tzinfo=UTC, locale=lang) + " UTC"


def topic_label(name: str, catalog: Catalog, lang: str = "en") -> str:
    """Return a topic's emoji and display name."""
    topic = catalog.topic(name)
    return f"{topic.emoji} {topic.names.get(lang) or topic.names.get('en') or name}"


def render_alert(alert: Alert, catalog: Catalog, *, lang: str = "en") -> str:
    """Render one story as an alert: topic, summary, place and time, source links."""
    _ = translator(lang).gettext
    lines: list[str] = []
    if alert.is_announcement:
        lines.append(_("📣 <b>Announcement from the Outpost team</b>"))
    elif alert.is_admin:
        lines.append(_("✅ <b>Verified update from the Outpost team</b>"))
    if alert.topics:
        labels = [escape(topic_label(name, catalog, lang)) for name in alert.topics]
        lines.append("<b>" + " · ".join(labels) + "</b>")
    title = alert.title.strip()
    summary = alert.summary.strip()
    if title and not summary.startswith(title[: max(len(title) - 1, 1)]):
        lines.append(f"<b>{escape(title)}</b>")
    if summary:
        lines.append(escape(summary))
    facts = []
    if alert.places:
        facts.append("📍 " + escape(", ".join(alert.places)))
    if alert.happened_at is not None:
        facts.append("🕒 " + format_time(alert.happened_at, lang))
    if facts:
        lines.append(" · ".join(facts))
    links = []
    for link in alert.links[:MAX_LINKS]:
        href = safe_href(link.url)
        if href is not None:
            links.append(f'<a href="{href}">{escape(link.source_name)}</a>')
    if links:
        lines.append("🔗 " + " | ".join(links))
    sources = {link.source_name for link in alert.links}
    if len(sources) > 1:
        lines.append(_("Reported by {n} sources").format(n=len(sources)))
    return "\n".join(lines)


def render_plain(alert: Alert, catalog: Catalog, *, lang: str = "en") -> str:
    """Render the same alert without markup, for when Telegram refuses the HTML."""
    parts = [topic_label(name, catalog, lang) for name in alert.topics]
    lines = [" · ".join(parts)] if parts else []
    lines.append(alert.summary or alert.title)
    lines.extend(link.url for link in alert.links[:MAX_LINKS])
    return "\n".join(lines)
