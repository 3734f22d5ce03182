"""Alert messages as Telegram HTML, built from our own template only.

Every string that came from a source is escaped here, and links keep only safe schemes,
so a hostile title is shown as text and never becomes markup. Each link shows where it
leads (`link_domain`): a source's name is whatever its admin or its feed called it, so the
domain is what tells a reader whose report they are looking at.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape, unescape
from urllib.parse import urlsplit

from babel.dates import format_datetime

from bot.matching import Catalog, PlaceIndex
from bot.models import Alert
from bot.ui.i18n import translator

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


def link_domain(url: str) -> str:
    """Return where a link leads, as a reader should see it: its host ("t.me/NAME" for a
    channel's post), without "www.", an international name in its ASCII (punycode) form so
    that a look-alike letter cannot pass for another site's."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return "?"
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = host.encode("ascii", "backslashreplace").decode("ascii")
    host = host.removeprefix("www.")
    if host in {"t.me", "telegram.me"}:
        channel = parts.path.strip("/").removeprefix("s/").partition("/")[0]
        if channel:
            return f"t.me/{channel}"
    return host or "?"


def format_time(when: datetime, lang: str = "en") -> str:
    """Format a time the way alerts show it, in UTC, with month names in the language."""
    return format_datetime(when, "d MMMM y, HH:mm", tzinfo=UTC, locale=lang) + " UTC"


def topic_label(name: str, catalog: Catalog, lang: str = "en") -> str:
    """Return a topic's emoji and display name (the bare name if the catalog lost it)."""
    try:
        topic = catalog.topic(name)
    except KeyError:
        return name
    return f"{topic.emoji} {topic.names.get(lang) or topic.names.get('en') or name}"


def source_names(alert: Alert) -> tuple[str, ...]:
    """Return the distinct sources that reported a story."""
    if alert.sources:
        return alert.sources
    return tuple(dict.fromkeys(link.source_name for link in alert.links))


def render_alert(
    alert: Alert, catalog: Catalog, *, lang: str = "en", places: PlaceIndex | None = None
) -> str:
    """Render one story as an alert: topic, summary, place and time, source links.

    With `places`, place names are shown in the reader's language, not by their ids.
    """
    tr = translator(lang)
    _ = tr.gettext
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
        names = [places.label(p, lang) if places else p for p in alert.places]
        facts.append("📍 " + escape(", ".join(names)))
    if alert.happened_at is not None:
        facts.append("🕒 " + format_time(alert.happened_at, lang))
    if facts:
        lines.append(" · ".join(facts))
    links = []
    for link in alert.links[:MAX_LINKS]:
        href = safe_href(link.url)
        if href is not None:
            domain = escape(link_domain(link.url))
            links.append(f'<a href="{href}">{escape(link.source_name)}</a> ({domain})')
    if links:
        lines.append("🔗 " + " | ".join(links))
    sources = source_names(alert)
    if len(sources) > 1:
        reported = tr.ngettext(
            "Reported by {n} source: {names}", "Reported by {n} sources: {names}", len(sources)
        )
        lines.append(reported.format(n=len(sources), names=escape(", ".join(sources))))
    return "\n".join(lines)


def render_digest(
    alerts: list[Alert], catalog: Catalog, *, lang: str = "en", folded: int | None = None
) -> str:
    """Render many stories as one digest, grouped by topic, each with its source count.

    `folded`: the stories went over a source's budget of that many alerts an hour, which
    the digest says under its heading.
    """
    tr = translator(lang)
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault(alert.topics[0] if alert.topics else "", []).append(alert)
    heading = tr.ngettext("Digest: {n} story", "Digest: {n} stories", len(alerts))
    lines = ["<b>" + heading.format(n=len(alerts)) + "</b>"]
    if folded is not None:
        note = tr.ngettext(
            "A source sent more than {n} alert in an hour; the rest are gathered here.",
            "A source sent more than {n} alerts in an hour; the rest are gathered here.",
            folded,
        )
        lines.append(note.format(n=folded))
    for topic, members in groups.items():
        lines.append("")
        if topic:
            lines.append(f"<b>{escape(topic_label(topic, catalog, lang))}</b>")
        for alert in members:
            text = alert.title.strip() or alert.summary.strip()
            line = "• " + escape(text)
            shown = next((link for link in alert.links if safe_href(link.url) is not None), None)
            if shown is not None:
                href = safe_href(shown.url)
                line += f' <a href="{href}">' + escape(link_domain(shown.url)) + "</a>"
            sources = len(source_names(alert))
            if sources > 1:
                counted = tr.ngettext("{n} source", "{n} sources", sources)
                line += " (" + counted.format(n=sources) + ")"
            lines.append(line)
    return "\n".join(lines)


def html_to_plain(html: str) -> str:
    """Strip our template's markup, for when Telegram refuses the HTML."""
    return unescape(re.sub(r"<[^>]+>", "", html))
