"""Topic frames for the kinds of report the tune4 set showed were missed or misfiled, and the
traps beside them.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher, default_matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def topics(matcher: Matcher, text: str) -> set[str]:
    return set(matcher.classify(text).topics)


FOUND = [
    # something shot down in the air
    ("Над Полесьем зенитчики сбили разведывательный беспилотник.", "air"),
    ("Учора над возерам быў збіты невялікі самалёт.", "air"),
    ("Минулої ночі над областю збито повітряну ціль.", "air"),
    ("A helicopter was shot down over the river on Monday.", "air"),
]

TRAPS = [
    # knocking a man down, beating him, bringing a price down: nothing in the air
    ("Вечером на переходе водитель сбил пешехода.", "air"),
    ("Падчас затрымання ахоўнікі збілі мужчыну з ног.", "air"),
    ("Продавці збили ціну на кавуни вдвічі.", "air"),
    ("The shopper was knocked over and the price shot down overnight.", "air"),
]


@pytest.mark.parametrize(("text", "topic"), FOUND)
def test_reports_are_found(matcher: Matcher, text: str, topic: str) -> None:
    assert topic in topics(matcher, text)


@pytest.mark.parametrize(("text", "topic"), TRAPS)
def test_traps_stay_out(matcher: Matcher, text: str, topic: str) -> None:
    assert topic not in topics(matcher, text)
