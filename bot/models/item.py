"""Posts as read from a source document, before they are stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models.source import ErrorKind


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One post as read from a source, before it is stored."""

    key: str  # stable identity within its source: guid, else canonical link, else title+date
    title: str
    text: str  # plain text, markup removed, whitespace folded
    link: str | None  # the link as the source gave it
    canonical_link: str | None  # the link with tracking parameters and fragment removed
    published: datetime | None  # timezone-aware UTC
    has_photo: bool = False
    has_video: bool = False
    forwarded_from: str | None = None
    views: int | None = None


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Items of one fetched document, or the named reason there are none."""

    items: tuple[ParsedItem, ...] = ()
    title: str | None = None
    error: ErrorKind | None = None
    detail: str = ""
    ttl_minutes: int | None = None  # RSS <ttl>: how long the feed may be cached
    warning: ErrorKind | None = None  # damage read around (items were recovered); see detail
    hub: str | None = None  # the WebSub hub the feed names (<link rel="hub">), if any
    self_url: str | None = None  # the feed's own URL as it names it (<link rel="self">)
    channel_id: int | None = None  # a channel page's numeric channel id, where it shows one

    @property
    def ok(self) -> bool:
        """Whether the document was read as a feed or channel page."""
        return self.error is None
