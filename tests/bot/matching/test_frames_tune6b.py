"""Topic frames for the kinds of report the tune6b set showed were missed or misfiled
(deployments, equipment, air, missiles), and the traps beside them.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

from bot.matching import Matcher
from tests.bot.matching.cases import finds, misses

# Hardware counted in units ("40 units of equipment") is military hardware when it moves,
# arrives or is shipped; counted at work clearing snow, or in a parade, it is not.
test_counted_hardware_on_the_move = finds(
    {"deployments", "equipment"},
    [
        "К границе выдвинулись около пятидесяти единиц техники.",
        "Да Мазыра прыбылі каля трыццаці адзінак тэхнікі.",
        "Вночі до Гомеля прибуло понад шістдесят одиниць техніки.",
        "About seventy units of equipment left the base for the south.",
    ],
)

test_counted_civil_hardware_is_no_equipment = misses(
    "equipment",
    [
        "Для уборки снега на улицы вышли сорок единиц техники.",
        "Після снігопаду на дороги виїхали тридцять одиниць техніки комунальників.",
        "On parade day, two hundred units of equipment will drive through the capital.",
    ],
)

# Units or forces held, kept in a region or by the border are stationed there.
test_units_kept_in_a_region = finds(
    "deployments",
    [
        "Россия держит в приграничных районах несколько своих подразделений.",
        "Мінск трымае ў прыгранічных раёнах некалькі падраздзяленняў.",
        "Противник утримує в прикордонних районах частину своїх підрозділів.",
        "Moscow continues to keep several units in the border regions.",
    ],
)

# Troops (battalions, brigades) performing tasks at the border itself are deployed there;
# border guards doing the same are the border's own news.
test_troops_tasked_at_the_border = finds(
    "deployments",
    [
        "Три батальона продолжают выполнять задачи по охране границы.",
        "Два батальйони армії виконують завдання з прикриття кордону.",
    ],
)

test_border_guards_tasked_at_the_border_are_not_deployed = misses(
    "deployments",
    [
        "Пограничники выполняют задачи на границе в обычном режиме.",
        "Прикордонники виконують завдання на кордоні цілодобово.",
    ],
)

# Aircraft put on duty (combat duty) are military aircraft.
test_aircraft_on_duty = finds(
    "air",
    [
        "Самолеты будут нести боевое дежурство на аэродроме под Лидой.",
        "Two more aircraft will be on duty at the base from March.",
    ],
)

# Drones spraying crops or working in farming are not military aviation.
test_farm_drones_are_no_air = misses(
    "air",
    [
        "Беспилотники все шире применяются в сельском хозяйстве.",
        "Беспілотники дедалі ширше використовують у сільському господарстві.",
        "Дрон можна запрограмувати обприскувати посіви за маршрутом.",
        "Drones are changing agriculture across the region.",
    ],
)

# Social mobilisation (of a community, in sociology) is no call-up.
test_social_mobilisation_is_no_callup = misses(
    "mobilization",
    [
        "Социальная мобилизация жителей помогла отремонтировать школу.",
        "Сацыяльная мабілізацыя жыхароў дапамагла адрамантаваць школу.",
        "Соціальна мобілізація мешканців допомогла відремонтувати школу.",
        "Social mobilization of residents helped repair the school.",
    ],
)

# Missile troops are missile units.
test_missile_troops = finds(
    "missiles",
    [
        "Ракетные войска получили новый комплекс.",
        "Ракетныя войскі атрымалі новы комплекс.",
        "Ракетні війська провели тренування розрахунків.",
        "The missile troops received a new launcher this week.",
    ],
)


# Ukraine's General Staff pairs the Volyn direction with the Polissia one; the pair names the
# Volyn region as the Volyn direction alone does.
def test_volyn_and_polissia_directions_name_volyn(matcher: Matcher) -> None:
    for text in (
        "Ворог на Волинському та Поліському напрямках наступальних груп не створює.",
        "На Волынском и Полесском направлениях изменений пока нет.",
        "No offensive groups were seen on the Volyn and Polissia directions overnight.",
    ):
        assert "Volyn" in matcher.classify(text).places, text
