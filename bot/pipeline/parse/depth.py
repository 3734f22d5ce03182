"""How deeply a document nests its elements, measured before any parser sees it.

The parsers Outpost uses are not linear in nesting depth: lexbor (t.me pages, and every
HTML fragment of a feed) takes about 130 s for a page of 100,000 nested elements, and
feedparser about 10 s for a feed of that kind, in C or in callbacks that no time budget
can interrupt cleanly. Real documents nest a few dozen levels at most, so a document (or a
fragment) nested deeper than `MAX_DEPTH` is refused before parsing, in time linear in its
length.

The scan is a count, not a parse: it finds tags with one regular expression that stops at
the next "<" or ">" (so no input makes it backtrack over more than one tag), adds one for
each opening tag and takes one away for each closing tag. Self-closing tags, HTML's void
elements, comments, CDATA sections and the text of <script> and <style> do not count.
Unclosed elements (HTML's <p>, <li>) only make the count higher, never lower, so what
passes the check really is shallow for every parser.
"""

from __future__ import annotations

import operator
import re
from itertools import accumulate
from typing import Final

MAX_DEPTH: Final = 256  # libxml2's own limit without its "huge" option

_VOIDS = b"area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr"
# A tag runs from "<" to the next ">" with no "<" between, so no match ever looks past the
# next tag; HTML's void elements (never closed) are left out of the HTML pattern.
_XML_TAG = re.compile(rb"</?[A-Za-z][^<>]*>")
_HTML_TAG = re.compile(rb"</?(?!(?:" + _VOIDS + rb")[\s/>])[A-Za-z][^<>]*>", re.IGNORECASE)
_SLASH = ord("/")
_INERT_XML = re.compile(rb"<!--|<!\[CDATA\[")
_INERT_HTML = re.compile(rb"<!--|<!\[CDATA\[|<script\b|<style\b", re.IGNORECASE)
_INERT_END = {
    b"<!--": re.compile(rb"-->"),
    b"<![cdata[": re.compile(rb"\]\]>"),
    b"<script": re.compile(rb"</script", re.IGNORECASE),
    b"<style": re.compile(rb"</style", re.IGNORECASE),
}


def _spans(body: bytes, *, html: bool) -> list[tuple[int, int]]:
    """Return the (start, end) spans of markup to count: what lies between comments, CDATA
    sections and (in HTML) the text of scripts and styles."""
    inert = _INERT_HTML if html else _INERT_XML
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        found = inert.search(body, pos)
        if found is None:
            spans.append((pos, len(body)))
            return spans
        spans.append((pos, found.start()))
        end = _INERT_END[found.group(0).lower()].search(body, found.end())
        if end is None:
            return spans
        pos = end.end()


def nesting_depth(body: bytes | str, *, html: bool = True) -> int:
    """Return how deeply body nests its elements (an upper bound for unclosed HTML ones).

    The running count is kept from going below zero, so stray closing tags up front cannot
    hide deep nesting after them: with S the running sum of +1 (open) and -1 (close), the
    count is S minus the lowest S so far (at most 0), and the depth its maximum; all three
    are computed by C loops (`accumulate`, `map`, `max`).
    """
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    pattern = _HTML_TAG if html else _XML_TAG
    deltas = [
        -1 if tag[1] == _SLASH else 0 if tag[-2] == _SLASH else 1
        for start, end in _spans(data, html=html)
        for tag in pattern.findall(data, start, end)
    ]
    sums = list(accumulate(deltas, initial=0))
    depth: int = max(map(operator.sub, sums, accumulate(sums, min)))
    return depth


def too_deep(body: bytes | str, *, html: bool = True, limit: int = MAX_DEPTH) -> bool:
    """Tell whether body nests its elements deeper than `limit` (cheap when it has few tags)."""
    marks = body.count(b"<") if isinstance(body, bytes) else body.count("<")
    return marks > limit and nesting_depth(body, html=html) > limit
