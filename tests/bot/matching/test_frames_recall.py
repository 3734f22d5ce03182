"""Recall of frames on text the catalog was not tuned on: every form of a verb, and families
of words in all four languages rather than listed pairs.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher, default_matcher
from bot.matching.matcher import normalize_phrase


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def topics(matcher: Matcher, text: str) -> set[str]:
    return set(matcher.classify(text).topics)


# --- "to reach" names the verb in every form; a bare "reach" stays the noun ----------------


def test_to_before_an_english_word_names_the_verb() -> None:
    assert normalize_phrase("to reach", "en") == ("reach|v",)
    assert normalize_phrase("to pull out", "en") == ("pull|v", "out|n")
    assert normalize_phrase("reach", "en") == ("reach|n",)
    # "to" before a word that is no verb is an ordinary word of the phrase
    assert normalize_phrase("to the border", "en")[0] != "the|v"


@pytest.mark.parametrize(
    "text",
    [
        "Russian soldiers are reaching the outskirts of Orsha by now.",
        "Another battalion is crossing into Belarus near Mazyr.",
        "Moscow is dispatching paratroopers to the Brest region.",
        "The regiment reaches Slutsk tomorrow, local residents say.",
        "Troops were pulling out of the Gomel region overnight.",
    ],
)
def test_every_form_of_a_movement_verb_makes_deployments(matcher: Matcher, text: str) -> None:
    assert "deployments" in topics(matcher, text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("The ministry is stressing that the army stays in its barracks.", "statements"),
        ("Russia was launching Iskander missiles from the Bryansk region.", "missiles"),
        ("Poland is sealing the border crossings with Belarus for a week.", "border"),
    ],
)
def test_every_form_of_other_verbs_counts(matcher: Matcher, text: str, topic: str) -> None:
    assert topic in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "The runner is reaching the finish line in Minsk.",
        "She was dispatching parcels from the post office all morning.",
        "A tank of water was crossing the yard on a tractor.",
    ],
)
def test_movement_verbs_without_forces_are_no_deployment(matcher: Matcher, text: str) -> None:
    assert "deployments" not in topics(matcher, text)
