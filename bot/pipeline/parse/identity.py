"""Stable identity of a source item: a canonical link and the key stored under a UNIQUE index.

A feed that republishes a story with a tracking parameter or a fragment, or that reorders its
query string, must give the same key, or every subscriber is alerted twice.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

from bot.models import ParsedItem, SourceKind

# Query parameters that say where a reader came from, not what the page is.
_TRACKING_PARAMS = frozenset(
    {
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "twclid",
        "yclid",
        "ysclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "igshid",
        "igsh",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "openstat",
    }
)
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Keys go into a UNIQUE index; a hostile multi-megabyte guid must not bloat it.
_MAX_KEY_CHARS = 1024


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def _clean_query(query: str) -> str:
    # Work on the raw "k=v" pairs so the kept ones stay byte-for-byte as the source wrote
    # them: re-encoding could turn "%20" into "+" and break some servers' links.
    pairs = [pair for pair in query.split("&") if pair]
    kept = [pair for pair in pairs if not _is_tracking(unquote_plus(pair.partition("=")[0]))]
    # sorted() is stable, so repeated keys keep their relative order.
    kept.sort(key=lambda pair: pair.partition("=")[0])
    return "&".join(kept)


def _netloc(parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal: urlsplit drops the brackets
        host = f"[{host}]"
    port = parts.port
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        netloc = f"{netloc}:{port}"
    return netloc


def canonical_link(url: str) -> str:
    """Return the link without tracking parameters, fragment, default port or case noise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        netloc = _netloc(parts)
    except ValueError:
        # An invalid port or a broken IPv6 literal: keep the link as given rather than fail.
        return url
    if not parts.scheme or not netloc:
        return url
    scheme = parts.scheme.lower()
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def origin_of(url: str, kind: SourceKind) -> str:
    """Return who speaks through a source: its site's host, or its channel ("t.me/name").

    Two sources of one origin are one publisher (a site's several feeds); a report joins
    a story by its link only within one origin, so no publisher can claim another's links.
    Every channel is on t.me, so a channel's origin is its name, not its host.
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return url
    if kind is SourceKind.TELEGRAM:
        name = parts.path.strip("/").removeprefix("s/").partition("/")[0].lower()
        return f"t.me/{name}"
    return host.removeprefix("www.") or url


def _normalise_title(title: str) -> str:
    return " ".join(title.split()).casefold()


def _bounded(key: str) -> str:
    if len(key) <= _MAX_KEY_CHARS:
        return key
    prefix = key.partition(":")[0]
    # surrogatepass: a lone surrogate in a hostile guid must hash, not raise.
    hashed = hashlib.sha1(key.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
    return f"{prefix}-sha1:{hashed}"


def item_key(*, guid: str | None, link: str | None, title: str, published: datetime | None) -> str:
    """Return the item's stable key: its guid, else its canonical link, else a title hash."""
    if guid is not None and guid.strip():
        return _bounded(f"guid:{guid.strip()}")
    if link is not None and link.strip():
        return _bounded(f"link:{canonical_link(link)}")
    when = ""
    if published is not None:
        # A naive datetime is taken as UTC, like everything else in the pipeline.
        aware = published if published.tzinfo is not None else published.replace(tzinfo=UTC)
        when = aware.astimezone(UTC).isoformat()
    material = f"{_normalise_title(title)}\n{when}"
    digest = hashlib.sha1(material.encode("utf-8", "surrogatepass"), usedforsecurity=False)
    return "title:" + digest.hexdigest()


def feed_item(
    *, guid: str | None, link: str | None, title: str, text: str, published: datetime | None
) -> ParsedItem:
    """Build a feed entry's item with its stable key and canonical link, as every feed kind does."""
    return ParsedItem(
        key=item_key(guid=guid, link=link, title=title, published=published),
        title=title,
        text=text,
        link=link,
        canonical_link=canonical_link(link) if link else None,
        published=published,
    )
