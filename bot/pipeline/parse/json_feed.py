"""Parse JSON Feed (https://jsonfeed.org, versions 1 and 1.1) documents into items.

Read with the standard json module and mapped field by field: feedparser does not read
JSON Feed, the format is a plain JSON object with a handful of documented fields, and no
kept library adds more than this mapping (the extra dependency would buy nothing).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from bot.models import ErrorKind, ParsedItem, ParseResult
from bot.pipeline.parse.identity import feed_item
from bot.pipeline.parse.text import (
    first_sentences,
    html_to_text,
    normalize_text,
    strip_invisible,
    truncate_words,
)

_VERSION_PREFIX = "https://jsonfeed.org/version/"
_MAX_TITLE_CHARS = 300


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    """Tell whether a fetched body is JSON (by its type, or by its first character)."""
    if content_type and "json" in content_type.lower():
        return True
    return body.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"{"


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: object) -> datetime | None:
    text = _str(value)
    if not text:
        return None
    try:
        # RFC 3339 as the spec requires; "Z" is accepted by fromisoformat since 3.11.
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _link(value: object, base_url: str | None) -> str | None:
    link = _str(value)
    try:
        if link and base_url:
            link = urljoin(base_url, link)
        scheme = urlsplit(link).scheme.lower()
    except ValueError:
        return None
    return link if link and scheme in {"http", "https"} else None


def _item(entry: dict[str, Any], base_url: str | None) -> ParsedItem | None:
    html = _str(entry.get("content_html"))
    text = html_to_text(html) if html else normalize_text(_str(entry.get("content_text")))
    if not text:
        text = normalize_text(_str(entry.get("summary")))
    title = truncate_words(
        " ".join(strip_invisible(_str(entry.get("title"))).split()), _MAX_TITLE_CHARS
    )
    if not title and not text:
        return None
    if not title:
        title = first_sentences(text, n=1, max_chars=120)
    link = _link(entry.get("url"), base_url) or _link(entry.get("external_url"), base_url)
    published = _date(entry.get("date_published")) or _date(entry.get("date_modified"))
    raw_id = entry.get("id")
    # The spec says id is a string, but some feeds write numbers; both identify the item.
    guid = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None
    return feed_item(guid=guid, link=link, title=title, text=text, published=published)


def parse_json_feed(body: bytes, *, base_url: str | None = None) -> ParseResult:
    """Parse a JSON Feed document into items, or name why it cannot be read."""
    if not body.strip():
        return ParseResult(error=ErrorKind.EMPTY, detail="empty document")
    try:
        document = json.loads(body)  # bytes: UTF-8/16/32 detected as RFC 8259 says
    except UnicodeDecodeError as exc:
        return ParseResult(error=ErrorKind.ENCODING, detail=f"JSON is not UTF-8: {exc}")
    except (ValueError, RecursionError) as exc:
        return ParseResult(error=ErrorKind.MALFORMED, detail=f"malformed JSON: {exc}")
    if not isinstance(document, dict) or not _str(document.get("version")).startswith(
        _VERSION_PREFIX
    ):
        return ParseResult(error=ErrorKind.NOT_A_FEED, detail="JSON, but not a JSON Feed")
    entries = document.get("items")
    if not isinstance(entries, list):
        return ParseResult(error=ErrorKind.MALFORMED, detail="JSON Feed without an items list")
    items = tuple(
        item
        for item in (_item(entry, base_url) for entry in entries if isinstance(entry, dict))
        if item is not None
    )
    title = _str(document.get("title")) or None
    return ParseResult(items=items, title=title)
