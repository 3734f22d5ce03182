"""Plain data shared by every stage of the pipeline.

Frozen dataclasses with no Telegram, HTTP or SQL in them, so each stage can be tested and
benchmarked alone (see DESIGN.md, "Data flow").
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

    @property
    def ok(self) -> bool:
        """Whether the document was read as a feed or channel page."""
        return self.error is None


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
class TopicHit:
    """One topic found in a text, with the words of the text that triggered it."""

    topic: str
    words: tuple[str, ...]
    keywords: tuple[str, ...]  # the catalog keywords those words matched
    pairs: tuple[tuple[str, str], ...] = ()  # (words of the text, the keyword they hit)
    severity: str | None = None  # the highest severity of its hits (their rules' or topic's)
    graded: tuple[tuple[str, str, str], ...] = ()  # (words, severity, rule note) by a rule


@dataclass(frozen=True, slots=True)
class Classification:
    """What the matcher found in a text."""

    lang: str
    topics: tuple[str, ...]
    places: tuple[str, ...]
    hits: tuple[TopicHit, ...] = field(default=())
    severity: str | None = None  # the most severe of its topics' severities in this text
    notes: tuple[str, ...] = ()  # hits that rules dropped, and why (for `outpost explain`)
    oblasts: tuple[str, ...] = ()  # the oblasts its places lie in
    border_km: tuple[tuple[str, float], ...] = ()  # (neighbour, km) from its nearest place

    def topic_severity(self, topic: str) -> str | None:
        """Return a found topic's severity in this text (None: not found, or not by words)."""
        return next((hit.severity for hit in self.hits if hit.topic == topic), None)

    def border_distance(self, country: str | None = None) -> float | None:
        """Return the km from the text's places to a neighbour's border (None: the nearest)."""
        values = [km for code, km in self.border_km if country is None or code == country]
        return min(values, default=None)


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


@dataclass(frozen=True, slots=True)
class Event:
    """A stored post: one per source item (or admin update), attached to a story."""

    id: int
    source_id: int | None
    source_name: str | None
    story_id: int
    title: str
    summary: str
    link: str | None
    lang: str
    topics: tuple[str, ...]
    places: tuple[str, ...]
    published_at: datetime | None
    seen_at: datetime
    is_admin: bool
    is_announcement: bool = False


@dataclass(frozen=True, slots=True)
class StoryLink:
    """One source's link for a story, as shown under an alert."""

    source_name: str
    url: str


@dataclass(frozen=True, slots=True)
class Alert:
    """Everything a message about one story needs, gathered for rendering."""

    story_id: int
    topics: tuple[str, ...]
    title: str
    summary: str
    places: tuple[str, ...]
    happened_at: datetime | None
    links: tuple[StoryLink, ...]
    is_admin: bool
    is_announcement: bool = False
    sources_count: int = 1  # how many different sources tell the story (corroboration)
    sources: tuple[str, ...] = ()  # every source that reported the story, first first


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A claimed outbox row: one message to one chat about one story."""

    id: int
    story_id: int
    chat_id: int
    attempts: int
    priority: int = 0
    created_at: datetime | None = None
    edit_of: int | None = None  # a sent message to edit (the story grew), not a new send


@dataclass(frozen=True, slots=True)
class ChatFilters:
    """What one chat receives: its topics, filters and own words (from storage)."""

    chat_id: int
    active: bool = True
    topics: frozenset[str] = frozenset()
    min_severity: str = "low"
    regions: tuple[str, ...] = ()  # oblast ids
    near: tuple[tuple[str, float], ...] = ()  # (place id, km)
    borders: tuple[tuple[str, float], ...] = ()  # (neighbour code, km)
    watch: tuple[str, ...] = ()  # own keywords
    exclude: tuple[str, ...] = ()  # words that veto an alert

    @property
    def located(self) -> bool:
        """Tell whether the chat narrowed its alerts to some places."""
        return bool(self.regions or self.near or self.borders)


class Delivery(StrEnum):
    """When a chat gets its alerts."""

    INSTANT = "instant"
    HOURLY = "hourly"  # a digest at the top of every hour
    DAILY = "daily"  # a digest once a day at the chat's hour


class QuietMode(StrEnum):
    """What happens to an alert during quiet hours."""

    HOLD = "hold"  # kept until the quiet hours end
    SILENT = "silent"  # sent at once without a notification sound


@dataclass(frozen=True, slots=True)
class DeliveryChoices:
    """What a subscriber chose about how alerts reach them."""

    delivery: Delivery = Delivery.INSTANT
    digest_hour: int = 8  # local hour of the daily digest
    timezone: str = "UTC"  # an IANA name
    quiet_start: int | None = None  # local hour quiet hours begin; None: no quiet hours
    quiet_end: int | None = None  # local hour they end
    quiet_mode: QuietMode = QuietMode.HOLD
    quiet_urgent: bool = False  # high-severity alerts break through quiet hours
    link_previews: bool = False
    thread_id: int | None = None  # forum topic (message_thread_id) to post in
