"""Severity: one ordered type, stored and printed as its word, ranked low < medium < high."""

from __future__ import annotations

import json

import pytest

from bot.matching import default_catalog
from bot.models import HIGH_PRIORITY, Severity, alert_priority


def test_severities_are_ordered_by_urgency_not_by_spelling() -> None:
    assert Severity.LOW < Severity.MEDIUM < Severity.HIGH
    assert Severity.HIGH > Severity.MEDIUM >= Severity.MEDIUM > Severity.LOW
    assert Severity.LOW <= Severity.LOW
    assert sorted([Severity.HIGH, Severity.LOW, Severity.MEDIUM]) == list(Severity)
    assert max(Severity.MEDIUM, Severity.HIGH, Severity.LOW) is Severity.HIGH
    assert min(Severity) is Severity.LOW
    assert [level.rank for level in Severity] == [0, 1, 2]


def test_a_severity_is_its_word_where_it_is_stored_or_shown() -> None:
    assert Severity.HIGH == "high"
    assert Severity("medium") is Severity.MEDIUM
    assert f"{Severity.LOW}" == "low"
    assert json.dumps({"severity": Severity.HIGH}) == '{"severity": "high"}'
    assert {"high": 1}[Severity.HIGH] == 1


def test_ordering_against_a_plain_word_is_refused() -> None:
    # "high" < "low" in the alphabet: a silent string comparison would get it backwards.
    with pytest.raises(TypeError):
        assert Severity.HIGH > "low"
    with pytest.raises(TypeError):
        assert Severity.HIGH > "low"


@pytest.mark.parametrize(
    ("word", "level"),
    [("high", Severity.HIGH), (" Medium ", Severity.MEDIUM), ("LOW", Severity.LOW)],
)
def test_words_users_type_are_parsed(word: str, level: Severity) -> None:
    assert Severity.parse(word) is level


@pytest.mark.parametrize("word", ["", "urgent", "hi", "низкая"])
def test_other_words_are_no_severity(word: str) -> None:
    assert Severity.parse(word) is None


def test_the_outbox_priority_follows_severity_and_keeps_its_stored_values() -> None:
    assert [alert_priority(level) for level in Severity] == [0, 1, 2]
    assert alert_priority(Severity.HIGH) == HIGH_PRIORITY


def test_the_catalog_reads_severities_as_the_type() -> None:
    for topic in default_catalog().topics:
        assert isinstance(topic.severity, Severity)
        assert all(isinstance(level, Severity) for level in topic.severities())
