"""Statements found on the third tuning round: complaining, reassuring and talking to
journalists as speech, state security as security, "citing" an official, border chiefs by
name, states and the military speaking as bodies; and the traps kept out: monitoring groups
and think tanks reporting, "in Russia they called for", a state announcing a measure.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from tests.bot.matching.cases import topics


@pytest.mark.parametrize(
    "text",
    [
        # complaining, reassuring, talking to journalists
        "Министр обороны пожаловался, что соседи стягивают войска к границе.",
        "Міністр абароны паскардзіўся, што суседзі перакідваюць войскі бліжэй да мяжы.",
        "Командувач заспокоює: загрози наступу з півночі зараз немає.",
        "The defence minister sought to reassure residents that the army guards the frontier.",
        "Начальник Генштаба в разговоре с журналистами оценил угрозу со стороны НАТО.",
        "Генерал під час спілкування з журналістами оцінив загрозу вторгнення.",
        # state security as the subject
        "Президент написал, что решение принято ради государственной безопасности.",
        "«Рішення ухвалене в інтересах державної безпеки», — написав він.",
        # an official cited by a newspaper
        "Со ссылкой на министра обороны газета пишет о переброске двух батальонов.",
        "З посиланням на командувача видання пише про нові укріплення на кордоні.",
        # a border chief known by name
        "Молостов заявил, что на границе с Украиной неспокойно.",
        # a state, or the military, speaking as a body
        "Литва предупредила, что закроет границу при новой провокации.",
        "Польшча папярэдзіла, што адкажа на любую правакацыю на мяжы.",
        "Латвія заявила, що посилить оборону східного кордону.",
        "Poland warned that any new provocation at the border would meet a firm answer.",
        "The Latvian military said the new trenches are part of its defence plan.",
    ],
)
def test_statements_found(matcher: Matcher, text: str) -> None:
    assert "statements" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # a monitoring group or a think tank reporting, even when it cites officials
        "Мониторинговая группа сообщила, что Минобороны перебросило к границе колонну танков.",
        "Паводле маніторынгавай групы, Мінабароны перакінула да мяжы новыя войскі.",
        "Як повідомив моніторинговий проект, Генштаб перекинув полк ближче до кордону.",
        "The Institute for the Study of War reported, citing intelligence, that troops mass.",
        # someone in a state calling for something, not the state speaking
        "В Польше призвали ужесточить наказание за провокации у границы.",
        # a state announcing a measure is no statement
        "Lithuania announced that the road crossings would stay open for trucks all summer.",
        # a state beside a speech word on civil matters
        "Латвія заявила, що з осені підвищить пенсії та зарплати вчителям.",
        # the military in a civil sense beside a report
        "The military hospital reported a record number of flu patients this winter.",
    ],
)
def test_traps_stay_out(matcher: Matcher, text: str) -> None:
    assert "statements" not in topics(matcher, text)
