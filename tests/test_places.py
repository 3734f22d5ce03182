"""Places: the shipped list, and finding names in any case form, language and script."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import PlaceIndex, PlacesError, load_places
from bot.matching.places import PLACE_KINDS, skeleton


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(load_places())


def test_packaged_places_load() -> None:
    places = load_places()
    assert 35 <= len(places) <= 60
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
        ("Ваенкаматы Мазырскага раёна", "Mazyr"),
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
