"""Turn a fetched document into items: RSS/Atom through feedparser (plain RSS 2.0 through
an lxml fast path that gives the same items), JSON Feed through json, t.me pages through
lexbor."""

from __future__ import annotations

from bot.models import ParseResult, SourceKind
from bot.pipeline.parse.feed import parse_feed
from bot.pipeline.parse.json_feed import looks_like_json, parse_json_feed
from bot.pipeline.parse.telegram_channel import channel_page_url, parse_channel_page

__all__ = [
    "channel_page_url",
    "parse_channel_page",
    "parse_document",
    "parse_feed",
    "parse_json_feed",
]


def parse_document(
    body: bytes, *, kind: SourceKind, content_type: str | None, base_url: str
) -> ParseResult:
    """Parse a fetched body with the parser for its source kind."""
    if kind is SourceKind.TELEGRAM:
        return parse_channel_page(body, base_url=base_url)
    if looks_like_json(body, content_type):
        return parse_json_feed(body, base_url=base_url)
    return parse_feed(body, content_type=content_type, base_url=base_url)
