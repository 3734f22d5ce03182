"""Every text function fed adversarial runs: each stays within its caps, and the caps are
applied before the work (what is past a cap changes nothing).

How long the work takes is measured by `bench/hostile.py`, not asserted here; these
properties check what makes it bounded: no function reads more than the caps let
through, nothing it returns is longer than it promises, and nothing fails to encode.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.matching import default_matcher
from bot.models import SourceKind
from bot.pipeline.analysis import analyse
from bot.pipeline.parse import MAX_LINK_CHARS, parse_document
from bot.pipeline.parse.text import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    bounded,
    first_sentences,
    html_to_text,
    normalize_text,
    split_sentences,
    truncate_words,
)
from bot.pipeline.read import page_of
from bot.pipeline.schedule import parse_retry_after
from sandbox.hostile import RUNS, channel_post, json_feed_item, rss_item

# The pieces hostile runs are made of: terminators, quotes, whitespace, markup, entities,
# invisible and combining characters, surrogates, initials, numbers, words.
UNITS = [
    ".", "!", "?", "…", "»", "«", "\"", " ", "\n", "\t", "<div>", "</div>", "<", ">", "<br>",
    "&", "&amp;", "&#8212;", "\u200b", "\u200d", "\u0301", "\ud800", "\udfff", "👨", "А. ",
    "U.S.", "1 ", "28", "-", "а", "Учения ", "у Ельска", " колонна", "\ue000", "\x00",
]  # fmt: skip


@st.composite
def hostile(draw: st.DrawFn, longest: int = 3_000) -> str:
    """A text of a few runs of hostile units, each up to `longest` long."""
    runs = draw(
        st.lists(
            st.tuples(st.sampled_from(UNITS), st.integers(min_value=1, max_value=longest)),
            min_size=1,
            max_size=4,
        )
    )
    mixed = draw(st.text(max_size=50))
    return mixed + "".join(unit * count for unit, count in runs)


def encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@given(hostile(), st.integers(min_value=0, max_value=MAX_TEXT_CHARS))
def test_bounded_cuts_to_the_cap_and_always_encodes(text: str, cap: int) -> None:
    cut = bounded(text, cap)
    assert len(cut) <= cap
    assert encodes(cut)
    if len(text) <= cap and encodes(text):
        assert cut == text


@given(hostile(), st.integers(min_value=1, max_value=600), st.integers(min_value=0, max_value=5))
def test_summaries_and_cuts_keep_their_length(text: str, max_chars: int, n: int) -> None:
    assert len(first_sentences(text, n=n, max_chars=max_chars)) <= max_chars
    assert len(truncate_words(text, max_chars)) <= max_chars
    sentences = split_sentences(text)
    assert sum(map(len, sentences)) <= len(text)
    assert len(normalize_text(text)) <= len(text)
    assert isinstance(html_to_text(text), str)


@given(hostile(longest=12_000), hostile(longest=500))
def test_analysis_reads_no_more_than_the_caps(text: str, tail: str) -> None:
    matcher = default_matcher()
    long_text = text + tail * (MAX_TEXT_CHARS // max(len(tail), 1) + 1)
    title = long_text[: MAX_TITLE_CHARS * 2]
    analysis = analyse(matcher, title, long_text)
    # What is past the caps changes nothing: the analysis is that of the bounded text.
    cut = analyse(matcher, bounded(title, MAX_TITLE_CHARS), bounded(long_text, MAX_TEXT_CHARS))
    assert analysis == cut
    assert len(analysis.summary) <= 400
    assert encodes(analysis.summary)


def item_strings(body: bytes, kind: SourceKind) -> list[str]:
    parsed = parse_document(body, kind=kind, content_type=None, base_url="https://h.example/")
    strings: list[str] = []
    for item in parsed.items:
        assert len(item.text) <= MAX_TEXT_CHARS
        assert len(item.title) <= MAX_TITLE_CHARS
        assert item.link is None or len(item.link) <= MAX_LINK_CHARS
        strings += [item.key, item.title, item.text, item.link or "", item.canonical_link or ""]
    page = page_of(parsed, default_matcher(), kind=kind, base_url="https://t.me/s/x", known={})
    for analysis in page.analyses:
        assert len(analysis.summary) <= 400
    return strings


@given(hostile(longest=8_000))
def test_every_document_kind_bounds_its_items(payload: str) -> None:
    documents = [
        (rss_item(payload), SourceKind.RSS),
        (json_feed_item(payload), SourceKind.RSS),
        (json_feed_item(payload, html=True), SourceKind.RSS),
        (channel_post(payload), SourceKind.TELEGRAM),
    ]
    for body, kind in documents:
        assert all(map(encodes, item_strings(body, kind)))


def test_every_hostile_run_of_the_benchmark_is_bounded() -> None:
    for make in RUNS.values():
        payload = make(2 * MAX_TEXT_CHARS)
        link = "https://h.example/" + "a" * (2 * MAX_LINK_CHARS)
        document = json.loads(json_feed_item(payload))
        document["items"][0]["url"] = link
        strings = item_strings(json.dumps(document).encode(), SourceKind.RSS)
        assert all(map(encodes, strings))


# Numbers a hostile document writes: digits str.isdigit takes and int() refuses ("²"), and
# runs of digits longer than int() converts (4,300) or converts in linear time.
SUPERSCRIPT_TWO = "\u00b2"
DIGITS = "9" * 5_000


def test_hostile_numbers_in_a_feed_cost_nothing_but_themselves() -> None:
    for ttl in (SUPERSCRIPT_TWO, DIGITS, "١٢"):
        body = (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><ttl>{ttl}</ttl>'
            f"<item><guid>1</guid><title>Учения {DIGITS}</title></item></channel></rss>"
        ).encode()
        parsed = parse_document(body, kind=SourceKind.RSS, content_type=None, base_url="https://x/")
        assert parsed.error is None and len(parsed.items) == 1
        assert parsed.ttl_minutes is None or parsed.ttl_minutes == 12
        page = page_of(parsed, default_matcher(), kind=SourceKind.RSS, base_url="x", known={})
        assert page.rejected == () and len(page.analyses) == 1


def test_hostile_post_ids_and_views_on_a_channel_page() -> None:
    posts = "".join(
        f'<div class="tgme_widget_message" data-post="chan_x/{post}">'
        f'<div class="tgme_widget_message_text">Учения</div>'
        f'<span class="tgme_widget_message_views">{DIGITS}</span></div>'
        for post in (SUPERSCRIPT_TWO, DIGITS, "12")
    )
    body = f'<html><body><div class="tgme_channel_info"></div>{posts}</body></html>'.encode()
    parsed = parse_document(
        body, kind=SourceKind.TELEGRAM, content_type=None, base_url="https://t.me/s/chan_x"
    )
    assert [item.key for item in parsed.items] == ["tg:chan_x/12"]
    assert parsed.items[0].views is None
    page = page_of(
        parsed,
        default_matcher(),
        kind=SourceKind.TELEGRAM,
        base_url="https://t.me/s/chan_x",
        known={},
    )
    assert page.older == "https://t.me/s/chan_x?before=12"


def test_a_hostile_retry_after_is_no_wait() -> None:
    now = datetime(2022, 10, 12, tzinfo=UTC)
    assert parse_retry_after(SUPERSCRIPT_TWO, now) is None
    assert parse_retry_after("120", now) == 120.0


def test_markup_left_open_thousands_of_times_is_read_without_a_tree() -> None:
    # Building the tree of N unclosed elements costs N² (lexbor walks the open stack).
    assert html_to_text("<div>" * 10_000 + "Учения &amp; колонна") == "Учения & колонна"
    assert html_to_text("<p>Колонна <b>техники</b></p>" * 2_000).startswith("Колонна техники\n")
