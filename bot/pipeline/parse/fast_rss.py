"""A fast path for the plain RSS 2.0 feed: lxml reads it, feedparser's rules give the values.

feedparser is slow per item (a SAX parser written in Python, then an sgmllib sanitizer
over every description: see docs/performance.md). Most feeds are plain RSS 2.0: a channel
with a title and items
of title, link, guid, pubDate and description. For exactly those, this module walks lxml's
tree (a C parser) and produces the entries feedparser would, using feedparser's own rules
where they decide a value (its guess of HTML in a title, its date parser, its link and
character fix-ups), so the items that come out are the same. Anything else (another
format, an element or attribute it does not know, markup whose text the sanitizer and
lexbor could read differently, a document lxml finds malformed) returns None and the
caller runs feedparser. Why not a fast feed library (fastfeedparser): its values differ
from feedparser's in the details (HTML guessing, sanitising, dates) and its XML parser
allows huge trees; here every difference would change stored events.

The caller has refused DTD entity declarations and chosen the encoding already; the
parser here also resolves no entity, loads no DTD and makes no network access, and a
document with a DOCTYPE is left to feedparser.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from typing import Any

# feedparser's private names, for its exact rules: pyproject.toml pins its version.
from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import _HTMLSanitizer
from feedparser.urls import _urljoin
from lxml import etree

_looks_like_html: Callable[[str], bool] = _FeedParserMixin.looks_like_html

_DC = "{http://purl.org/dc/elements/1.1/}"
_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
_CHANNEL_CHILDREN = frozenset(
    {
        "title",
        "link",
        "description",
        "language",
        "copyright",
        "managingEditor",
        "webMaster",
        "pubDate",
        "lastBuildDate",
        "category",
        "generator",
        "docs",
        "ttl",
        "image",
        "{http://www.w3.org/2005/Atom}link",
    }
)
# The one channel child whose children are read here (checked below).
_NESTED_CHANNEL_CHILDREN = frozenset({"image"})
# Item elements read here, and ones feedparser keeps in fields Outpost does not use.
_READ = frozenset({"title", "link", "guid", "pubDate", "description"})
_IGNORED = frozenset({"category", "author", "comments", "enclosure", f"{_DC}creator"})
_ITEM_CHILDREN = _READ | _IGNORED
# Elements read once: a document that repeats one is left to feedparser.
_SINGLE = _READ | {"title", "ttl"}
# Markup whose visible text feedparser's sanitizer and lexbor agree on: elements both keep
# with their text. Anything else (script, iframe, noscript, svg, a comment, ...) is read by
# feedparser, and so is a tag with non-ASCII in it (the sanitizer may drop an attribute,
# which could change how feedparser's Latin-1 repair below treats the rest).
_SIMPLE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
})  # fmt: skip
_SAME_TEXT_TAGS = _SIMPLE_TAGS & frozenset(_HTMLSanitizer.acceptable_elements)
_TAG = re.compile(r"<\s*/?\s*([^\s/>]*)[^>]*>?")
_C1 = re.compile(f"[{''.join(map(chr, sorted(_cp1252)))}]")
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")


class _DeclinedError(Exception):
    """The document is not one this path reads exactly like feedparser."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=True,
        recover=False,
        encoding="utf-8",
    )


def _fix(text: str) -> str:
    """Apply what feedparser does to every value after parsing (mixin.pop).

    ASCII text is given back as it is: both steps below leave it unchanged, and
    str.isascii() does not even read it (CPython keeps the flag).
    """
    if text.isascii():
        return text
    # feedparser's repair of UTF-8 that was read as Latin-1 somewhere upstream.
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    # Its windows-1252 reading of C1 controls; translate() with a dict is slow, so only
    # when there is one to map.
    return text.translate(_cp1252) if _C1.search(text) else text


def _text(element: Any) -> str:
    """Return an element's text, stripped; decline one with children or attributes."""
    if len(element) or element.attrib:
        raise _DeclinedError
    return (element.text or "").strip()


def _html(value: str) -> str:
    """Return HTML content as is when its visible text cannot depend on the sanitizer.

    The tags are found as _TAG.finditer would find them (every match starts at a "<",
    and the next one at the first "<" after the last match), but located with str.find,
    which skips a description's text faster than the regex engine.
    """
    start = value.find("<")
    if start != -1:
        if "<!" in value or "<?" in value:
            raise _DeclinedError
        while start != -1:
            tag = _TAG.match(value, start)
            if tag is None:  # cannot happen: the pattern matches at every "<"
                raise _DeclinedError
            if tag.group(1).lower() not in _SAME_TEXT_TAGS or not tag.group(0).isascii():
                raise _DeclinedError
            start = value.find("<", tag.end())
    return value


