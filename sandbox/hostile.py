"""Hostile texts: what a source written by an adversary can put in an item.

Each generator makes about `size` characters of one kind of run that has made text
processing super-linear somewhere (a regex that backtracks over a run, a loop that
concatenates, a parser that walks a growing stack). `bench/hostile.py` times Outpost's text
functions on them at growing sizes; the property tests in `tests/bot/pipeline/parse/`
check that every function's work is bounded by the caps. Documents wrap a payload the way
each kind of source would carry it, so the whole read path can be fed one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.sax.saxutils import escape

LEAD = "Учения у Ельска"  # a military report's words first, so matching has work to do


def _repeat(unit: str, size: int, lead: str = LEAD) -> str:
    return lead + unit * max(1, (size - len(lead)) // len(unit))


RUNS: dict[str, Callable[[int], str]] = {
    "dots": lambda n: _repeat(".", n, LEAD + " "),
    "terminators": lambda n: _repeat("?!…", n),
    "dots_then_space": lambda n: _repeat(".", n) + " Конец.",
    "closers": lambda n: _repeat("»", n, LEAD + "."),
    "openers": lambda n: _repeat("«", n, LEAD + ". "),
    "spaces": lambda n: _repeat(" ", n) + "x",
    "newlines": lambda n: _repeat("\n", n) + "x",
    "wrapped_lines": lambda n: _repeat("\nучения у ельска", n),
    "sentences": lambda n: _repeat(" Учения у Ельска.", n),
    "initials": lambda n: _repeat(" А.", n),
    "abbreviations": lambda n: _repeat("U.S.", n) + " Treasury",
    "one_word": lambda n: _repeat("а", n),
    "short_words": lambda n: _repeat(" а", n),
    "keywords": lambda n: _repeat(" колонна техники у Мозыря, учения", n),
    "numbers": lambda n: " ".join(str(i) for i in range(max(1, n // 6))),
    "hyphens": lambda n: _repeat("-а", n),
    "models": lambda n: _repeat(" Су-3", n),
    "nested_tags": lambda n: _repeat("<div>", n),
    "open_tags": lambda n: _repeat("<b", n),
    "angles": lambda n: _repeat("<", n),
    "entities": lambda n: _repeat("&amp;", n),
    "ampersands": lambda n: _repeat("&", n),
    "breaks": lambda n: _repeat("<br>", n),
    "zero_width": lambda n: _repeat("\u200b\u200d", n),
    "combining": lambda n: _repeat("а\u0301", n),
    "emoji": lambda n: _repeat("👨\u200d👩\u200d👧", n),
    "surrogates": lambda n: _repeat("\ud800", n),
    "mixed_scripts": lambda n: _repeat("aа", n),
    "url": lambda n: "https://example.org/" + "a" * n,
}


def rss_item(payload: str, *, guid: str = "hostile") -> bytes:
    """Return an RSS 2.0 feed of one item whose title and description are the payload."""
    # XML cannot carry every character (surrogates, most controls): those are left out here
    # and reach Outpost through JSON Feed, which can.
    safe = "".join(ch for ch in payload if ch in "\t\n\r" or (ch >= " " and not _surrogate(ch)))
    text = escape(safe)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>H</title>'
        f"<item><guid>{guid}</guid><title>{text[:2_000]}</title>"
        f"<link>https://hostile.example/{guid}</link><description>{text}</description>"
        "</item></channel></rss>"
    ).encode()


def json_feed_item(payload: str, *, guid: str = "hostile", html: bool = False) -> bytes:
    """Return a JSON Feed of one item carrying the payload as its text (or HTML)."""
    field = "content_html" if html else "content_text"
    item = {"id": guid, "title": payload[:2_000], field: payload}
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "H", "items": [item]}
    # ensure_ascii (the default) writes a lone surrogate as "\\ud800", as a hostile feed would.
    return json.dumps(document).encode()


def channel_post(payload: str, *, channel: str = "hostile_channel", post: int = 1) -> bytes:
    """Return a t.me/s page with one post whose text is the payload (as HTML text)."""
    safe = "".join(ch for ch in payload if not _surrogate(ch))
    return (
        '<html><body><div class="tgme_channel_info"></div>'
        f'<div class="tgme_widget_message" data-post="{channel}/{post}">'
        f'<div class="tgme_widget_message_text">{escape(safe)}</div>'
        '<a class="tgme_widget_message_date"><time datetime="2022-10-12T11:00:00+00:00"></time></a>'
        "</div></body></html>"
    ).encode()


def _surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"
