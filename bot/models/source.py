"""Sources and what one poll of a source gave: its health, a body, or a named error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """How a source is read."""

    RSS = "rss"  # RSS 0.9x/1.0/2.0 and Atom, through feedparser
    TELEGRAM = "telegram"  # a public channel's web page, https://t.me/s/NAME


class ErrorKind(StrEnum):
    """Named reasons a fetch or a parse failed; stored in a source's health."""

    TIMEOUT = "timeout"
    CONNECT = "connect_error"
    TLS = "tls_error"
    HTTP_4XX = "http_4xx"
    HTTP_5XX = "http_5xx"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BLOCKED_URL = "blocked_url"  # refused by the SSRF check
    EMPTY = "empty_body"
    NOT_A_FEED = "not_a_feed"  # HTML error page or anything else that is not a feed
    MALFORMED = "malformed_xml"
    XML_ENTITIES = "xml_entities"  # DTD entity declarations: bombs and external entities
    ENCODING = "encoding_error"
    NETWORK = "network_error"
    PARSER_CRASH = "parser_crash"  # reading the document killed a worker process, twice
    INTERNAL = "internal_error"  # an unexpected exception reading or storing its items
    BAD_ITEMS = "bad_items"  # some items could not be read or stored; the others were
    IDENTITY = "identity_changed"  # another channel holds the name: paused for the admins
    TOO_DEEP = "too_deep"  # elements nested deeper than any real document (a parser bomb)
    TOO_SLOW = "too_slow"  # reading the document took longer than its budget


class DuplicateSourceError(Exception):
    """A source with this URL is already stored."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one HTTP poll of a source gave: a body, "not modified", or a named error."""

    body: bytes | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    status: int | None = None
    error: ErrorKind | None = None
    detail: str = ""
    # Raw scheduling hints, read by bot.pipeline.schedule against the pipeline's clock.
    retry_after: str | None = None
    cache_control: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the server answered with a body or a 304."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class Source:
    """A stored source with its health."""

    id: int
    url: str
    kind: SourceKind
    name: str
    active: bool
    etag: str | None
    last_modified: str | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error_kind: str | None
    last_error_detail: str | None
    consecutive_failures: int
    next_poll_at: datetime | None
    poll_interval: float | None = None  # seconds; None: the operator default
    backfilled: bool = False  # the first poll (stored, not alerted) is done
    deactivated_at: datetime | None = None  # turned off after too many failures
    ttl_minutes: int | None = None  # the feed's RSS <ttl> when last read
    item_gap: float | None = None  # seconds between its new items, as learned
    last_item_at: datetime | None = None  # when it last gave a new item
    channel_title: str | None = None  # a channel's title as its page first showed it
    channel_id: int | None = None  # and its numeric id, where the page gave one
