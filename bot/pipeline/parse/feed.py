"""Parse RSS and Atom documents with feedparser, refusing hostile input before it gets there.

feedparser is only ever handed bytes wrapped in a BytesIO: given a str it treats URLs and
file paths as things to open. Before it runs, documents with DTD entity declarations are
refused outright (billion laughs, external entities), HTML pages are recognised as such, and
the character encoding is settled, so that its guesses (windows-1252 as a last resort) cannot
turn Cyrillic into mojibake silently.

A UTF-8 document with a few bytes that are not UTF-8 (a title pasted from a Windows editor:
one en dash as byte 0x96) is read as UTF-8 with those bytes read as Windows-1252
(`_mended`), so a stray byte costs at most the characters it stands for, never the feed;
the poll is counted on the source's health as damage read around, not as a failure.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from charset_normalizer import from_bytes

from bot.models import ErrorKind, ParsedItem, ParseResult
from bot.pipeline.parse.depth import MAX_DEPTH, too_deep
from bot.pipeline.parse.fast_rss import read_rss
from bot.pipeline.parse.identity import feed_item
from bot.pipeline.parse.text import (
    first_sentences,
    html_to_text,
    normalize_text,
    strip_invisible,
    truncate_words,
)

logger = logging.getLogger(__name__)

_MAX_TITLE_CHARS = 300
MAX_LINK_CHARS = 2_000  # a hub or self URL longer than this is not taken
_MOJIBAKE_SAMPLE_CHARS = 20_000
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# A byte-order mark, or "<" in a UTF-16/32 layout, settles the encoding. Named explicitly:
# feedparser strips a BOM but then ignores it unless the XML declaration names an encoding.
_ENCODING_MARKERS = (
    (codecs.BOM_UTF32_LE, "utf-32le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF8, "utf-8"),
    (b"<\x00\x00\x00", "utf-32le"),
    (b"\x00\x00\x00<", "utf-32be"),
    (b"<\x00", "utf-16le"),
    (b"\x00<", "utf-16be"),
)
_WHITESPACE_AND_BOMS = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
_SUSPICIOUS = re.compile("[\x80-\xff\ufffd]")
_LETTERS = re.compile("[^\\W\\d_]|[\x80-\xff]")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_PROLOG_TOKEN = re.compile(
    rb"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE
)
_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_XML_DECL_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE
)


def _without_nuls(body: bytes) -> bytes:
    # UTF-16/32 put NULs between ASCII characters; without them the markup we look for
    # ("<!ENTITY", "<html") reads as plain ASCII whatever the encoding.
    return body.replace(b"\x00", b"")


def _without_inert(scan: bytes) -> bytes:
    """Return scan without its CDATA sections and comments, whose text is data, not markup.

    A literal "<!ENTITY" inside them is harmless. Scanning from the start, each "<![CDATA["
    or "<!--" is cut up to the first "]]>" or "-->" after it, or to the end when there is
    none. bytes.find rather than a lazy regex, whose `.*?` steps one character at a time
    through every CDATA description (tests/bot/pipeline/parse/test_feed.py checks the two
    agree).
    """
    kept: list[bytes] = []
    pos = 0
    start = scan.find(b"<!")
    while start != -1:
        if scan.startswith(b"<![CDATA[", start):
            end = scan.find(b"]]>", start + 9)
        elif scan.startswith(b"<!--", start):
            end = scan.find(b"-->", start + 4)
        else:
            start = scan.find(b"<!", start + 1)
            continue
        kept.append(scan[pos:start])
        pos = len(scan) if end == -1 else end + 3
        start = scan.find(b"<!", pos)
    kept.append(scan[pos:])
    return b"".join(kept)


def _declares_entities(scan: bytes) -> bool:
    return _ENTITY_DECL.search(_without_inert(scan)) is not None


def _root_element(scan: bytes) -> str | None:
    pos = 0
    text = scan.lstrip(_WHITESPACE_AND_BOMS)
    while True:
        token = _PROLOG_TOKEN.match(text, pos)
        if token is None or token.end() == pos:
            break
        pos = token.end()
    root = _ROOT.match(text, pos)
    return root.group(1).decode("ascii").lower() if root else None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
        body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def _http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset.strip() if isinstance(charset, str) and charset.strip() else None


def _choose_encoding(body: bytes, content_type: str | None) -> str | None:
    """Return the encoding to read body with, or None if no candidate reads it."""
    for marker, encoding in _ENCODING_MARKERS:
        if body.startswith(marker):
            return encoding
    # Strict UTF-8 validity is strong evidence (single-byte text is almost never valid
    # UTF-8 by accident), while a single-byte charset "decodes" any bytes at all, so UTF-8
    # wins over a label; then the document's own declaration; then the server's header.
    declared = _declared_encoding(body)
    served = _http_charset(content_type)
    for candidate in ("utf-8", declared, served):
        if candidate and _decodes(body, candidate):
            return candidate
    if declared is None and served is None:
        return _detected_encoding(body)
    return None  # a label that does not read the body is a broken feed, not a guess


def _detected_encoding(body: bytes) -> str | None:
    """Return the charset charset-normalizer finds for an undeclared body, or None.

    A kept detector (statistics over code pages and languages) rather than a guess of our
    own; its best match that decodes the whole body wins. Cyrillic read in the wrong code
    page is still caught afterwards by `_looks_like_mojibake`.
    """
    for match in from_bytes(body):
        if _decodes(body, match.encoding):
            return str(match.encoding)
    return None


def _is_utf8(label: str | None) -> bool:
    try:
        return label is None or codecs.lookup(label).name == "utf-8"
    except LookupError:
        return False


def _mended(body: bytes, content_type: str | None) -> tuple[bytes, int] | None:
    """Return a UTF-8 body whose stray bytes were read as Windows-1252, and how many there were.

    Only for a body that says it is UTF-8 (or says nothing, which in XML means UTF-8), is
    not quite valid UTF-8 and has few stray bytes (at most one in a thousand, at least 16
    allowed): a document in another encoding has far more, and is left to the declared or
    detected charset. Each undecodable sequence is decoded on its own, so the work is
    linear however many there are.
    """
    if any(body.startswith(marker) for marker, name in _ENCODING_MARKERS if name != "utf-8"):
        return None
    if not (_is_utf8(_declared_encoding(body)) and _is_utf8(_http_charset(content_type))):
        return None
    view = memoryview(body)
    limit = max(16, len(body) // 1000)
    pieces: list[str] = []
    stray = pos = 0
    while pos < len(body):
        try:
            pieces.append(codecs.utf_8_decode(view[pos:], "strict", True)[0])
            break
        except UnicodeDecodeError as exc:
            pieces.append(codecs.utf_8_decode(view[pos : pos + exc.start], "strict", True)[0])
            bad = bytes(view[pos + exc.start : pos + exc.end])
            pieces.append(bad.decode("cp1252", errors="replace"))
            stray += len(bad)
            if stray > limit:
                return None
            pos += exc.end
    if not stray:
        return None
    return "".join(pieces).encode("utf-8"), stray


def _declared_encoding(body: bytes) -> str | None:
    match = _XML_DECL_ENCODING.match(body[:1024])
    return match.group(1).decode("ascii") if match else None


def _looks_like_mojibake(text: str) -> bool:
    # Cyrillic read as windows-1252/latin-1 (or UTF-8 read as such) comes out as runs of
    # À-ÿ and C1 controls; real Latin-script text has a few accented letters at most.
    # Counted by the regex engine, not a Python loop. "Letters" are \w without digits and
    # "_", plus À-ÿ; they are only counted when there are enough suspicious characters to
    # matter, which nearly every feed has not.
    suspicious = len(_SUSPICIOUS.findall(text))
    if suspicious < 8:
        return False
    return suspicious > 0.3 * len(_LETTERS.findall(text))


def _text_sample(feed_title: str | None, items: tuple[ParsedItem, ...]) -> str:
    # Mojibake runs through a whole document, so its first few thousand characters tell.
    parts = [feed_title or ""]
    size = len(parts[0])
    for item in items:
        if size >= _MOJIBAKE_SAMPLE_CHARS:
            break
        parts.append(f"{item.title} {item.text}")
        size += len(parts[-1])
    return " ".join(parts)[:_MOJIBAKE_SAMPLE_CHARS]


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _is_html(detail: object) -> bool:
    # feedparser has already decoded entities in text/plain values: a title written as
    # "&lt;script&gt;" is the literal text "<script>" and must not be parsed as markup.
    kind = _str(detail.get("type")) if isinstance(detail, Mapping) else "text/html"
    return kind in _HTML_TYPES


def _detail_text(value: object, detail: object) -> str:
    text = _str(value)
    if not text:
        return ""
    return html_to_text(text) if _is_html(detail) else normalize_text(text)


def _entry_text(entry: Mapping[str, Any]) -> str:
    contents = entry.get("content")
    if isinstance(contents, list):
        for content in contents:
            if isinstance(content, Mapping):
                text = _detail_text(content.get("value"), content)
                if text:
                    return text
    return _detail_text(entry.get("summary"), entry.get("summary_detail"))


def _title(value: object, detail: object) -> str:
    # A title is one line. Plain text skips normalize_text: folding all whitespace after it
    # gives the same words, as every line boundary splitlines knows is whitespace to split.
    text = _str(value)
    if text and _is_html(detail):
        text = html_to_text(text)
    return truncate_words(" ".join(strip_invisible(text).split()), _MAX_TITLE_CHARS)


def _safe_link(value: object, base_url: str | None) -> str | None:
    link = _str(value).strip()
    try:
        if link and base_url:
            link = urljoin(base_url, link)
        scheme = urlsplit(link).scheme.lower()
    except ValueError:  # a broken IPv6 literal and the like
        return None
    # Only web links: a "javascript:" or "file:" link must never reach a message button.
    return link if link and scheme in {"http", "https"} else None


def _published(entry: Mapping[str, Any]) -> datetime | None:
    for field in ("published_parsed", "updated_parsed"):
        parsed = entry.get(field)
        if parsed is None:
            continue
        try:
            year, month, day, hour, minute, second = parsed[:6]
            # feedparser normalises every date it understands to a UTC struct_time.
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            continue
    return None


def _item(entry: Mapping[str, Any], base_url: str | None) -> ParsedItem | None:
    title = _title(entry.get("title"), entry.get("title_detail"))
    text = _entry_text(entry)
    if not title and not text:
        return None
    if not title:
        title = first_sentences(text, n=1, max_chars=120)
    link = _safe_link(entry.get("link"), base_url)
    published = _published(entry)
    guid = _str(entry.get("id")) or None
    return feed_item(guid=guid, link=link, title=title, text=text, published=published)


def _prechecks(body: bytes) -> ParseResult | None:
    if not body.strip(_WHITESPACE_AND_BOMS):
        return ParseResult(error=ErrorKind.EMPTY, detail="empty document")
    scan = _without_nuls(body)
    if _declares_entities(scan):
        # Refused, not expanded: no entity is resolved, no file read, no request made.
        return ParseResult(
            error=ErrorKind.XML_ENTITIES, detail="document declares DTD entities; refused"
        )
    root = _root_element(scan)
    if root is None:
        return ParseResult(error=ErrorKind.NOT_A_FEED, detail="does not start with an element")
    if root == "html":
        return ParseResult(error=ErrorKind.NOT_A_FEED, detail="an HTML page, not a feed")
    return None


def parse_feed(
    body: bytes, *, content_type: str | None = None, base_url: str | None = None, fast: bool = True
) -> ParseResult:
    """Parse an RSS or Atom document into items, or name why it cannot be read.

    A plain RSS 2.0 document is read by the lxml fast path (`fast_rss`), everything else
    by feedparser; `fast=False` sends everything to feedparser (the tests compare both).
    """
    refused = _prechecks(body)
    if refused is not None:
        return refused
    body = _declaration_first(body)
    mended = _mended(body, content_type)
    if mended is not None:
        body, stray = mended
        # UTF-8 for certain: the mojibake check, which is about a wrong charset, does not
        # apply (and the stray bytes' Latin-1 letters must not tip it).
        return _with_stray_bytes(_read(body, "utf-8", base_url, fast=fast, sure=True), stray)
    encoding = _choose_encoding(body, content_type)
    if encoding is None:
        return ParseResult(
            error=ErrorKind.ENCODING,
            detail=(
                "not valid UTF-8 and no working charset "
                f"(declared {_declared_encoding(body) or 'none'}, "
                f"HTTP {_http_charset(content_type) or 'none'})"
            ),
        )
    # The content type handed to feedparser is ours: an XML type with the charset chosen
    # above, so its RFC 3023 rules (text/xml means us-ascii) cannot override that choice.
    # No Content-Location on purpose: feedparser would resolve every <guid> against it too,
    # so "item-17" would become "https://host/item-17" and keys would change with the URL.
    # Relative item links are resolved against base_url afterwards instead.
    return _read(body, encoding, base_url, fast=fast)


def _read(
    body: bytes, encoding: str, base_url: str | None, *, fast: bool, sure: bool = False
) -> ParseResult:
    """Read a document in a settled encoding: the fast path if it can, else feedparser.

    `sure`: the encoding is known to be right, so the text is not checked for mojibake.
    """
    quick = _fast_path(body, encoding) if fast else None
    if quick is not None:
        return _result(quick, base_url, sure=sure)
    return _slow_path(body, encoding, base_url, sure=sure)


def _with_stray_bytes(read: ParseResult, stray: int) -> ParseResult:
    """Note on a mended document's result that it had bytes that were not UTF-8."""
    if read.error is not None or read.warning is not None:
        return read
    return replace(
        read,
        warning=ErrorKind.ENCODING,
        detail=f"{stray} byte(s) that are not UTF-8 were read as Windows-1252",
    )


