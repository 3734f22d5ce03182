"""Every reply within Telegram's limits by construction: one helper all handlers write
through (checked over the source), and that helper's parts always fit a message."""

from __future__ import annotations

import ast
from html import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.split import MAX_MESSAGE_UNITS, utf16_units
from handlers.common import _parts, fit, has_lone_surrogate, sendable
from sandbox.telegram_html import parse_telegram_html
from tests.helpers.paths import PROJECT

# Bot API calls that write to a chat; only handlers/common.py makes them.
WRITES = frozenset(
    {
        "reply_text",
        "reply_html",
        "reply_markdown",
        "send_message",
        "edit_message_text",
        "edit_text",
        "answer",
    }
)


def writes_outside_the_helper() -> list[str]:
    """Calls of a writing method in handlers/, outside handlers/common.py."""
    found = []
    for path in sorted((PROJECT / "handlers").glob("*.py")):
        if path.name == "common.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
            ):
                found.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
    return found


def test_no_handler_writes_around_the_helper() -> None:
    assert writes_outside_the_helper() == []


TEXT = st.text(st.characters(), max_size=12_000)


@given(TEXT)
def test_plain_parts_fit_a_message_and_lose_nothing_but_surrogates(text: str) -> None:
    parts = _parts(text, html=False)
    assert all(0 < utf16_units(part) <= MAX_MESSAGE_UNITS for part in parts)
    assert not any(has_lone_surrogate(part) for part in parts)
    kept = "".join(parts).replace(" ", "").replace("\n", "")
    assert kept == sendable(text).replace(" ", "").replace("\n", "") or not text.strip()


@given(st.lists(st.text(st.characters(), max_size=300), min_size=1, max_size=60))
def test_html_parts_fit_and_stay_well_formed(lines: list[str]) -> None:
    html = "\n".join(f"<b>{escape(line)}</b> <i>{escape(line[:20])}</i>" for line in lines)
    for part in _parts(html, html=True):
        # The sandbox parses it as Telegram does: well-formed, and short enough.
        assert parse_telegram_html(part).length <= MAX_MESSAGE_UNITS
    edited = fit(html, html=True)
    assert parse_telegram_html(edited).length <= MAX_MESSAGE_UNITS + 2


@pytest.mark.parametrize("text", ["\ud83d", "a\udc00b", "😀\ud800"])
def test_a_lone_surrogate_becomes_a_replacement_character(text: str) -> None:
    assert has_lone_surrogate(text)
    assert not has_lone_surrogate(sendable(text))
    assert "\ufffd" in sendable(text)
