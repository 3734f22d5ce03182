"""Turn a fetched document into items: RSS/Atom through feedparser (plain RSS 2.0 through
an lxml fast path that gives the same items), JSON Feed through json, t.me pages through
lexbor.

Every item leaves here bounded (`bounded_item`): its text and title cut to the caps of
`bot.pipeline.parse.text`, no lone surrogate in any of its strings, no link longer than
`MAX_LINK_CHARS`. Whatever a parser let through, what follows (hashing, analysis, storage,
rendering) reads at most that much of it, and nothing of it fails to encode.
"""

from __future__ import annotations

from dataclasses import replace

from bot.models import ParsedItem, ParseResult, SourceKind
from bot.pipeline.parse.feed import parse_feed
from bot.pipeline.parse.json_feed import looks_like_json, parse_json_feed
from bot.pipeline.parse.telegram_channel import channel_page_url, parse_channel_page
from bot.pipeline.parse.text import MAX_TEXT_CHARS, MAX_TITLE_CHARS, bounded

# Longer links are dropped: no real article's address is this long, and a link must fit in
# an alert (4,096 characters with everything else) as its href.
MAX_LINK_CHARS = 2_048

__all__ = [
    "channel_page_url",
    "parse_channel_page",
    "parse_document",
    "parse_feed",
    "parse_json_feed",
]


def bounded_item(item: ParsedItem) -> ParsedItem:
    """Return an item within the caps, every string of it encodable (see the module doc)."""
    title = bounded(item.title, MAX_TITLE_CHARS)
    text = bounded(item.text, MAX_TEXT_CHARS)
    key = bounded(item.key, len(item.key))  # keys are bounded where they are made
    link, canonical = _link(item.link), _link(item.canonical_link)
    forwarded = None if item.forwarded_from is None else bounded(item.forwarded_from, 200)
    if (title, text, key, link, canonical, forwarded) == (
        item.title,
        item.text,
        item.key,
        item.link,
        item.canonical_link,
        item.forwarded_from,
    ):
        return item
    return replace(
        item,
        title=title,
        text=text,
        key=key,
        link=link,
        canonical_link=canonical,
        forwarded_from=forwarded,
    )


def _link(url: str | None) -> str | None:
    if url is None or len(url) > MAX_LINK_CHARS:
        return None
    return bounded(url, MAX_LINK_CHARS)


def parse_document(
    body: bytes, *, kind: SourceKind, content_type: str | None, base_url: str
) -> ParseResult:
    """Parse a fetched body with the parser for its source kind; its items bounded."""
    if kind is SourceKind.TELEGRAM:
        parsed = parse_channel_page(body, base_url=base_url)
    elif looks_like_json(body, content_type):
        parsed = parse_json_feed(body, base_url=base_url)
    else:
        parsed = parse_feed(body, content_type=content_type, base_url=base_url)
    items = tuple(map(bounded_item, parsed.items))
    title = None if parsed.title is None else bounded(parsed.title, MAX_TITLE_CHARS)
    return replace(parsed, items=items, title=title)
