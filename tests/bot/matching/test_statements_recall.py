"""Recall of the `statements` topic: officials known only by surname, capitals speaking for
their governments, speech forms the dictionary does not reduce, and statements whose only
security content is the border or the body that speaks; with the traps kept out.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from tests.bot.matching.cases import topics

# --- an official known by surname, in any case form and transliteration ---------------------


@pytest.mark.parametrize(
    "text",
    [
        "«Мы не собираемся ни на кого нападать», — подчеркнул Хренин.",
        "С Хрениным согласился и Муравейко: армия готова защитить страну, сказал он.",
        "Соседние страны стягивают войска к нашим рубежам, предупредил Вольфовича заместитель."
        " Вольфович заявил, что ответ будет.",
        "«Войскі гатовыя да любога развіцця падзей», — адзначыў Хрэнін.",
        "Мураўейка заявіў, што армія правядзе праверку баявой гатоўнасці.",
        "«Ми бачимо загрозу з півночі», — наголосив Демченко.",
        "Полк залишається на півночі країни, повідомив Сирський.",
        '"Our soldiers will guard every metre of it," Kosiniak-Kamysz told reporters.',
        '"The army is ready to respond to any provocation," Wolfowicz said.',
        "Nausėda warned that the alliance must strengthen its defence on the eastern flank.",
        "Tusk said more troops would be sent to protect the eastern frontier.",
    ],
)
def test_an_official_known_by_surname_speaking_of_security(matcher: Matcher, text: str) -> None:
    assert "statements" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # a surname-like word that is no official
        "Муравейник у дороги оказался самым большим в районе, рассказал лесник.",
        # an official known by name speaking of the harvest or of sport, not of security
        "Лукашенко сказал, что урожай зерна в этом году будет выше прошлогоднего.",
        "Зеленський привітав збірну з перемогою на чемпіонаті, сказавши, що пишається.",
        "Tusk said the new budget would raise wages for teachers next spring.",
    ],
)
def test_a_name_alone_is_no_statement_on_security(matcher: Matcher, text: str) -> None:
    assert "statements" not in topics(matcher, text)


# --- a capital standing for its government ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Минск заявил, что переброска войск к границе не угрожает соседям.",
        "Варшава предупредила о провокациях на государственной границе.",
        "Мінск паведаміў, што войскі вярнуліся ў месцы пастаяннай дыслакацыі.",
        "Київ заявив, що не бачить загрози наступу з території Білорусі для армії.",
        "Warsaw announced that more soldiers would patrol the border.",
        "Vilnius warned that the military threat from the east was growing.",
    ],
)
def test_a_capital_speaking_for_its_government(matcher: Matcher, text: str) -> None:
    assert "statements" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # a capital as a place beside a word of seeing, or in a civil story
        "Колонну военных грузовиков заметили у Минска, сообщили очевидцы.",
        "Minsk said the price of bread would rise again in the autumn.",
        "Варшава оголосила про новий фестиваль кіно в центрі міста.",
    ],
)
def test_a_capital_as_a_place_or_on_civil_matters(matcher: Matcher, text: str) -> None:
    assert "statements" not in topics(matcher, text)


# --- speech forms: passives, "назваць" -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "У Мінабароны заяўлена, што вучэнні пройдуць на паўночным захадзе краіны.",
        "У Генштабе паведамлена пра праверку войскаў.",
        "Лукашэнка назваў чуткі пра мабілізацыю выдумкай.",
        "Міністр оборони назвав скупчення військ біля кордону провокацією.",
        "В Минобороны было заявлено, что армия готова к обороне.",
    ],
)
def test_speech_forms(matcher: Matcher, text: str) -> None:
    assert "statements" in topics(matcher, text)


# --- security content: the border, the body that speaks --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Пограничники усилили охрану, заявил председатель Госпогранкомитета.",
        "Державний прикордонний комітет заявив, що охорону кордону посилено.",
        "The defence ministry said it would hold talks with its neighbours next month.",
        "«Сітуацыя спакойная», — адзначыў Дземчанка, кажучы пра мяжу з Беларуссю.",
        "The Security Council stressed that the state border must remain closed to intruders.",
    ],
)
def test_the_border_or_a_security_body_makes_a_statement_one_on_security(
    matcher: Matcher, text: str
) -> None:
    assert "statements" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # border guards on queues and passports, not on security
        "На границе скопилось четыреста фур, сообщили в ГПК.",
        "Для поїздки за кордон знадобиться закордонний паспорт, нагадали в уряді.",
        # analysts, companies, athletes and priests speaking of the war
        "Аналитик независимого центра сказал, что война может затянуться.",
        "The company said its drones would be shown at the trade fair next week.",
        "Митрополит заявил в проповеди, что война — это испытание для верующих.",
        "Спартсменка сказала, што вайна ў яе фільме паказана праўдзіва.",
    ],
)
def test_traps_stay_out(matcher: Matcher, text: str) -> None:
    assert "statements" not in topics(matcher, text)
