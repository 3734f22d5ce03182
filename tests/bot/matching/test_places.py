"""Places: the shipped list, and finding names in any case form, language and script."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import PlaceIndex, PlacesError, default_matcher, load_places
from bot.matching.audience import distance_km
from bot.matching.places import PLACE_KINDS, skeleton


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(load_places())


def test_packaged_places_load() -> None:
    places = load_places()
    assert len(places) >= 300  # generated from GeoNames, plus the hand-written sites
    ids = {place.id for place in places}
    for place in places:
        assert place.kind in PLACE_KINDS
        assert place.oblast in ids, place.id
        assert 50.0 < place.lat < 56.5 and 22.0 < place.lon < 33.0, place.id
        assert place.names.get("en"), place.id


@pytest.mark.parametrize(
    "text",
    [
        "Osipovichi",
        "near Asipovichy",
        "Asipovichi railway station",
        "Эшелон замечен в Осиповичах",
        "станцыі Асіповічы",
        "у Осиповичах",
        "Осиповичі",
    ],
)
def test_one_place_in_every_spelling(index: PlaceIndex, text: str) -> None:
    assert index.find(text) == ("Asipovichy",)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("В Ельске отменили занятия", "Yelsk"),
        ("17 km from Yelsk", "Yelsk"),
        ("У Мазыры заўважылі калону", "Mazyr"),
        ("Колонна под Мозырем", "Mazyr"),
        ("біля Мозиря", "Mazyr"),
        ("Военкоматы Гомельской области", "Gomel region"),
        ("на Гомельщине", "Gomel region"),
        ("у Гомелі на вакзале", "Gomel"),
        ("in the Brest region", "Brest region"),
        ("Над Брестской областью", "Brest region"),
        ("Минский метрополитен", "Minsk"),
        ("на аэродроме Мачулищи", "Machulishchy"),
        ("на полигоне Обуз-Лесновский", "Obuz-Lesnovsky"),
        ("пункт пропуска «Мокраны»", "Mokrany"),
        ("через станцію Орша", "Orsha"),
        ("в Лунинце", "Luninets"),
        ("у Магілёве", "Mogilev"),
        ("Homiel", "Gomel"),
        ("на Волині", "Volyn"),
        ("Ваенкаматы Мазырскага раёна", "Mazyr District"),
        ("Осиповичский гарнизон", "Asipovichy"),
    ],
)
def test_places_in_case_forms(index: PlaceIndex, text: str, place: str) -> None:
    assert index.find(text) == (place,)


@pytest.mark.parametrize(
    "text",
    [
        "Ціни на пальне в Україні знизилися третій тиждень поспіль.",
        "Lukashenko met the Chinese ambassador.",
        "Сталин и Stalin",
        "Слоны в зоопарке",
        "Бориса назначили министром",
        "a lid on the box",
        "",
    ],
)
def test_no_place(index: PlaceIndex, text: str) -> None:
    assert index.find(text) == ()


def test_longest_name_wins_and_order_is_kept(index: PlaceIndex) -> None:
    found = index.find("Из Гомельской области колонна ушла в Мозырь, потом в Гомель и Мозырь")
    assert found == ("Gomel region", "Mazyr", "Gomel")


def test_skeleton_folds_romanisations() -> None:
    assert skeleton("Asipovichy") == skeleton("Asipovichi")
    assert skeleton("Homyel") == skeleton("Gomel")
    assert skeleton("Stolin") != skeleton("Stalin")


ENTRY = "[[place]]\nid = 'X'\nkind = 'town'\noblast = 'X'\nlat = 1\nlon = 1\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[place]]\nid = 'X'\n", "unknown kind"),
        (ENTRY.replace("lat = 1", "lat = 95") + "names.en = ['X']\n", "out of range"),
        (ENTRY, "'names'"),
        (ENTRY + "names.pl = ['X']\n", "unknown languages"),
        (ENTRY + "names.en = ['X']\nheight = 3\n", "unknown fields"),
        ("[[place]\n", "not a valid TOML"),
        ("", "only \\[\\[place\\]\\]"),
    ],
)
def test_broken_places_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "places.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlacesError, match=message):
        load_places(path)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.toml"
    path.write_text((ENTRY + "names.en = ['X']\n") * 2, encoding="utf-8")
    with pytest.raises(PlacesError, match="twice"):
        load_places(path)


@pytest.mark.parametrize(
    ("place_id", "country", "low", "high"),
    [
        # Known values; the border is timezonefinder's OSM-drawn line, towns are GeoNames
        # points (a town centre, so a few km of spread), hence the tolerances.
        ("Yelsk", "ua", 14.0, 20.0),  # "17 km from the Ukrainian border"
        ("Brest", "pl", 0.0, 8.0),  # on the Bug, the Polish border
        ("Grodno", "pl", 10.0, 25.0),
        ("Komaryn", "ua", 0.0, 10.0),  # the crossing
        ("Mazyr", "ua", 35.0, 50.0),
        ("Minsk", "lt", 100.0, 140.0),
        ("Polotsk", "lv", 60.0, 100.0),
        ("Orsha", "ru", 30.0, 50.0),
    ],
)
def test_border_distances(place_id: str, country: str, low: float, high: float) -> None:
    place = PlaceIndex(load_places()).get(place_id)
    assert place is not None
    km = place.border_distance(country)
    assert km is not None
    assert low <= km <= high, km


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Osipovichi", "Asipovichy"),
        ("у Асіповічах", "Asipovichy"),
        ("в Осиповичах", "Asipovichy"),
        ("Mozyr", "Mazyr"),
        ("у Мазыры", "Mazyr"),
        ("під Мозирем", "Mazyr"),
        ("near Homyel", "Gomel"),
        ("в Калинковичах", "Kalinkavichy"),
        ("Kalinkovichi", "Kalinkavichy"),
        ("у Бабруйску", "Babruysk"),
        ("in Bobruysk", "Babruysk"),
    ],
)
def test_generated_names_cover_spellings(text: str, place_id: str) -> None:
    assert PlaceIndex(load_places()).find(text) == (place_id,)


def test_the_gazetteer_has_villages_and_oblasts() -> None:
    index = PlaceIndex(load_places())
    assert index.find("в Наровле") == ("Narowlya",)
    assert set(index.oblasts()) == {
        "Brest region",
        "Gomel region",
        "Grodno region",
        "Minsk region",
        "Mogilev region",
        "Vitebsk region",
    }
    assert sum(place.kind == "town" for place in index) > 250


def test_events_get_oblast_and_border_distance() -> None:
    found = default_matcher().classify("Колонна техники замечена у Ельска, Гомельская область")
    assert found.places == ("Yelsk", "Gomel region")
    assert found.oblasts == ("Gomel region",)
    assert found.border_distance("ua") == pytest.approx(17, abs=3)
    assert found.border_distance() == found.border_distance("ua")


def test_proper_names_only() -> None:
    index = PlaceIndex(load_places())
    assert index.find("Ил-76 приземлился") == ()
    matcher = default_matcher()
    assert matcher.classify("Військові провели стрільби під Гомелем").places == ("Gomel",)
    assert matcher.classify("Весь мир смотрит").places == ()


@pytest.mark.parametrize(
    "text",
    [
        "Асіповіцкі раён",
        "у Асіповіцкім раёне",
        "Осиповичский район",
        "в Осиповичском районе",
        "Asipovichy district",
        "in the Osipovichi District",
        "Asipovichy raion",
    ],
)
def test_a_raion_in_every_spelling(index: PlaceIndex, text: str) -> None:
    assert index.find(text) == ("Asipovichy District",)
    raion = index.get("Asipovichy District")
    assert raion is not None and raion.kind == "raion"
    assert raion.oblast == "Mogilev region"


def test_raions_are_all_there_with_names_in_three_languages() -> None:
    index = PlaceIndex(load_places())
    raions = [place for place in index if place.kind == "raion"]
    assert len(raions) >= 117  # geoBoundaries has 117 of Belarus' 118 (no Drybin)
    assert {raion.oblast for raion in raions} == set(index.oblasts())
    for raion in raions:
        assert raion.names.get("en") and raion.border_km, raion.id
    # The centre's name alone is still the town; with "district" it is the raion.
    assert index.find("под Мозырем") == ("Mazyr",)
    assert index.find("в Мозырском районе") == ("Mazyr District",)
    assert index.find("Гродненский район") == ("Grodno District",)
    assert index.find("Оршанский район") == ("Orsha District",)
    mazyr, district = index.get("Mazyr"), index.get("Mazyr District")
    assert mazyr is not None and district is not None
    assert distance_km(mazyr, district) < 25  # the centroid of the raion round the town


def test_stations() -> None:
    index = PlaceIndex(load_places())
    # A station named after its town is also that town.
    assert index.find("на станции Брест-Центральный") == ("Brest-Centralnyi", "Brest")
    assert index.find("Brest-Centralnyi station") == ("Brest-Centralnyi", "Brest")
    station = index.get("Brest-Centralnyi")
    assert station is not None and station.kind == "station"
    assert station.oblast == "Brest region"
    pl = station.border_distance("pl")
    assert pl is not None and 1.0 <= pl <= 6.0  # the station is 3 km from the Bug
    # A station named like its town is the town: one place, not two.
    assert index.find("через станцію Орша") == ("Orsha",)
    assert index.find("вокзал в Бресте") == ("Brest",)
