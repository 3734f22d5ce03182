"""Recall of the `border` topic in all four languages, łacinka too, and the traps it must keep
out: customs queues, visa rules, passenger trains, smuggling trials, weather, figurative
borders, sports crossings, and "border" inside the name of a border service.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from tests.bot.matching.cases import topics


@pytest.mark.parametrize(
    "text",
    [
        # Belarusian border-service words, academic and classical spellings, and łacinka
        "Пагранічнікі на Брэстчыне затрымалі двух парушальнікаў.",
        "Дзяржпагранкамітэт паведаміў, што на мяжы з Літвой усё спакойна.",
        "Дзяржпамежкамітэт не пусціў у краіну некалькі сотняў замежнікаў.",
        "Памежнікам давялося прымяніць зброю супраць парушальнікаў.",
        "Улады кажуць, што мяжу з Украінай ніхто не зачыняў.",
        "Беларускія вайскоўцы замінавалі дарогі каля мяжы з Украінай.",
        "Biełaruskija pamiežniki ŭzmacnili achovu dziaržaŭnaj miažy z Polščaj.",
        "Dziaržaŭny pamiežny kamitet paviedamiŭ, što pamiežniki zatrymali parušalnikaŭ.",
        # Ukrainian closure verbs and cross-border traffic
        "Литва замкнула обидва пункти пропуску на кордоні з Білоруссю.",
        "Рух через кордон призупинено до окремого розпорядження.",
        "Уряд оголосив про припинення транскордонного руху для вантажівок.",
        "Перетин кордону для автомобілів тимчасово заборонено.",
        "Прем'єр вирішив призупинити з понеділка рух на польсько-литовському прикордонному "
        "переході біля Сейн.",
        "Пункт пропуску на Одещині зазнав серйозних пошкоджень після обстрілу.",
        # more troops on the border, strengthening it
        "Міністр наказав збільшити кількість військових на кордоні з Білоруссю.",
        "Warsaw decided to double the number of soldiers along the eastern border.",
        "Польша увеличит число военнослужащих на границе с Беларусью.",
        "Білорусь продовжує зміцнення кордону на півдні.",
        "Підрозділи противника залишаються на посиленні кордону.",
        "The agency said that its border service units had been beefed up.",
        "Власти направили армейские подразделения и солдат на помощь пограничникам.",
        # border works without a works noun next to the border
        "Latvian soldiers finished the placement of dragon's teeth near Daugavpils.",
        "На півночі Волині встановили протитанкові їжаки та зуби дракона.",
        "В Литве военные начали установку противотанковых ежей.",
        # airspace closed along the border, entry restricted to a border area
        "Poland declared a no-fly zone along its entire border with Belarus.",
        "Литва запровадила зону заборони польотів уздовж кордону з Білоруссю.",
        "Officials restricted entry into three districts close to the border with Ukraine.",
        "Border guards stopped the bishop from returning home.",
    ],
)
def test_border_reports_are_found(matcher: Matcher, text: str) -> None:
    assert "border" in topics(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        # customs, queues, visas, trains
        "На пункте пропуска «Брузги» в очереди стоят 700 фур, проезд легковых открыт.",
        "На пункце пропуску «Беняконі» чарга з фур расце другі дзень, пропуск адкрыты.",
        "У пункті пропуску «Ягодин» черга з вантажівок, пункт працює у звичайному режимі.",
        "ГПК: очередь из фур на въезд в Литву растет, пункт работает и открыт круглосуточно.",
        "Belarus extended visa-free entry for Polish citizens until the end of the year.",
        "Пассажирский поезд Минск — Вильнюс снова будет ходить по расписанию.",
        # smuggling trials, weather, figurative borders, sport
        "Суд в Гродно приговорил контрабандиста сигарет к трем годам колонии.",
        "Синоптики обещают сильный снег у границы с Литвой в выходные.",
        "He was on the border between life and death after the accident.",
        "Мяжа паміж дабром і злом у гэтым рамане вельмі тонкая.",
        "The marathon runners are crossing the finish line in Minsk.",
        # "border" in a border service's name is no border, "guard" in it no guarding
        "Contrary to a claim by the Border Guard Service, no mercenaries were seen in Belarus.",
    ],
)
def test_border_traps_stay_out(matcher: Matcher, text: str) -> None:
    assert "border" not in topics(matcher, text)
