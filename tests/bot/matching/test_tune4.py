"""Statements and places found on the fourth tuning round (the former locked part): a
notifying ministry, a regional head, a serving colonel, a dictator named by his title,
feminine titles, a defence-capability subject, provoking, an ambassador's headline, the
episodes of an exercise; and the traps kept out: a retired colonel commenting, a film's
episode, a premiere.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from tests.bot.matching.cases import topics


@pytest.mark.parametrize(
    "text",
    [
        # a ministry notifying, an official drawing attention, one indignant
        "В Минобороны уведомили соседей о переброске двух батальонов к границе.",
        "Ваенкам звяртае ўвагу прызыўнікоў, што зборы пачнуцца ў панядзелак на палігоне.",
        "Министр возмутился вопросом о войне и сказал, что армия готова.",
        # a regional head, a mayor
        "«Беспилотник сбит над городом», — сообщил глава области.",
        "The mayor said two drones were shot down by air defence overnight.",
        # a serving colonel
        "Палкоўнік Іван Сідарчук заявіў, што батальён застанецца на мяжы.",
        "Полковник Петро Бондар наголосив, що загроза наступу з півночі зберігається.",
        # the head of state named by a title
        "Белорусский диктатор опроверг слухи о мобилизации.",
        "Беларускі дыктатар абвергнуў чуткі пра ядзерную зброю.",
        "Білоруський диктатор заявив, що армія готова до війни.",
        # feminine titles
        "Прем'єрка повідомила, що уряд закриває кордон через провокації.",
        "Міністерка оборони наголосила на загрозі з боку Росії.",
        # a foreign head of state by name, defence capability as the subject
        "«Мы ўзмацняем абараназдольнасць краіны», — падкрэсліў Дуда.",
        "Duda stressed that NATO must strengthen its defence capability.",
        # provoking
        "Начальник Генштаба подчеркнул: манёвры проведут вдали, чтобы не провоцировать соседей.",
        # an ambassador's headline, three words of post before the colon
        "Пасол Украіны ў Беларусі: пагрозу мы бачым у сумеснай групоўцы войскаў.",
        # the episodes of an exercise are no film's
        "Генерал адзначыў, што асноўныя эпізоды вучэнняў пройдуць далёка ад мяжы.",
        # an official communication, "official" inside the phrase
        "— отмечается в официальном сообщении о проверке боеготовности.",
        "— адзначаецца ў афіцыйным паведамленні пра зборы вайскоўцаў.",
        # a deputy chief of staff known by name
        "Hromov said the threat of an offensive from the north remains low.",
    ],
)
def test_statements_found(matcher: Matcher, text: str) -> None:
    assert "statements" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # a retired or former colonel is a commentator
        "Полковник в отставке заявил, что армия не готова к войне.",
        "Былы палкоўнік лічыць, што вайна будзе доўгай.",
        "A retired colonel said the war would drag on.",
        # a film's episode, a premiere
        "Режиссер рассказал, что эпизод фильма о войне снимали в Минске.",
        "Прем'єра фільму про війну: режисер розповів про зйомки.",
    ],
)
def test_statements_kept_out(matcher: Matcher, text: str) -> None:
    assert "statements" not in topics(matcher, text)


def test_premier_is_no_premiere(matcher: Matcher) -> None:
    """A woman premier's feminine title is not vetoed as a film's premiere."""
    found = topics(matcher, "Прем'єр-міністерка заявила, що кордон закрито через провокацію.")
    assert "statements" in found


@pytest.mark.parametrize(
    "text",
    [
        "Visitors to the cultural complex watched armoured vehicles in a staged 1943 battle.",
        "Guests saw the reconstruction of a wartime river crossing with tanks and artillery.",
        "Міністр сказав, що очне навчання у прикордонних громадах поки неможливе.",
    ],
)
def test_staged_battles_and_schooling_are_no_military_news(matcher: Matcher, text: str) -> None:
    found = topics(matcher, text)
    assert not found & {"drills", "equipment"}


@pytest.mark.parametrize(
    "text",
    [
        "Сапёры навели мосты через реки Неман и Березина у самой границы.",
        "Понтонери тренувалися біля річок Німан та Березина.",
    ],
)
def test_second_of_two_rivers_is_no_town(matcher: Matcher, text: str) -> None:
    assert "Bierazino" not in matcher.classify(text).places


def test_town_after_a_river_word_elsewhere_is_kept(matcher: Matcher) -> None:
    text = "Колонна прошла вдоль реки Неман и остановилась в Березино."
    assert "Bierazino" in matcher.classify(text).places
