"""Border frames for the kinds of report the border7 set showed were missed or misfiled:
illegal migration channels broken up by border groups, the Ukrainian «держрубіж», the defence
of a border stretch inspected; and the traps beside them (queues reported by border guards,
a border-service championship opened, Border Guard Day, visits to a border zone allowed, the
interwar border).

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from tests.bot.matching.cases import topics


@pytest.mark.parametrize(
    "text",
    [
        # an illegal migration channel closed by a border group or border guards
        "Брестская пограничная группа вместе с милицией пресекла канал незаконной миграции "
        "в Польшу.",
        "Лідская пагранічная група спыніла канал незаконнай міграцыі ў Латвію.",
        "Прикордонники Волинського загону припинили канал нелегальної міграції до Польщі.",
        "Border guards in Podlasie broke up a ring organising illegal migration from Belarus.",
        # the state border under another Ukrainian name, fortified
        "Уся ділянка держрубежу на Рівненщині вкрита мінно-вибуховими загородженнями.",
        # the defence of a border stretch inspected or reinforced
        "Захист кордону з Білоруссю на Житомирщині перевірив командувач сил оборони.",
        "Защиту границы с Беларусью на Волыни усилили дополнительными группами.",
        # border guards reporting on a crossing, with the queue elsewhere
        "Начальник Пинского погранотряда:\nЧерез пункт пропуска Мохро сейчас проходят "
        "единицы граждан, мы оформляем всех без задержек.",
    ],
)
def test_migration_channels_and_border_defence_are_border(matcher: Matcher, text: str) -> None:
    assert "border" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # queues and trucks at a crossing, the border guards only the source
        "В пункте пропуска «Ягодин» снова скопление легковушек на выезд. "
        "Об этом сообщили в погранслужбе.",
        "В пункте пропуска «Рава-Русская» въезда ждут 90 грузовых автомобилей. "
        "По данным пограничников, очередь за сутки не изменилась.",
        "У пункті пропуску «Устилуг» на виїзд чекають 40 вантажівок. "
        "Про це повідомили прикордонники.",
        # a championship of a border service opened
        "В Гродно состоялось открытие чемпионата пограничной службы по мини-футболу.",
        # Border Guard Day: greetings, wreaths, the holiday's history
        "28 мая пограничники отмечают профессиональный праздник — День пограничника, "
        "поздравления принимают ветераны, охранявшие границу.",
        "Сьогодні День прикордонника — свято тих, хто охороняє державний кордон.",
        "Сёння Дзень памежніка — свята тых, хто ахоўвае дзяржаўную мяжу.",
        "Veterans and cadets laid flowers at the memorial on Border Guard Day, "
        "greetings came from the State Border Committee.",
        # visits to a border zone allowed, without a pass
        "Жителям соседних районов разрешат посещение пограничной зоны без пропуска.",
        "Турыстам дазволена наведванне памежнай зоны без пропуску.",
        # the interwar border and its guards
        "З 1924 года на старой мяжы неслі службу савецкія памежныя войскі.",
        "Since 1924 Soviet border troops guarded the old frontier near Zaslawye.",
    ],
)
def test_queues_holidays_access_and_history_are_not_border(matcher: Matcher, text: str) -> None:
    assert "border" not in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # activity near the border recorded, or not observed, by those who watch it
        "Біля нашого кордону активності з боку Білорусі наразі не фіксується.",
        "Движения техники у границы с Украиной пограничные наряды не фиксируют.",
        "Каля мяжы з Літвой памежнікі назіраюць актыўнасць невядомых груп.",
        "Near our border we do not observe any movement of troops, the spokesman said.",
        # a military presence on the border
        "Латвія закликала Білорусь скоротити військову присутність біля кордону.",
        "Vilnius asked Minsk to reduce its military presence on the border with Lithuania.",
        # the Lithuanian service by its Russian name
        "Служба охраны госграницы Литвы сообщила о задержании группы нарушителей.",
    ],
)
def test_activity_presence_and_baltic_services_are_border(matcher: Matcher, text: str) -> None:
    assert "border" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # a festival named for the border; the patriotic formula in a song contest or sport
        "Фестиваль песни «Песни границы» собрал пограничников со всех отрядов.",
        "Гродненские пограничники не только охраняют рубежи нашей Родины, но и поют в хоре.",
        "Прикордонники, що охороняють рубежі нашої Батьківщини, стали переможцями конкурсу пісні.",
        # a contest of border teams
        "Для участия в состязаниях в Брест прибыли команды пограничного ведомства, "
        "охраняющие границу.",
        # activity at a crossing that is queues and travel
        "На границе с Польшей фиксируют рост очередей из фур.",
    ],
)
def test_songs_contests_queues_and_weather_are_not_border(matcher: Matcher, text: str) -> None:
    assert "border" not in topics(matcher, text)
