"""Places that the places7 batch showed missing or wrongly found: villages, stations and an
outpost the gazetteer lacked, Ukrainian and English spellings of airfields, lists of raions
after a colon or line by line, and town names that are part of another name (a town's
adjective before a club's quoted name, a street's, an exercise's; a club's home town named
as a noun stays a place). Sentences written for these tests."""

from __future__ import annotations

import pytest

from bot.matching import PlaceIndex, load_places
from bot.matching.place_evidence import bullet_gap, comma_gap


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(load_places())


def found(index: PlaceIndex, text: str) -> set[str]:
    return set(index.find(text))


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # villages, stations and an outpost added by hand (scripts/gazetteer/extra_places.toml)
        ("Возле Раубичей вчера видели колонну грузовиков.", {"Raubichi"}),
        ("Лыжники снова тренируются в Раўбічах.", {"Raubichi"}),
        ("The convoy stopped for the night at Raubichi.", {"Raubichi"}),
        ("Под деревней Пеньки военные роют окопы.", {"Penki"}),
        ("Каля вёскі Пянькі заўважылі вайскоўцаў.", {"Penki"}),
        ("Наряд задержал двоих мужчин у деревни Обсич.", {"Obsich"}),
        ("Нарушителя заметили пограничники заставы «Тушемля».", {"Tushemlya"}),
        ("На станцию Козенки ночью пришёл воинский эшелон.", {"Kozenki"}),
        ("Эшалон з танкамі разгрузілі на станцыі Муляроўка.", {"Mulyarovka"}),
        # Ukrainian spellings, in Cyrillic and in English
        ("Російські літаки знову сідали на аеродром Зябрівка.", {"Zyabrovka"}),
        ("Radars were spotted again at the Zyabrivka airfield.", {"Zyabrovka"}),
        (
            "Barracks are being rebuilt at the Lunynets military airfield.",
            {"Luninets", "Luninets air base"},
        ),
        # an oblast's executive committee in English, the classical name of Minsk's region
        ("The Gomel Regional Executive Committee ordered a readiness check.", {"Gomel region"}),
        ("Па дарогах Меншчыны зноў рухаюцца вайсковыя калоны.", {"Minsk region"}),
        ("У Бярэзінскім раёне пройдуць вучэнні тэрабароны.", {"Bierazino District"}),
        # a training ground by its adjective, in a list sharing the head word
        (
            "Лётчики отработали удары на Ружанском и Брестском полигонах.",
            {"Ruzhany", "Ruzhany training ground", "Brest", "Brestsky training ground"},
        ),
    ],
)
def test_places_the_gazetteer_now_knows(index: PlaceIndex, text: str, places: set[str]) -> None:
    assert found(index, text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # the raions' head word, then their oblast and a colon, then the list
        (
            "Пропуска не выдают в трёх районах Гомельской области: Ельском, Наровлянском и "
            "Лельчицком.",
            {"Gomel region", "Yelsk District", "Narowlya District", "Lelchitsy District"},
        ),
        (
            "Обмеження запровадили для двох районів Брестської області: Столинського і Пінського.",
            {"Brest region", "Stolin District", "Pinsk District"},
        ),
        # a list line by line after a colon, with bullets or dashes
        (
            "Проверка пройдёт в таких районах:\n • Лунинецкий;\n • Столинский;\n • Пинский.",
            {"Luninets District", "Stolin District", "Pinsk District"},
        ),
        (
            "Навчання тривають у районах:\n- Мозирський,\n- Єльський.",
            {"Mazyr District", "Yelsk District"},
        ),
    ],
)
def test_raion_lists_after_a_colon(index: PlaceIndex, text: str, places: set[str]) -> None:
    assert found(index, text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a club's home town named as a noun is a place, as the shared corpus labels it...
        ("«Нафтан» Новополоцк обыграл «Динамо» Брест в гостях.", {"Novopolotsk", "Brest"}),
        ("Вчера в Гомеле «Шахтёр» Солигорск уступил хозяевам.", {"Gomel", "Soligorsk"}),
        ("Fans of Dinamo Minsk travelled to the away game by bus.", {"Minsk"}),
        # ...but a town's adjective before a name in quotes is part of that name
        ("Гродненский «Неман» проиграл в четвертьфинале кубка.", set()),
        ('The Vitebsk and Brest "Dynamo" teams met in the cup.', set()),
        ("Матч минского «Динамо» перенесли на вторник.", set()),
        # a street named by a town's adjective or after a person named like a town
        ("На вуліцы Дзяржынскага ў Гродне перакрылі рух.", {"Grodno"}),
        ("Трамвай не ходит по Брестской улице до пятницы.", set()),
        # an exercise named after a town is no report from that town
        ('The drill "Pinsk-2025" was announced by the ministry.', set()),
        # but a quoted site and a town beside a quoted name of a unit stay places
        ("Десантники вышли на полигон «Брестский».", {"Brest", "Brestsky training ground"}),
        ("В Барановичах «Беларускі Гаюн» насчитал шесть самолётов.", {"Baranovichi"}),
        # on the streets of a town is that town
        ("На улицах Минска появились патрули.", {"Minsk"}),
        # the ends of a road named by its number and a hyphen
        ("Участок автотрассы М-1 «Брест-Минск» закроют на ночь.", {"M1"}),
    ],
)
def test_town_names_inside_other_names(index: PlaceIndex, text: str, places: set[str]) -> None:
    assert found(index, text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a highway by its number after a word for a road, with or without a hyphen
        ("Истребители тренировались садиться на трассу М4.", {"M4"}),
        ("Ремонт на автодороге М-4 у Червеня продлится неделю.", {"M4", "Červień"}),
        ("Калона БТР рухалася па трасе М1 у бок Оршы.", {"M1", "Orsha"}),
        ("Колону техніки бачили на трасі М1 біля Борисова.", {"M1", "Barysaw"}),
        ("Lorries were parked along the M1 highway outside Brest.", {"M1", "Brest"}),
        # a road's ends named after its number are the road's name, not two places
        ("Полицейские перекрыли трассу М4 Минск – Могилёв на час.", {"M4"}),
        # a road with a name in quotes is Russia's
        ("Колонна ушла на юг по трассе М-4 «Дон» в сторону Ростова.", set()),
        # a bare number is a rifle, a tank or a car as often as a road
        ("Бойцы получили карабины M4 и новые каски.", set()),
        ("Под Лидой разгрузили танки Т72.", {"Lida"}),
    ],
)
def test_highways_by_number(index: PlaceIndex, text: str, places: set[str]) -> None:
    assert found(index, text) == places


def test_comma_and_bullet_gaps() -> None:
    text = "Лида, Мосты;\n • Щучин"
    assert comma_gap(text, 4, 6)
    assert not comma_gap("Лида и Мосты", 4, 7)
    assert not comma_gap("Лида,, Мосты", 4, 7)
    assert bullet_gap(text, 11, 16)
    assert not bullet_gap("Лида Мосты", 4, 5)
