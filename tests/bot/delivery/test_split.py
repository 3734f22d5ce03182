"""Splitting long Telegram HTML: every part valid, within 4096 UTF-16 units, nothing lost.

Each part is checked with the sandbox's Telegram HTML parser, the same one that refuses
bad markup when the bot sends.
"""

from __future__ import annotations

from html import escape, unescape

import pytest

from bot.delivery.split import split_html, split_plain, utf16_units
from sandbox.telegram_html import parse_telegram_html


def check(parts: list[str], limit: int) -> str:
    """Assert every part parses and fits; return the visible text of all parts joined."""
    seen = []
    for part in parts:
        parsed = parse_telegram_html(part)
        assert parsed.length <= limit, (parsed.length, part[:80])
        seen.append(parsed.visible_text)
    return "".join(seen)


def squash(text: str) -> str:
    return "".join(text.split())


def test_short_messages_are_left_alone() -> None:
    html = "<b>Drills</b>\nTanks &amp; trucks near Yelsk."
    assert split_html(html) == [html]


def test_long_text_splits_on_line_breaks_first() -> None:
    lines = [f"Line {n}: " + "word " * 30 for n in range(200)]
    html = "\n".join(lines)
    parts = split_html(html)
    assert len(parts) > 1
    visible = check(parts, 4096)
    assert squash(visible) == squash(html)
    for part in parts[:-1]:
        assert part.rstrip().endswith("word")  # whole lines, cut at a line break


def test_without_line_breaks_it_splits_after_a_sentence() -> None:
    html = " ".join(f"Sentence number {n} is here." for n in range(400))
    parts = split_html(html, limit=500)
    check(parts, 500)
    assert all(part.endswith(".") for part in parts[:-1])


def test_formatting_is_closed_and_reopened_across_parts() -> None:
    html = '<b>Bold <a href="https://example.org/x?a=1&amp;b=2">' + "link " * 300 + "</a></b> end"
    parts = split_html(html, limit=400)
    assert len(parts) > 3
    visible = check(parts, 400)
    assert squash(visible) == squash("Bold " + "link " * 300 + " end")
    for part in parts[1:-1]:
        assert part.startswith('<b><a href="https://example.org/x?a=1&amp;b=2">')
        assert part.endswith("</a></b>")
    for part in parts:
        entities = parse_telegram_html(part).entities
        assert any(entity.type == "text_link" for entity in entities)


@pytest.mark.parametrize("filler", ["😀", "👨‍👩‍👧‍👦", "🇧🇾", "&amp;", "&lt;b&gt;", "é"])
def test_emoji_and_entities_at_the_boundary_stay_whole(filler: str) -> None:
    # No spaces at all: the splitter must cut inside the run, but never inside one glyph.
    for offset in range(4):
        html = "x" * (4090 + offset) + filler * 10
        parts = split_html(html)
        visible = check(parts, 4096)
        assert visible == unescape(html)
        for part in parts:
            assert not part.endswith("&")
            assert "\u200d" not in (part[0], part[-1])


def test_counts_utf16_units_as_telegram_does() -> None:
    assert utf16_units("😀") == 2
    assert utf16_units("é") == 1
    html = "😀" * 3000  # 6000 units: two parts although only 3000 characters
    parts = split_html(html)
    assert len(parts) == 2
    assert "".join(parts) == html


def test_hostile_source_text_is_escaped_and_split_safely() -> None:
    hostile = '<script>alert(1)</script> <a href="javascript:x">x</a> & ' * 200
    html = "<b>Title</b>\n" + escape(hostile)
    parts = split_html(html, limit=1000)
    visible = check(parts, 1000)
    assert "<script>" in visible  # shown as text, never markup
    for part in parts:
        assert all(entity.type == "bold" for entity in parse_telegram_html(part).entities)


def test_plain_text_split_keeps_angle_brackets_and_ampersands() -> None:
    text = "a < b & c > d. " * 500
    parts = split_plain(text)
    assert len(parts) == 2
    assert all(utf16_units(part) <= 4096 for part in parts)
    assert squash("".join(parts)) == squash(text)
