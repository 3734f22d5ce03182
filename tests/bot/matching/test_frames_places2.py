"""Topic frames for the kinds of report the places2 set showed were missed or misfiled:
exercises played out and training grounds in use, territorial troops' camps, aircraft
rebased, troop groups; and the traps beside them (a film's episode, a waste tip, a sports
camp, a military town as an address, the Soviet past, trenches dug for vehicles).

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from tests.bot.matching.cases import topics


@pytest.mark.parametrize(
    "text",
    [
        # a tactical episode, or tactical actions, played out
        "Во вторник на Лепельском полигоне проведут розыгрыш тактического эпизода "
        "по обороне переправы.",
        "На палігоне пад Слонімам адбыўся розыгрыш тактычнага эпізоду з удзелам мотастрэлкаў.",
        "Later the company will play out a tactical episode of a river crossing.",
        "Наступного дня відбудеться розіграш тактичного епізоду із застосуванням артилерії.",
        "Сегодня под Слуцком – розыгрыш тактических действий по обороне аэродрома.",
        # training grounds working, or booked until a date
        "The Slonim and Lida training grounds worked over the weekend as well.",
        "Полігони під Лідою та Слонімом працюють без вихідних.",
        "Полигон под Слонимом будет задействован до 12.10.",
        "Полигон «Северный» (Лидский район) до 14.05;\n"
        "• Полигон «Южный» (Мозырский район) до 16.05;",
        "Kruhlaye training ground (Kruhlaye district) until 02.06;\n"
        "• Slonim training ground (Slonim district) until 04.06;",
        # units and armour sent to a training ground
        "Инженерные подразделения перебросят на полигон под Лидой.",
        "На полигон под Лидой завезли десятки танков и гаубиц.",
        # camps of territorial troops, and their practice beside the police and rescuers
        "Сборы с военнообязанными территориальных войск пройдут в Лидском районе с 3 по 7 июня.",
        "Збори територіальних військ Слонімського району триватимуть тиждень.",
        "Зборы тэрытарыяльных войскаў пачнуцца ў Лідскім раёне.",
        "Территориальные войска вместе с МЧС и милицией отработают охрану моста в Лиде.",
        # practical tasks against an enemy; gunfire heard
        "Небольшие подразделения будут выполнять практические задачи по отражению условного "
        "противника под Лидой.",
        "Під Лідою лунала канонада: військові проводять стрільби.",
    ],
)
def test_exercises_played_out_and_training_grounds_in_use_are_drills(
    matcher: Matcher, text: str
) -> None:
    assert "drills" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "Самый сильный эпизод фильма — танковая атака под Прохоровкой.",
        "Эпизод сериала снимали на бывшем полигоне.",
        "The football club's training ground will stay open until 20 May.",
        "Полигон бытовых отходов под Лидой работает без выходных.",
        "Сборы сборной по биатлону пройдут в Раубичах.",
        "Сборы волонтёров пройдут в Лиде в субботу.",
    ],
)
def test_films_waste_tips_and_sports_camps_are_no_drills(matcher: Matcher, text: str) -> None:
    assert "drills" not in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "Шесть истребителей Су-30СМ перебазировались с аэродрома Лида на аэродром Барановичи.",
        "Eight Su-25 attack aircraft were redeployed from Lida to Baranovichi.",
        "Чотири винищувачі Су-30СМ перебазували з Лідського аеродрому до Барановичів.",
    ],
)
def test_aircraft_rebased_between_airfields_are_deployments(matcher: Matcher, text: str) -> None:
    assert {"deployments", "air"} <= topics(matcher, text)


def test_aircraft_arriving_stay_air_alone(matcher: Matcher) -> None:
    # the labels file aircraft that merely arrive under air, not under deployments
    found = topics(matcher, "Два истребителя Су-30 прибыли на аэродром под Барановичами.")
    assert found == {"air"}


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("The minister spoke of troop groups in the Brest and Pinsk directions.", "deployments"),
        ("К Лиде пригнали около 50 танков.", "deployments"),
        ("Вайсковы эшалон адпраўлены са станцыі Ліда.", "equipment"),
        ("Лётчики отработали вывод из-под удара самолетов.", "air"),
        (
            "Another battalion is crossing into Belarus near the checkpoint at Kozlovichi.",
            "deployments",
        ),
        ("Под Поставами хранят ядерное оружие.", "missiles"),
    ],
)
def test_groups_armour_echelons_and_dispersal(matcher: Matcher, text: str, topic: str) -> None:
    assert topic in topics(matcher, text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Автобус до военного городка Заслоново ходит дважды в день.", "deployments"),
        ("В советское время под Поставами хранили ядерное оружие.", "missiles"),
        ("Soldiers dug trenches for equipment near Lida.", "equipment"),
        ("The military guarded the road leading to the border crossing at Bruzgi.", "deployments"),
    ],
)
def test_addresses_the_soviet_past_and_dug_positions_are_traps(
    matcher: Matcher, text: str, topic: str
) -> None:
    assert topic not in topics(matcher, text)
