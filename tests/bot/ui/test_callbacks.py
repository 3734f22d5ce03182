"""The callback-data codec: every kind of button reads back what it wrote, the strings of
buttons already sent keep their meaning, and nothing else decodes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import Delivery, QuietMode, Severity
from bot.ui import callbacks
from bot.ui.callbacks import (
    MAX_BYTES,
    AskKeywords,
    AskPlace,
    AskZone,
    Button,
    ChooseBorder,
    ClearKeywords,
    Close,
    DraftCancel,
    DraftConfirm,
    DraftDecision,
    DraftKeepPlaces,
    DraftNext,
    DraftNoPlace,
    DraftSeverity,
    DraftStep,
    DraftTopic,
    FeedbackPage,
    FlagTap,
    LanguageChoice,
    LatestPage,
    NotRelevant,
    QuietOff,
    Section,
    SetAnywhere,
    SetBorder,
    SetDelivery,
    SetDigestHour,
    SetLanguage,
    SetNear,
    SetPreviews,
    SetQuiet,
    SetQuietMode,
    SetRegion,
    SetSeverity,
    SettingsTap,
    SetTopic,
    SetZone,
    Show,
    SourcesPage,
    StatusChart,
    StatusMap,
    ToggleUrgent,
    TopicToggle,
    UndoNotRelevant,
    WhyAlert,
    decode,
    pattern,
)
from tests.helpers.buttons import SENT_BEFORE

topic_ids = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
codes = st.from_regex(r"[a-z]{2}", fullmatch=True)
draft_ids = st.integers(1, 2**63 - 1)
indexes = st.integers(0, 99)
kms = st.integers(1, 1000)
story_ids = st.integers(1, 2**63 - 1)

# One strategy per kind of button; test_every_kind_has_a_strategy keeps it complete.
BUTTONS: dict[type[Button], st.SearchStrategy[Button]] = {
    LanguageChoice: st.builds(LanguageChoice, codes),
    TopicToggle: st.builds(TopicToggle, topic_ids),
    StatusChart: st.just(StatusChart()),
    StatusMap: st.just(StatusMap()),
    LatestPage: st.builds(LatestPage, st.none() | topic_ids, st.integers(0, 2**31 - 1)),
    SourcesPage: st.builds(SourcesPage, st.integers(0, 2**31 - 1)),
    DraftTopic: st.builds(DraftTopic, draft_ids, topic_ids),
    DraftNext: st.builds(DraftNext, draft_ids),
    DraftKeepPlaces: st.builds(DraftKeepPlaces, draft_ids),
    DraftNoPlace: st.builds(DraftNoPlace, draft_ids),
    DraftSeverity: st.builds(DraftSeverity, draft_ids, st.none() | st.sampled_from(Severity)),
    DraftConfirm: st.builds(DraftConfirm, draft_ids),
    DraftCancel: st.builds(DraftCancel, draft_ids),
    Show: st.builds(Show, st.sampled_from(Section)),
    Close: st.just(Close()),
    SetTopic: st.builds(SetTopic, topic_ids),
    SetSeverity: st.builds(SetSeverity, st.sampled_from(Severity)),
    AskKeywords: st.just(AskKeywords()),
    ClearKeywords: st.just(ClearKeywords()),
    SetRegion: st.builds(SetRegion, indexes),
    AskPlace: st.just(AskPlace()),
    SetNear: st.builds(SetNear, kms),
    ChooseBorder: st.builds(ChooseBorder, codes),
    SetBorder: st.builds(SetBorder, codes, kms),
    SetAnywhere: st.just(SetAnywhere()),
    SetDelivery: st.builds(SetDelivery, st.sampled_from(Delivery)),
    SetDigestHour: st.builds(SetDigestHour, st.integers(0, 23)),
    SetZone: st.builds(SetZone, indexes),
    AskZone: st.just(AskZone()),
    QuietOff: st.just(QuietOff()),
    SetQuiet: st.builds(SetQuiet, st.from_regex(r"[0-9]{2}-[0-9]{2}", fullmatch=True)),
    SetQuietMode: st.builds(SetQuietMode, st.sampled_from(QuietMode)),
    ToggleUrgent: st.just(ToggleUrgent()),
    SetLanguage: st.builds(SetLanguage, codes),
    SetPreviews: st.builds(SetPreviews, st.booleans()),
    WhyAlert: st.builds(WhyAlert, story_ids),
    NotRelevant: st.builds(NotRelevant, story_ids),
    UndoNotRelevant: st.builds(UndoNotRelevant, story_ids),
    FeedbackPage: st.builds(FeedbackPage, st.integers(0, 2**31 - 1)),
}
any_button = st.one_of(*BUTTONS.values())


def test_every_kind_has_a_strategy() -> None:
    assert set(BUTTONS) == set(callbacks.kinds())


@pytest.mark.parametrize(("data", "button"), SENT_BEFORE.items(), ids=list(SENT_BEFORE))
def test_buttons_already_sent_keep_their_meaning(data: str, button: Button) -> None:
    assert decode(data) == button
    assert button.encode() == data


def test_every_kind_of_button_was_sent_before() -> None:
    assert {type(button) for button in SENT_BEFORE.values()} == set(callbacks.kinds())


@given(any_button)
def test_a_button_reads_back_as_itself(button: Button) -> None:
    data = button.encode()
    assert len(data.encode()) <= MAX_BYTES
    assert data.isascii()
    assert decode(data) == button


@given(st.text(max_size=80))
def test_only_what_encode_writes_decodes(data: str) -> None:
    button = decode(data)
    assert button is None or button.encode() == data


@given(any_button, st.text(min_size=1, max_size=3))
def test_extra_or_changed_parts_do_not_decode_as_the_same_button(
    button: Button, extra: str
) -> None:
    data = button.encode()
    for tampered in (data + ":" + extra, data + extra, extra + data):
        found = decode(tampered)
        assert found is None or found.encode() == tampered


@pytest.mark.parametrize(
    "data",
    [
        "",
        ":",
        "set",
        "set:",
        "set:nothing",
        "set:tp:Drills",  # topic ids are lower case
        "set:pl:rg:²",  # a digit to str.isdigit, not to int()
        "set:pl:rg:٣",  # an Arabic-Indic three, which int() would take
        "lt:*:５",  # a full-width five
        "pd:１:next",
        "set:pl:rg:100",  # out of bounds
        "set:dl:h:24",
        "set:dl:h:-1",
        "set:dl:h:+1",
        "set:dl:h:09",  # not how encode writes nine
        "set:dl:h: 9",
        "set:pl:nk:1_0",
        "set:pl:nk:0",
        "dr:0:ok",
        f"dr:{2**63}:ok",  # beyond SQLite's integers
        "dr:99999999999999999999999999:ok",
        "dr:12:maybe",
        "dr:12",
        "pd:12:s:urgent",
        "pd:12:s:",
        "lt:*",
        "lt:*:5:6",
        "set:pv:yes",
        "set:sv:HIGH",
        "set:qt:p:23-7",
        "t:drills\n",
        "t:" + "a" * 63,  # over 64 bytes
        "t:дрилз",
        "why:0",  # story ids start at 1
        "why:-3",
        "nr:7:redo",
        "nr:7:undo:7",
        f"nr:{2**63}",
        "fb:-5",
    ],
)
def test_malformed_data_decodes_to_nothing(data: str) -> None:
    assert decode(data) is None


def test_what_is_not_a_string_decodes_to_nothing() -> None:
    assert decode(None) is None
    assert decode(b"t:drills") is None
    assert decode(TopicToggle("drills")) is None


def test_a_button_that_does_not_fit_is_refused_when_written() -> None:
    with pytest.raises(ValueError, match="callback data"):
        DraftTopic(2**62, "a" * 48).encode()
    with pytest.raises(ValueError, match="callback data"):
        SetDigestHour(24).encode()  # out of bounds: it would not read back
    with pytest.raises(ValueError, match="callback data"):
        TopicToggle("Drills").encode()


def test_patterns_take_their_kinds_and_subclasses_only() -> None:
    settings, drafts = pattern(SettingsTap), pattern(DraftStep)
    assert settings("set:pl:bk:ua:50")
    assert settings("set:main")
    assert not settings("t:drills")
    assert not settings("set:pl:rg:²")
    assert drafts("pd:3:next")
    assert not drafts("dr:3:ok")
    assert pattern(DraftDecision)("dr:3:no")
    assert pattern(TopicToggle)("t:drills")
    assert not pattern(TopicToggle)(None)
    flags = pattern(FlagTap)  # "Not relevant" and its undo, never "Why this alert?"
    assert flags("nr:5")
    assert flags("nr:5:undo")
    assert not flags("why:5")
