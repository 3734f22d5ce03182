"""Adding sources: recognise what a URL is and refuse what must not be polled."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from bot.models import Source, SourceKind
from bot.pipeline.discover import NoFeedFoundError, discover_feed
from bot.pipeline.fetch import Fetcher
from bot.pipeline.parse.telegram_channel import channel_page_url
from bot.pipeline.ssrf import check_url
from storage import Database

_CHANNEL = re.compile(r"^(@|(https?://)?(t\.me|telegram\.me)/)", re.IGNORECASE)


class SourceRefusedError(ValueError):
    """The URL cannot be a source; the message says why."""


def guess_kind(url: str) -> SourceKind:
    """Tell a Telegram channel (t.me/NAME, @NAME) from a feed URL."""
    return SourceKind.TELEGRAM if _CHANNEL.match(url.strip()) else SourceKind.RSS


def normalise_source(
    url: str, *, kind: SourceKind | None, allow_private: bool
) -> tuple[str, SourceKind]:
    """Return the URL to poll and its kind, or raise SourceRefusedError."""
    kind = kind or guess_kind(url)
    if kind is SourceKind.TELEGRAM and _CHANNEL.match(url.strip()):
        try:
            url = channel_page_url(url)
        except ValueError as exc:
            raise SourceRefusedError(str(exc)) from None
    reason = check_url(url, allow_private=allow_private)
    if reason is not None:
        raise SourceRefusedError(f"refused {url}: {reason}")
    return url, kind


def default_name(url: str, kind: SourceKind) -> str:
    """Name a source after its channel or host."""
    parts = urlsplit(url)
    if kind is SourceKind.TELEGRAM:
        return "@" + parts.path.rstrip("/").rsplit("/", 1)[-1]
    return parts.hostname or url


async def add_source(
    db: Database,
    url: str,
    *,
    now: datetime,
    allow_private: bool,
    name: str | None = None,
    kind: SourceKind | None = None,
    fetcher: Fetcher | None = None,
    poll_interval: float | None = None,
) -> Source:
    """Check and store a new source (raises SourceRefusedError or DuplicateSourceError).

    Given a fetcher, a site URL is looked at and replaced by the feed it advertises
    (`<link rel="alternate">`); the new source is due at once either way.
    """
    url, kind = normalise_source(url, kind=kind, allow_private=allow_private)
    if fetcher is not None and kind is SourceKind.RSS:
        try:
            found = await discover_feed(fetcher, url)
        except NoFeedFoundError as exc:
            raise SourceRefusedError(str(exc)) from None
        if found is not None:
            url, kind = normalise_source(found, kind=SourceKind.RSS, allow_private=allow_private)
    return await db.sources.add(
        url,
        kind=kind,
        name=name or default_name(url, kind),
        now=now,
        poll_interval=poll_interval,
    )
