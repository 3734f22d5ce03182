"""The frame around a name: foreign places, roads, plans and products, and "the capital"
(`bot.matching.place_context`). Sentences written for these tests."""

from __future__ import annotations

import pytest

from bot.matching import PlaceIndex, load_places


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(load_places())


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # Belarusian and Ukrainian locatives soften д and т: Ліда → у Лідзе, Брэст → у Брэсце
        ("Знішчальнікі перакінулі на аэрадром у Лідзе.", ("Lida", "Lida air base")),
        ("Учора ў Брэсце прайшла нарада вайскоўцаў.", ("Brest",)),
        # "в районе X" is a place frame like a preposition
        ("Дрон упал в районе Комарина вечером.", ("Komaryn",)),
    ],
)
def test_case_forms_and_frames_that_name_a_place(
    index: PlaceIndex, text: str, places: tuple[str, ...]
) -> None:
    assert index.find(text) == places


@pytest.mark.parametrize(
    "text",
    [
        # a country is no village named like it
        "Сьогодні Росія перекинула нові частини до кордону.",
        # a name between two foreign towns is theirs
        "Туристы приехали из Смоленска, Острова, Твери и других городов.",
        # a Ukrainian community is Ukraine's
        "Прикордонники затримали порушника поблизу Шацької громади.",
        # the ends of a highway's name are the road
        "Истребители сели на трассу Р1 Минск – Могилёв во время тренировки.",
        "Jets landed on the Minsk-Mogilev highway during the drill.",
        # a plan, a farm or a product named after a place is not the place
        "Активисты операции «Перамога» снова вышли на связь.",
        "Механизаторы хозяйства «Осиповичи» закончили посевную.",
        "Customs seized boxes of cigarettes Minsk at the checkpoint.",
    ],
)
def test_frames_that_say_a_name_is_no_place_of_belarus(index: PlaceIndex, text: str) -> None:
    assert index.find(text) == ()


def test_a_village_road_keeps_its_ends(index: PlaceIndex) -> None:
    assert "Lyepyel" in index.find("На дороге Лепель – Глубокое видели колонну грузовиков.")


@pytest.mark.parametrize(
    "text",
    [
        "В белорусской столице прошел смотр техники.",
        "Колонны прошли по улицам сталіцы Беларусі ўвечары.",
        "Военкоматы Беларуси вызывают мужчин из столицы и из Гомельской области.",
        "Зборная Беларусі збярэцца ў сталіцы напрыканцы месяца.",
        "Jets flew over the Belarusian capital on Saturday.",
        "Lukashenko met troops in the capital of Belarus.",
    ],
)
def test_the_capital_of_belarus_is_minsk(index: PlaceIndex, text: str) -> None:
    assert "Minsk" in index.find(text)


@pytest.mark.parametrize(
    "text",
    [
        "В российской столице задержали курьера.",
        "Делегация Беларуси прибыла в столицу России на переговоры.",
        "Лукашенко прилетел в Москву: в столице его встретил Путин.",
        "Гомель называют столицей Полесья.",
        "Білоруські військові провели навчання, а в столиці оголосили тривогу.",
        "The Belarusian firm raised capital from investors.",
        "В областной столице Беларуси открыли музей.",
    ],
)
def test_other_capitals_are_not_minsk(index: PlaceIndex, text: str) -> None:
    assert "Minsk" not in index.find(text)


def test_a_list_of_places_takes_a_name_that_is_a_common_word(index: PlaceIndex) -> None:
    text = "На кірмаш прыехалі майстры з Ліды, Мастоў, Кобрына і Пінска."
    assert index.find(text) == ("Lida", "Mosty", "Kobryn", "Pinsk")


def test_a_common_word_outside_a_list_still_needs_evidence(index: PlaceIndex) -> None:
    assert "Mosty" not in index.find("Мастоў праз раку тут няма, кажуць у Лідзе.")


def test_a_site_takes_the_classical_adjective_of_its_raion(index: PlaceIndex) -> None:
    text = "Танкі перакінулі на Берасьцейскі і Асіповіцкі палігоны."
    assert "Brestsky training ground" in index.find(text)


@pytest.mark.parametrize(
    "text",
    ["Эшелон разгрузили на станции Гудогай у литовской границы.", "Trains wait at Gudogai."],
)
def test_the_last_station_before_lithuania(index: PlaceIndex, text: str) -> None:
    assert "Gudogai" in index.find(text)


def test_a_list_goes_on_past_a_site_nobody_listed(index: PlaceIndex) -> None:
    text = "Вучэнні пройдуць на Берасьцейскім, Невядомаўскім і Асіповіцкім палігонах."
    found = index.find(text)
    assert "Brestsky training ground" in found
    assert "Osipovichsky training ground" in found


@pytest.mark.parametrize(
    "text",
    [
        "Состав отправили со станции Красное (Смоленская область) на запад.",
        "Курсанты приехали из Красного Смоленской области на сборы.",
        "Склад сгорел в поселке Красное в России.",
    ],
)
def test_a_name_in_a_foreign_region_is_not_belarusian(index: PlaceIndex, text: str) -> None:
    assert "Krasnaye" not in index.find(text)


def test_a_belarusian_region_after_a_name_keeps_it(index: PlaceIndex) -> None:
    assert index.find("Техника прибыла в Лиду (Гродненская область) ночью.")[0] == "Lida"


def test_a_crossing_named_with_its_country_stays(index: PlaceIndex) -> None:
    text = "Машины пошли через «Бенякони» («Шальчининкай» в Литве) после перерыва."
    assert "Benyakoni" in index.find(text)


def test_an_airfield_flown_from_towards_a_country_stays(index: PlaceIndex) -> None:
    assert "Lida air base" in index.find("С аэродрома «Лида» в Россию улетели штурмовики.")
