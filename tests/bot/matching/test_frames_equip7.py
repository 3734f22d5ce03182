"""Topic frames for the kinds of report the equip7 set showed were missed or misfiled
(equipment, air, missiles, drills), and the traps beside them.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

from tests.bot.matching.cases import finds, misses

# A solemn ceremony is where a missile unit takes up combat duty, where arms are handed
# over and where commanders speak: "торжественный" alone does not make it a parade.
test_ceremony_of_arms_is_no_parade = finds(
    {"missiles"},
    [
        "Прошла торжественная церемония заступления на боевое дежурство дивизиона «Искандер».",
        "Учора адбылася ўрачыстая цырымонія: ракетны комплекс заступіў на баявое дзяжурства.",
        "Відбулася урочиста церемонія заступання на бойове чергування ракетного комплексу.",
    ],
)

test_ceremony_handover_of_aircraft = finds(
    {"equipment", "air"},
    [
        "На торжественной церемонии летчикам передали четыре новых самолета Су-30СМ2.",
        "На урочистій церемонії авіабазі передали нову партію вертольотів Мі-35.",
        "At a celebration at the air base the pilots received a new batch of Su-30 fighters.",
    ],
)

# The parade itself, or a festive show of hardware, stays vetoed.
test_festive_show_stays_a_parade = misses(
    "equipment",
    [
        "Праздничный проезд бронетехники по проспекту собрал тысячи зрителей.",
        "Святочны праезд тэхнікі па праспекце пачнецца а дзявятай.",
        "Святковий проїзд бронетехніки центром міста завершився салютом.",
    ],
)

test_festive_flyover_stays_a_parade = misses(
    "air",
    [
        "Во время торжественного построения над площадью пронеслись штурмовики.",
        "Падчас святочнага мерапрыемства над плошчай праляцелі верталёты.",
    ],
)

# A route "над территорией" is a drone's or an aircraft's flight, not a fly-over.
test_flight_over_territory_is_air = finds(
    "air",
    [
        "Беспилотник упал под Лидой; маршрут предусматривал пролет над территорией двух районов.",
    ],
)

# A readiness check is often told without the word readiness: units, regiments or the
# forces being checked ("проверяется воинская часть").
test_units_being_checked = finds(
    "drills",
    [
        "Сегодня проверяется отдельный механизированный батальон.",
        "Президент поручил проверить воинские силы западного направления.",
        "Міністр вырашыў праверыць воінскія часці паўночна-заходняга напрамку.",
        "Почалася перевірка військових частин Західного оперативного командування.",
    ],
)

# A prosecutor's inquiry into a death or a complaint in a unit is no exercise.
test_inquiry_in_a_unit_is_no_drill = misses(
    "drills",
    [
        "Прокуратура начала проверку в воинской части после гибели рядового.",
        "Пракуратура правярае вайсковую часць пасля скаргі бацькоў салдата.",
        "Прокурор перевіряє військову частину після смерті солдата.",
    ],
)

# An aircraft or helicopter crossing the state border is air news even with no military
# word beside it; an unknown flying object is one too. A passenger plane is not.
test_aircraft_crossing_the_border = finds(
    "air",
    [
        "Вчера вечером литовский вертолет дважды пересек белорусскую границу.",
        "Польскі самалёт парушыў мяжу ў Гродзенскім раёне.",
        "Невідомий гелікоптер перетнув кордон на малій висоті.",
        "A small plane crossed the border near Hrodna and turned back.",
        "Над вёскай заўважылі невядомы лятучы апарат.",
    ],
)

test_passenger_plane_crossing_is_no_air_news = misses(
    "air",
    [
        "Пассажирский самолет пересек границу и приземлился в Вильнюсе.",
        "Рейс авиакомпании пересек границу с опозданием на час.",
    ],
)

# Belarusian ammunition is mostly the plural-only "боепрыпасы" in the dictionary.
test_belarusian_ammunition = finds(
    "equipment",
    [
        "За месяц чыгункай вывезлі некалькі тысяч тон боепрыпасаў.",
        "На склад прывезлі дзесяць вагонаў з боепрыпасамі.",
    ],
)

# Armoured cars handed to an army are equipment; a bank's cash van is not. (The
# Belarusian "браніраваны аўтамабіль" is listed but its inflected forms are not yet found.)
test_armoured_cars_for_the_army = finds(
    "equipment",
    [
        "Минобороны получило партию бронированных автомобилей для армии.",
        "Збройним силам передали броньовані автомобілі нового зразка.",
    ],
)

test_cash_vans_are_no_equipment = misses(
    "equipment",
    [
        "Банк закупил бронированный автомобиль для инкассации.",
        "Інкасатары атрымалі новы браніраваны аўтамабіль для перавозкі грошай.",
    ],
)