def _slow_path(body: bytes, encoding: str, base_url: str | None, *, sure: bool) -> ParseResult:
    """Read any RSS or Atom document with feedparser, unless it nests like a parser bomb."""
    if too_deep(_without_nuls(body), html=False):
        # feedparser's time grows with the nesting; the fast path's parser refuses it too.
        return ParseResult(
            error=ErrorKind.TOO_DEEP, detail=f"elements nested deeper than {MAX_DEPTH} levels"
        )
    headers = {"content-type": f"application/xml; charset={encoding}"}
    try:
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            resolve_relative_uris=False,  # markup is reduced to text; its links are unused
            sanitize_html=True,
        )
    except Exception as exc:
        # A parser crash on hostile input is a property of the document, not a bug here.
        logger.warning("feedparser failed on %s", base_url, exc_info=True)
        return ParseResult(error=ErrorKind.MALFORMED, detail=f"parser failed: {exc!r}")
    return _result(parsed, base_url, sure=sure)


def _declaration_first(body: bytes) -> bytes:
    """Drop whitespace before an XML declaration.

    XML allows nothing before `<?xml`, so both parsers call such a document malformed,
    yet a reader shows it whole: many servers' templates emit a newline first. Only ASCII
    whitespace is dropped, so a UTF-16 body (whose "<" sits beside a NUL) is left as it is.
    """
    if body[:1] not in b" \t\r\n":
        return body
    head = body.lstrip(b" \t\r\n")
    return head if head.startswith(b"<?xml") else body


