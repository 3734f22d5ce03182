"""Nesting depth measured before parsing: exact for well-formed markup, never lower than a
parser would build, and no real document comes near the limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.pipeline.parse.depth import MAX_DEPTH, nesting_depth, too_deep
from tests.helpers.paths import DATA, SAMPLES


def reference_depth(tokens: list[str]) -> int:
    """The depth of a token list by an explicit stack (what a parser keeps)."""
    stack = deepest = 0
    for token in tokens:
        if not token.startswith("<"):
            continue
        if token.startswith("</"):
            stack = max(0, stack - 1)
        elif not token.endswith("/>"):
            stack += 1
            deepest = max(deepest, stack)
    return deepest


TAGS = st.sampled_from(["<a>", "</a>", "<b x='1'>", "</b>", "<c/>", '<d y="v" />', "text", "&amp;"])


@given(st.lists(TAGS, max_size=300))
def test_the_count_agrees_with_a_stack(tokens: list[str]) -> None:
    document = "".join(tokens)
    assert nesting_depth(document, html=False) == reference_depth(tokens)


@given(st.integers(0, 2000), st.integers(0, 2000))
def test_stray_closing_tags_cannot_hide_deep_nesting(closes: int, opens: int) -> None:
    document = b"</x>" * closes + b"<x>" * opens
    assert nesting_depth(document, html=False) == opens


def test_what_does_not_nest_is_not_counted() -> None:
    html = (
        b"<p>text<br><img src=1><HR/><input name=q>"
        b"<script>if (a<b && c>d) { x = '<div><div>' }</script>"
        b"<style>p > a { }</style><!-- <div><div><div> -->"
        b"<![CDATA[<div><div>]]></p>"
    )
    assert nesting_depth(html) == 1
    xml = (
        b"<rss><channel><item><description><![CDATA[<p><p><p>]]></description>"
        b"</item></channel></rss>"
    )
    assert nesting_depth(xml, html=False) == 4


def test_broken_markup_costs_linear_time_and_counts_nothing_strange() -> None:
    assert nesting_depth(b"<a" * 200_000) == 0  # no tag ever closes: nothing opens
    assert nesting_depth(b"<" * 200_000 + b">") == 0
    assert too_deep(b"<div>" * (MAX_DEPTH + 1))
    assert not too_deep(b"<div>" * MAX_DEPTH)
    assert not too_deep("<p>short</p>")


def test_no_real_document_comes_near_the_limit() -> None:
    files = [*SAMPLES.iterdir(), *(DATA / "feeds").rglob("*")]
    measured = [
        path
        for path in files
        if path.is_file() and path.suffix in {".rss", ".atom", ".html", ".xml", ".rdf"}
    ]
    assert measured
    for path in measured:
        body = path.read_bytes()
        depth = nesting_depth(body, html=path.suffix == ".html")
        assert depth < 40, (path.name, depth)