def _plain_or_html(value: str) -> dict[str, Any]:
    """Return feedparser's (value, detail) for an RSS title: text unless it looks like HTML."""
    kind = "text/html" if _looks_like_html(value) else "text/plain"
    if kind == "text/html":
        value = _html(value)
    return {"value": _fix(value), "type": kind}


def _children(
    element: Iterable[Any], allowed: frozenset[str], nested: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Return the element's children by tag; decline an unknown, repeated or odd child.

    A child with children of its own is declined unless its tag is in `nested`: even in an
    element this path skips (a category, an author), feedparser reads a nested title or
    link into the entry.
    """
    found: dict[str, Any] = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag not in allowed:
            raise _DeclinedError  # a comment, a processing instruction, or unknown markup
        if tag in found and tag in _SINGLE:
            raise _DeclinedError
        if len(child) and tag not in nested:
            raise _DeclinedError
        found[tag] = child
    return found


def _put_title(target: dict[str, Any], element: Any) -> None:
    """Set "title" and "title_detail" as feedparser does, for an item or the channel."""
    title = _plain_or_html(_text(element))
    target["title"] = title["value"]
    target["title_detail"] = {"type": title["type"]}


def _entry(item: Any) -> dict[str, Any]:
    if item.attrib:
        raise _DeclinedError
    fields = _children(item, _ITEM_CHILDREN)
    entry: dict[str, Any] = {}
    if "title" in fields:
        _put_title(entry, fields["title"])
    if "description" in fields:
        entry["summary"] = _fix(_html(_text(fields["description"])))
        entry["summary_detail"] = {"type": "text/html"}
    link: str | None = None
    if "guid" in fields:
        guid = fields["guid"]
        if len(guid) or set(guid.attrib) - {"isPermaLink"}:
            raise _DeclinedError
        is_link = guid.get("isPermaLink", "true") == "true"
        value = (guid.text or "").strip()
        entry["id"] = _fix(_urljoin("", value) if is_link and value else value)
        if is_link:
            link = entry["id"]
    if "link" in fields:
        # feedparser's repair of "&amp;" in links, then its join with an empty base.
        raw = _text(fields["link"])
        value = _fix(_urljoin("", raw) if raw else raw)
        link = _LINK_ENTITY.sub(r"&\g<1>", value.replace("&amp;", "&"))
    if link is not None:
        entry["link"] = link
    if "pubDate" in fields:
        entry["published_parsed"] = _parse_date(_fix(_text(fields["pubDate"])))
    return entry


def read_rss(body: bytes) -> dict[str, Any] | None:
    """Return {"feed", "entries", "version"} as feedparser would give them, or None.

    `body` must be UTF-8 (the caller transcodes), without DTD entity declarations.
    """
    if b"<!DOCTYPE" in body or b"<!doctype" in body or b"xml:base" in body:
        return None
    try:
        root = etree.fromstring(body, _parser())
        if root.tag != "rss" or root.get("version") != "2.0" or set(root.attrib) != {"version"}:
            return None
        channels = list(root)
        if len(channels) != 1 or channels[0].tag != "channel" or channels[0].attrib:
            return None
        channel = channels[0]
        items = [child for child in channel if child.tag == "item"]
        fields = _children(
            [child for child in channel if child.tag != "item"],
            _CHANNEL_CHILDREN,
            nested=_NESTED_CHANNEL_CHILDREN,
        )
        feed: dict[str, Any] = {}
        if "title" in fields:
            _put_title(feed, fields["title"])
        links = [
            {"rel": child.get("rel"), "href": child.get("href")}
            for child in channel
            if child.tag == _ATOM_LINK and child.get("rel") in {"hub", "self"}
        ]
        if links:
            feed["links"] = links  # a WebSub hub and the feed's own URL
        if "ttl" in fields:
            feed["ttl"] = _fix(_text(fields["ttl"]))
        if "image" in fields and any(
            not isinstance(child.tag, str) or len(child) for child in fields["image"]
        ):
            return None
        entries = [_entry(item) for item in items]
    except (etree.XMLSyntaxError, _DeclinedError, ValueError):
        return None
    return {"feed": feed, "entries": entries, "version": "rss20"}