def _fast_path(body: bytes, encoding: str) -> dict[str, Any] | None:
    """Read a plain RSS 2.0 document with lxml (`fast_rss`); None: feedparser reads it."""
    if not body.lstrip(_WHITESPACE_AND_BOMS).startswith(b"<?xml") and b"<rss" not in body[:512]:
        return None  # not RSS 2.0 at a glance: no need to build a tree to find out
    if codecs.lookup(encoding).name != "utf-8":
        body = body.decode(encoding).encode("utf-8")
    return read_rss(body.removeprefix(codecs.BOM_UTF8))


def _result(parsed: Any, base_url: str | None, *, sure: bool = False) -> ParseResult:
    feed = parsed.get("feed") or {}
    feed_title = _title(feed.get("title"), feed.get("title_detail")) or None
    entries = [entry for entry in parsed.get("entries") or [] if isinstance(entry, Mapping)]
    items = tuple(
        item for item in (_item(entry, base_url) for entry in entries) if item is not None
    )
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # Soft warnings (encoding overridden, non-XML content type) are not damage.
    if isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe):
        problem = None
    if not sure and _looks_like_mojibake(_text_sample(feed_title, items)):
        return ParseResult(error=ErrorKind.ENCODING, detail="text decodes to mojibake")
    if not entries and not parsed.get("version"):
        return ParseResult(error=ErrorKind.NOT_A_FEED, detail="no RSS or Atom root element")
    if not items and problem is not None:
        return ParseResult(
            title=feed_title, error=ErrorKind.MALFORMED, detail=f"malformed XML: {problem}"
        )
    detail = ""
    warning = None
    if problem is not None:
        # Recover what can be read: the entries before the damage are still good.
        detail = f"recovered {len(items)} items from malformed XML: {problem}"
        warning = ErrorKind.MALFORMED
    return ParseResult(
        items=items,
        title=feed_title,
        detail=detail,
        ttl_minutes=_ttl(feed.get("ttl")),
        warning=warning,
        hub=_link(feed, "hub"),
        self_url=_link(feed, "self"),
    )


def _link(feed: Mapping[str, Any], rel: str) -> str | None:
    """Return the first http(s) link of a relation the feed names (WebSub: hub, self)."""
    for link in feed.get("links") or []:
        if not isinstance(link, Mapping) or link.get("rel") != rel:
            continue
        href = _str(link.get("href")).strip()
        if href.startswith(("http://", "https://")) and len(href) <= MAX_LINK_CHARS:
            return href
    return None


def _ttl(value: object) -> int | None:
    text = _str(value).strip()
    # ASCII digits: "²" is a digit to str.isdigit, and int() refuses it.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None
