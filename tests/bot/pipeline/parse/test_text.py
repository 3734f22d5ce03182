"""Markup to plain text, and summaries cut at sentence ends."""

from __future__ import annotations

import random
import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from bot.pipeline.parse.text import (
    _INVISIBLE,
    _INVISIBLE_CHARS,
    first_sentences,
    html_to_text,
    normalize_text,
    split_sentences,
    strip_invisible,
    truncate_words,
)


def test_html_to_text_drops_scripts_keeps_links_and_breaks() -> None:
    html = (
        "<p>Колонна <b>бронетехники</b> у&nbsp;границы.<br>Видео: "
        '<a href="https://t.me/x/1">#Ельск</a></p>'
        "<script>alert(1)</script><style>p{}</style><p>Второй абзац</p>"
    )
    assert html_to_text(html) == ("Колонна бронетехники у границы.\nВидео: #Ельск\n\nВторой абзац")


def test_html_to_text_unescapes_entities_once() -> None:
    assert html_to_text("a &amp; b &lt;script&gt; &amp;lt; &#8212; &quot;q&quot;") == (
        'a & b <script> &lt; — "q"'
    )


def test_html_to_text_folds_source_whitespace() -> None:
    assert html_to_text("  one\n   two\t\tthree  <br/><br/><br/><br/> four ") == (
        "one two three\n\nfour"
    )


def test_html_to_text_plain_and_empty() -> None:
    assert html_to_text("") == ""
    assert html_to_text("just   text") == "just text"
    assert html_to_text("<img src=x onerror=alert(1)>") == ""


def test_html_to_text_ignores_sentinel_in_input() -> None:
    assert html_to_text("a\ue000b<br>c") == "ab\nc"


def test_html_to_text_deep_nesting_within_the_limit() -> None:
    assert html_to_text("<div>" * 5_000 + "deep" + "</div>" * 5_000) == "deep"


_REF_DROPPED = "script, style, noscript, template, head, title, iframe, object, svg, math"
_REF_BLOCKS = (
    "p, div, li, ul, ol, dl, dt, dd, h1, h2, h3, h4, h5, h6, blockquote, pre, tr, table, "
    "section, article, header, footer, aside, figure, figcaption, hr"
)


