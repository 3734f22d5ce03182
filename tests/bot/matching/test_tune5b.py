"""Deployments, air and statements found on the tune5b round (a fresh uk/en batch):
military aircraft deployed, stationed or based somewhere; forces kept somewhere ("holds
forces"); an aviation component or grouping named as such; a quote attributed to a person
named alone; Ukraine's Volyn front named after its region; and the traps kept out: aircraft
delivered or flying, drones in farming, witnesses and experts quoted.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from tests.bot.matching.cases import finds, misses

# military aircraft deployed, stationed or based: a deployment, in every language
test_aircraft_deployed = finds(
    "deployments",
    [
        "Moscow has deployed six more fighter jets to an airfield near the Polish border.",
        "Two attack helicopters will be stationed at the base outside Pinsk until spring.",
        "Россия разместит в Беларуси ещё восемь истребителей до конца года.",
        "На аэрадроме пад Лідай дыслакаваныя расійскія знішчальнікі.",
        "На аеродромі поблизу Гомеля розмістили ще чотири бойові гелікоптери РФ.",
        "A squadron of bombers is now based in the south of Belarus, the ministry said.",
    ],
)

# delivered, flying over or merely arriving is no deployment of aircraft
test_aircraft_not_deployed = misses(
    "deployments",
    [
        "The air force received two new fighter jets under the supply contract.",
        "A drone flew across the border and crashed in a field.",
        "Пограничники не фиксируют размещения новых истребителей у границы.",
    ],
)

# forces kept somewhere: "holds forces", "keeps troops"
test_forces_kept = finds(
    "deployments",
    [
        "Minsk keeps troops near the Lithuanian border all year round, the report says.",
        "Москва держит войска в Беларуси уже третий год.",
        "Мінск трымае сілы каля мяжы з Польшчай.",
        "Росія тримає війська на півночі Білорусі, заявив речник.",
    ],
)

# an aviation component or grouping named as such is military aviation
test_aviation_component = finds(
    "air",
    [
        "The air component of the joint force will arrive next week.",
        "Авиационная составляющая группировки прибудет в Беларусь в понедельник.",
        "Авіяцыйная групоўка Расіі ў Беларусі скарацілася.",
        "Авіаційне угруповання РФ у Білорусі поповнилося.",
    ],
)

# drones in farming are no military aviation
test_farm_drones = misses(
    "air",
    [
        "Farmers in the region bought four agricultural drones for crop spraying.",
        "Фермер купил сельскохозяйственный дрон для обработки полей.",
        "Аграрії області отримали нові сільськогосподарські дрони.",
    ],
)

# a quote attributed to a person named by name alone (introduced before as an official)
test_quote_named_alone = finds(
    "statements",
    [
        "«Батальоны останутся у границы до весны», — сказал Кравцов.",
        "«Войскі застануцца на палігоне яшчэ тыдзень», – заявіў Андрэй Навумчык.",
        '"Загроза наступу з півночі зберігається", - наголосив Коваленко.',
        "“The troops will stay near the border through the winter,” Nowak said.",
        "“The army sees no threat from Belarus,” Anna Maria Kowalska stressed.",
    ],
)

# a witness, an expert or an athlete quoted is no official; nor is a name not closing
# the attribution, nor a verb of speech without a quote before it
test_quote_not_official = misses(
    "statements",
    [
        "«Танки шли всю ночь к границе», — рассказал местный житель Иван.",
        '"Армія не готова до наступу", - вважає військовий експерт Петренко.',
        "“The troops left the border camp at dawn,” said Kowalski, a local resident.",
        "Kravtsov reported that the troops left the border camp at dawn.",
    ],
)


# units performing tasks at the border itself are stationed there
test_units_on_duty_at_the_border = finds(
    "deployments",
    [
        "Отдельные подразделения продолжают выполнять задачи на границе с Украиной.",
        "Падраздзяленні працягваюць выконваць задачы на мяжы з Літвой.",
        "Визначені підрозділи виконують завдання на кордоні з Україною.",
        "Several units continue to perform tasks at the border with Poland.",
    ],
)

# border guards' own units on duty are the border's business, not a deployment
test_border_guard_units_on_duty = misses(
    "deployments",
    [
        "Подразделения пограничной службы выполняют задачи на границе в обычном режиме.",
    ],
)

# a military echelon sent, arriving or unloaded is a deployment
test_military_echelon_moving = finds(
    "deployments",
    [
        "Воинский эшелон из двадцати вагонов прибыл на станцию под Слуцком ночью.",
        "Вайсковы эшалон адправілі са станцыі Барысаў на поўдзень краіны.",
        "Військовий ешелон вирушив зі станції Орша у напрямку Гомеля.",
        "A military echelon of 40 cars arrived at a station near Baranavichy on Sunday.",
    ],
)

# an echelon of grain, or one handed over, is no deployment
test_echelon_not_deployed = misses(
    "deployments",
    [
        "Эшелон с зерном прибыл на станцию Жлобин утром.",
        "Ешелон із добривами вирушив зі станції Калинковичі.",
        "Belarus handed over two echelons of military equipment to Russia.",
    ],
)


# Ukraine's front with Belarus named after the Volyn region is that region
@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("На Волинському напрямку ситуація не змінилася, повідомили в штабі.", "Volyn"),
        ("Військові на волинському напрямку посилили охорону кордону.", "Volyn"),
        ("На Волынском направлении изменений не отмечено.", "Volyn"),
        ("Ukraine's General Staff reported no changes in the Volyn direction.", "Volyn"),
        ("Над Волинню збили два дрони.", "Volyn"),
    ],
)
def test_the_volyn_direction_is_the_region(matcher: Matcher, text: str, place: str) -> None:
    assert place in matcher.classify(text).places
