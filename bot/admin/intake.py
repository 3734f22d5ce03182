"""Adding sources: recognise what a URL is and refuse what must not be polled.

The refusal is the poller's own (`bot.pipeline.fetch.ssrf.UrlGuard`): what the URL says, and
every address its host resolves to with the resolver the poller connects through, checked
before anything is stored; so a source that is added is one polling would not refuse.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from bot.admin.opml import parse_opml
from bot.models import DuplicateSourceError, Source, SourceKind
from bot.pipeline.fetch.discover import NoFeedFoundError, discover_feed
from bot.pipeline.fetch.fetcher import Fetcher
from bot.pipeline.fetch.ssrf import UrlGuard
from bot.pipeline.parse.telegram_channel import channel_page_url
from storage import Database

log = logging.getLogger(__name__)

_CHANNEL = re.compile(r"^(@|(https?://)?(t\.me|telegram\.me)/)", re.IGNORECASE)


class SourceRefusedError(ValueError):
    """The URL cannot be a source; the message says why."""


def guess_kind(url: str) -> SourceKind:
    """Tell a Telegram channel (t.me/NAME, @NAME) from a feed URL."""
    return SourceKind.TELEGRAM if _CHANNEL.match(url.strip()) else SourceKind.RSS


def normalise_source(
    url: str, *, kind: SourceKind | None, allow_private: bool, guard: UrlGuard | None = None
) -> tuple[str, SourceKind]:
    """Return the URL to poll and its kind, or raise SourceRefusedError.

    Judges what the URL says; `vetted` also looks where its host points.
    """
    kind = kind or guess_kind(url)
    if kind is SourceKind.TELEGRAM and _CHANNEL.match(url.strip()):
        try:
            url = channel_page_url(url)
        except ValueError as exc:
            raise SourceRefusedError(str(exc)) from None
    guard = guard or UrlGuard(allow_private=allow_private)
    reason = guard.url_refusal(url)
    if reason is not None:
        raise SourceRefusedError(f"refused {url}: {reason}")
    return url, kind


async def vetted(
    url: str, *, kind: SourceKind | None, allow_private: bool, guard: UrlGuard | None = None
) -> tuple[str, SourceKind]:
    """Return the URL to poll and its kind after the poller's whole check, or raise."""
    guard = guard or UrlGuard(allow_private=allow_private)
    url, kind = normalise_source(url, kind=kind, allow_private=allow_private, guard=guard)
    reason = await guard.refusal(url)
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
    guard: UrlGuard | None = None,
) -> Source:
    """Check and store a new source (raises SourceRefusedError or DuplicateSourceError).

    Given a fetcher, a site URL is looked at and replaced by the feed it advertises
    (`<link rel="alternate">`); the new source is due at once either way. The check is
    `guard`'s, else the fetcher's, else one for `allow_private` on the system's resolver.
    """
    guard = guard or (fetcher.guard if fetcher is not None else None)
    url, kind = await vetted(url, kind=kind, allow_private=allow_private, guard=guard)
    if fetcher is not None and kind is SourceKind.RSS:
        try:
            found = await discover_feed(fetcher, url)
        except NoFeedFoundError as exc:
            raise SourceRefusedError(str(exc)) from None
        if found is not None:
            url, kind = await vetted(
                found, kind=SourceKind.RSS, allow_private=allow_private, guard=guard
            )
    return await db.sources.add(
        url,
        kind=kind,
        name=name or default_name(url, kind),
        now=now,
        poll_interval=poll_interval,
    )


@dataclass(slots=True)
class ImportReport:
    """What importing an OPML file did."""

    added: list[Source] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # URLs already stored
    refused: list[tuple[str, str]] = field(default_factory=list)  # (URL, why)


async def import_opml(
    db: Database,
    data: bytes,
    *,
    now: datetime,
    allow_private: bool,
    guard: UrlGuard | None = None,
) -> ImportReport:
    """Add every feed of an OPML file (raises OpmlError for a file that cannot be read).

    Each URL goes through the same checks as one added by hand; a bad or known one is
    reported and skipped, never stopping the rest.
    """
    report = ImportReport()
    for entry in parse_opml(data):
        try:
            source = await add_source(
                db, entry.url, now=now, allow_private=allow_private, name=entry.title, guard=guard
            )
        except SourceRefusedError as exc:
            report.refused.append((entry.url, str(exc)))
        except DuplicateSourceError:
            report.duplicates.append(entry.url)
        else:
            report.added.append(source)
    log.info(
        "OPML import: %d added, %d already known, %d refused",
        len(report.added),
        len(report.duplicates),
        len(report.refused),
    )
    return report