def _edited_tree_text(html: str) -> str:
    """html_to_text as it was before it walked the tree: edit the tree, then read text()."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    tree = LexborHTMLParser(html.replace("\ue000", ""), is_fragment=True)
    for node in tree.css(_REF_DROPPED):
        node.decompose()
    for node in tree.css("br"):
        node.replace_with("\ue000")
    for node in tree.css(_REF_BLOCKS):
        node.insert_before("\ue000")
        node.insert_after("\ue000")
    spaced = " ".join(tree.text().split())
    spaced = re.sub(
        " ?\ue000(?: ?\ue000)* ?", lambda m: "\n" * min(m.group(0).count("\ue000"), 2), spaced
    )
    return normalize_text(spaced)


_MARKUP = [
    "<p>", "</p>", "<div>", "</div>", "<br>", "</br>", "<b>", "</b>", "<table>", "<td>", "<tr>",
    "</table>", "<li>", "<ul>", "<hr>", "<script>s<br></script>", "<style>p{}</style>",
    "<svg><p>f</p></svg>", "<math><mtext><div>m</div></mtext></math>", "<object><p>o</p>",
    "<noscript><p>n</p></noscript>", "<template><p>t</p></template>", "<title>x</title>",
    "<iframe><p>i</p></iframe>", "<select><option>o", "<!-- c -->", "<pre>\n", "<h2>",
    " ", "  ", "\n", "\t", "\xa0", "\u2028", "&nbsp;", "&amp;", "&#xe000;", "\ue000", "&#x85;",
    "Колонна", "техника", "word", ".",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_html_to_text_is_the_edited_tree_text(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    for _ in range(300):
        html = "".join(rng.choice(_MARKUP) for _ in range(rng.randint(0, 30)))
        assert html_to_text(html) == _edited_tree_text(html), html


def test_split_sentences_respects_initials_and_lowercase() -> None:
    text = "А. Лукашенко заявил: «Учения!» Потом 17 км. и т. д. конец… 2 танка ушли."
    assert split_sentences(text) == [
        "А. Лукашенко заявил: «Учения!»",
        "Потом 17 км. и т. д. конец…",
        "2 танка ушли.",
    ]


def test_dotted_abbreviation_does_not_end_a_sentence() -> None:
    # Seen on a real page (tests/data/channels/clashreport_2026.html): the title was "U.S."
    assert split_sentences("U.S. Treasury Secretary says so. Next.") == [
        "U.S. Treasury Secretary says so.",
        "Next.",
    ]
    assert split_sentences("Т.е. Минск. 5. Next.") == ["Т.е. Минск.", "5.", "Next."]


# Zero-width space, soft hyphen, BOM, LRM/RLM, embedding, isolate, word joiner.
_INVISIBLES = "\u200b\u00ad\ufeff\u200e\u200f\u202a\u202c\u2066\u2069\u2060"


@pytest.mark.parametrize("char", list(_INVISIBLES))
def test_invisible_characters_are_removed_everywhere(char: str) -> None:
    assert strip_invisible(f"{char}Учения{char} у Ельска{char}") == "Учения у Ельска"
    assert normalize_text(f"{char} Калона\n{char}") == "Калона"
    assert html_to_text(f"<p>{char}</p><p>Калона {char}на М1</p>") == "Калона на М1"
    assert html_to_text(f"{char} Калона") == "Калона"


def test_invisible_characters_written_as_entities_are_removed() -> None:
    assert html_to_text("&#8203;<a href='x'>&#x200B;</a>Калона&shy; на М1&#xFEFF;") == (
        "Калона на М1"
    )


def test_joiners_inside_emoji_sequences_are_kept() -> None:
    family, rainbow = "👨\u200d👩\u200d👧", "🏳\ufe0f\u200d🌈"
    text = f"\u200d{family} {rainbow} a\u200db \u200dz\u200d"
    assert strip_invisible(text) == f"{family} {rainbow} ab z"
    # The zero-width non-joiner is spelling in Persian; flags' tag characters are kept.
    scotland = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert strip_invisible(f"می\u200cخواهم {scotland}") == f"می\u200cخواهم {scotland}"


def test_split_sentences_joins_hard_wrapped_lines() -> None:
    assert split_sentences("The army would\nneed 20,000 men.\nNew line") == [
        "The army would need 20,000 men.",
        "New line",
    ]


def test_first_sentences_limits_count_and_length() -> None:
    text = "One is here. Two is here. Three is here. Four is here."
    assert first_sentences(text) == "One is here. Two is here. Three is here."
    assert first_sentences(text, n=1) == "One is here."
    assert first_sentences(text, max_chars=30) == "One is here. Two is here."


def test_first_sentences_cuts_long_first_sentence_at_word() -> None:
    text = "Очень " * 100 + "длинное предложение."
    summary = first_sentences(text, max_chars=50)
    assert len(summary) <= 50
    assert summary.endswith("…")
    assert summary[:-1].split() == ["Очень"] * len(summary[:-1].split())


def test_first_sentences_empty() -> None:
    assert first_sentences("") == ""
    assert first_sentences("   \n  ") == ""


@pytest.mark.parametrize("max_chars", [1, 2, 5, 12, 40])
def test_truncate_words_never_exceeds(max_chars: int) -> None:
    text = "word " * 30 + "https://example.org/" + "x" * 100
    assert len(truncate_words(text, max_chars)) <= max_chars


def test_hostile_nesting_and_initials_stay_fast() -> None:
    # Unbounded, the first takes many seconds (tree building is quadratic in depth) and the
    # second was quadratic in the number of initials; pytest's timeout would catch a regression.
    assert html_to_text("<div>" * 200_000 + "tail") == ""
    assert len(split_sentences("A. " * 200_000 + "End.")) == 1


def _whole_text_summary(text: str, n: int, max_chars: int) -> str:
    """first_sentences as it was before it split only the head of a long text."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    summary = sentences[0]
    if len(summary) > max_chars:
        return truncate_words(summary, max_chars)
    for sentence in sentences[1:n]:
        candidate = f"{summary} {sentence}"
        if len(candidate) > max_chars:
            break
        summary = candidate
    return summary


@pytest.mark.parametrize("seed", range(4))
def test_first_sentences_of_the_head_are_those_of_the_whole_text(seed: int) -> None:
    """A long text's summary is taken from its head when that is safe: the same summary
    as from the whole text, whatever falls at the cut (a sentence end, an initial, a
    hard-wrapped line, runs of spaces, closing quotes)."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    pieces = [
        "Колонна", "техники", "у", "границы", "А.", "Лукашенко", "J.", "Smith", "«цитата»",
        "28", "Ельск", "и", "дальше", ".", "!", "?", "…", ".»", ")", "\n", "\n\n", "\n\n\n",
        "   ", "\r\n", "слово.", "Слово", "word", "Word.", "x" * 90,
    ]  # fmt: skip
    for _ in range(1500):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 160)))
        for n, max_chars in ((3, 400), (1, 50), (2, 120), (3, 30)):
            assert first_sentences(text, n, max_chars) == _whole_text_summary(text, n, max_chars)


def test_the_quick_scan_knows_every_character_the_regex_removes() -> None:
    # strip_invisible skips the regex unless one of _INVISIBLE_CHARS is present.
    removed = {
        chr(code)
        for code in range(0x10000)
        if _INVISIBLE.search(chr(code)) or _INVISIBLE.search(f"{chr(code)}a")
    }
    assert removed == set(_INVISIBLE_CHARS)
