"""Whatever a user types after a command, parsing it ends in a choice or in a clear
ChoiceError, never in another exception; and what is echoed back is short and escaped.
Property tests over the argument parsers the handlers call."""

from __future__ import annotations

from html import unescape

from hypothesis import given
from hypothesis import strategies as st

from bot.chats import ChoiceError
from bot.chats.delivery import parse_digest, parse_previews, parse_quiet, parse_timezone
from bot.chats.filters import MAX_PHRASE, country_code, parse_km, split_phrases
from bot.matching import PlaceIndex, default_catalog, default_places, resolve_topic
from bot.models import DeliveryChange
from bot.ui.texts import ECHO_CHARS, quoted, ui_for
from handlers.common import said

# Anything a Telegram client can send, and what a forged update can carry besides:
# lone surrogates, controls, emoji with joiners, right-to-left marks, very long words.
HOSTILE = st.text(st.characters(), max_size=400) | st.sampled_from(
    [
        "😀",
        "🇧🇾",
        "👩\u200d👩\u200d👧",
        "\ud83d",
        "\u202eEurope/Minsk",
        "../../etc/passwd",
        "Europe",
        "a" * 5000,
        "9" * 5000,
        "\x00",
        "١٢",
        "23-07-01",
        "<b>x</b>",
    ]
)
WORDS = st.lists(HOSTILE, max_size=6)
CATALOG = default_catalog()
PLACES = PlaceIndex(default_places())
UI = ui_for("en", CATALOG, PLACES)


def answered(parse: object, args: list[str]) -> DeliveryChange | ChoiceError:
    """Parse, turning a ChoiceError into a value; any other exception fails the test."""
    assert callable(parse)
    try:
        change = parse(args)
    except ChoiceError as error:
        return error
    assert isinstance(change, DeliveryChange)
    return change


def assert_said_clearly(error: ChoiceError) -> None:
    """The error renders in the chat's language, what the user typed cut and escaped."""
    text = said(UI, error, html=True)
    assert "<" not in text.replace("<code>", "").replace("</code>", "")
    for value in error.values.values():
        if isinstance(value, str) and len(value) > ECHO_CHARS:
            assert value not in unescape(text)
    assert len(text) < 600


@given(WORDS)
def test_every_delivery_command_answers(args: list[str]) -> None:
    for parse in (parse_digest, parse_quiet, parse_timezone, parse_previews):
        result = answered(parse, args)
        if isinstance(result, ChoiceError):
            assert_said_clearly(result)


@given(HOSTILE)
def test_a_time_zone_is_a_known_zone_or_unknown(name: str) -> None:
    result = answered(parse_timezone, [name])
    if isinstance(result, DeliveryChange):
        assert isinstance(result.timezone, str)
        assert result.timezone.lower() == name.lower()
    else:
        assert_said_clearly(result)


@given(HOSTILE)
def test_phrases_are_checked_or_refused_clearly(text: str) -> None:
    try:
        phrases = split_phrases(text)
    except ChoiceError as error:
        assert_said_clearly(error)
        return
    assert all(0 < len(phrase) <= MAX_PHRASE for phrase in phrases)
    assert len(set(phrases)) == len(phrases)


@given(HOSTILE)
def test_lookups_of_what_a_user_typed_never_raise(text: str) -> None:
    resolve_topic(CATALOG, text)
    PLACES.resolve(text)
    country_code(text)
    km = parse_km(text)
    assert km is None or km >= 0


@given(HOSTILE, st.integers(1, 200))
def test_an_echo_is_cut_and_escaped(text: str, limit: int) -> None:
    echo = quoted(text, limit=limit)
    assert len(unescape(echo)) <= limit
    assert "<" not in echo
    assert ">" not in echo
