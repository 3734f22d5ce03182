"""Find the feed of a web site: the `<link rel="alternate">` its pages advertise.

Adding a source accepts a site's address; when the address serves an HTML page instead of
a feed, the page's advertised RSS, Atom or JSON feed is used instead.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from bot.pipeline.fetch.fetcher import Fetcher
from bot.pipeline.parse.depth import too_deep

log = logging.getLogger(__name__)

# In order of preference when a page advertises several.
_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
)


class NoFeedFoundError(ValueError):
    """The URL is a web page that advertises no feed."""


def feed_links(html: bytes, base_url: str) -> list[str]:
    """Return the absolute feed URLs a page advertises, preferred first."""
    if too_deep(html):
        return []  # nesting no real page has, and the HTML parser would take minutes over
    tree = LexborHTMLParser(html.decode("utf-8", errors="replace"))
    found: list[tuple[int, str]] = []
    for node in tree.css("link[rel][href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        kind = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        href = (node.attributes.get("href") or "").strip()
        if "alternate" not in rels or kind not in _FEED_TYPES or not href:
            continue
        try:
            url = urljoin(base_url, href)
        except ValueError:
            continue
        if urlsplit(url).scheme.lower() in {"http", "https"}:
            found.append((_FEED_TYPES.index(kind), url))
    found.sort(key=lambda pair: pair[0])  # stable: page order within a type
    seen: dict[str, None] = {}
    for _, url in found:
        seen.setdefault(url, None)
    return list(seen)


def _is_html(body: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    head = body.lstrip()[:512].lower()
    return head.startswith((b"<!doctype html", b"<html"))


async def discover_feed(fetcher: Fetcher, url: str) -> str | None:
    """Return the feed a site URL advertises, or None if the URL is not an HTML page.

    A URL that does not answer, or answers with something other than HTML, is left as it
    is: polling will report what is wrong with it in the source's health. An HTML page that
    advertises no feed raises NoFeedFoundError.
    """
    fetched = await fetcher.fetch(url)
    if fetched.body is None or not _is_html(fetched.body, fetched.content_type):
        return None
    links = feed_links(fetched.body, url)
    if links:
        log.info("discovered feed %s on %s", links[0], url)
        return links[0]
    raise NoFeedFoundError(f"{url} is a web page that advertises no RSS, Atom or JSON feed")
