"""Reading a fetched document: keep its new and changed items and analyse only those.

An item stored before with the same content is dropped before it is analysed, so a feed
that repeats what it said costs a hash per item, not a classification.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from bot.matching import Matcher
from bot.models import ErrorKind, ParsedItem, ParseResult, SourceKind
from bot.pipeline import schedule
from bot.pipeline.analysis import Analysis, analyse, content_hash
from bot.pipeline.parse.telegram_channel import older_page_url


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched document reduced to what storing it needs."""

    parsed: ParseResult  # its title, error, warning, detail and ttl; `items` is left empty
    count: int  # how many items the document had
    fresh: tuple[ParsedItem, ...]  # its new and changed items, in document order
    analyses: tuple[Analysis, ...]  # the analysis of each fresh item
    older: str | None = None  # a channel page's next older page (`?before=ID`), if any
    rhythm: float | None = None  # median seconds between its newest dated items

    @property
    def failure(self) -> ErrorKind | None:
        """Return the error that left the document without items, if one did."""
        return None if self.count else self.parsed.error


def page_of(
    parsed: ParseResult,
    matcher: Matcher,
    *,
    kind: SourceKind,
    base_url: str,
    known: Mapping[str, str | None],
    taken: Collection[str] = (),
) -> Page:
    """Keep a parsed document's new and changed items, analysed.

    `known` maps the source's stored item keys to their content hashes: an item stored
    before with the same content is skipped. `taken` are keys already read from a newer
    page of the same poll; the first of a key wins.
    """
    fresh: dict[str, tuple[ParsedItem, str]] = {}
    for item in parsed.items:
        if item.key in fresh or item.key in taken:
            continue
        hashed = content_hash(item.title, item.text)
        if known.get(item.key) != hashed:
            fresh[item.key] = (item, hashed)
    return Page(
        parsed=replace(parsed, items=()),
        count=len(parsed.items),
        fresh=tuple(item for item, _ in fresh.values()),
        analyses=tuple(
            analyse(matcher, item.title, item.text, hashed=hashed)
            for item, hashed in fresh.values()
        ),
        older=older_page_url(base_url, parsed.items) if kind is SourceKind.TELEGRAM else None,
        rhythm=schedule.rhythm(item.published for item in parsed.items),
    )
