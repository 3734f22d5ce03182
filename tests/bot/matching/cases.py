"""Case tables for the frames tests: sentences written for a test and the topics expected.

A table is one test of one class of error. `finds(topic, texts)` is the test that the
matcher finds a topic (or each of a set of topics) in every sentence, `misses(topic, texts)`
that it finds it in none, `finds_nothing(texts)` that it finds no topic at all, and
`finds_each(cases)` pairs each sentence with the topic (or set of topics) it must bring.
Assign the test to its name in the test module, `test_… = finds("drills", [...])`; it
takes the `matcher` fixture of conftest.py, and `topics` serves the tests written out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from bot.matching import Matcher

Expected = str | set[str]  # one topic, or a set of topics all expected


def topics(matcher: Matcher, text: str) -> set[str]:
    """Return the topics the matcher finds in a text."""
    return set(matcher.classify(text).topics)


def _wanted(expected: Expected) -> set[str]:
    return {expected} if isinstance(expected, str) else expected


def finds(expected: Expected, texts: Sequence[str]) -> Callable[[Matcher, str], None]:
    """Make the test that every text brings the expected topics (and perhaps others)."""
    wanted = _wanted(expected)

    @pytest.mark.parametrize("text", texts)
    def test(matcher: Matcher, text: str) -> None:
        assert wanted <= topics(matcher, text)

    return test


def misses(topic: str, texts: Sequence[str]) -> Callable[[Matcher, str], None]:
    """Make the test that no text brings this topic (others may come)."""

    @pytest.mark.parametrize("text", texts)
    def test(matcher: Matcher, text: str) -> None:
        assert topic not in topics(matcher, text)

    return test


def finds_nothing(texts: Sequence[str]) -> Callable[[Matcher, str], None]:
    """Make the test that no text brings any topic."""

    @pytest.mark.parametrize("text", texts)
    def test(matcher: Matcher, text: str) -> None:
        assert topics(matcher, text) == set()

    return test


def finds_each(
    cases: Sequence[tuple[str, Expected]],
) -> Callable[[Matcher, str, Expected], None]:
    """Make the test that each text brings the topics paired with it (and perhaps others)."""

    @pytest.mark.parametrize(("text", "expected"), cases)
    def test(matcher: Matcher, text: str, expected: Expected) -> None:
        assert _wanted(expected) <= topics(matcher, text)

    return test
