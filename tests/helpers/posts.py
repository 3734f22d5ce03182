"""Posts built the way the poller builds them: an item from a source, analysed."""

from __future__ import annotations

from datetime import datetime

from bot.matching import Matcher
from bot.models import ParsedItem
from bot.pipeline.analysis import analyse
from bot.pipeline.store import Post


def source_post(
    matcher: Matcher,
    key: str,
    title: str,
    text: str,
    *,
    link: str | None = None,
    canonical_link: str | None = None,
    published: datetime | None = None,
    source_id: int | None = None,
    source_name: str | None = None,
    alert: bool = True,
) -> Post:
    """Return a source's item as a post ready to store, analysed by `matcher`."""
    item = ParsedItem(
        key=key,
        title=title,
        text=text,
        link=link,
        canonical_link=canonical_link,
        published=published,
    )
    return Post(
        item,
        analyse(matcher, title, text),
        source_id=source_id,
        source_name=source_name,
        alert=alert,
    )
