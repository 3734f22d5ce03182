"""The shipped gazetteer's data: real labels in each reader's script, case forms, real raion
names, and the military and transport sites reports name.

These run over the whole generated bot/data/places.toml, so a regenerated file that brings
back a Russian spelling under `be` or a Latin one under `ru` fails here.
"""

from __future__ import annotations

import re

import pytest

from bot.matching import PlaceIndex, PlacesError, load_places
from bot.matching.places import CASES, Place, parse_places

_CYRILLIC_LABEL = re.compile(r"^[\u0400-\u04ff0-9'’ .—-]+$")
_LATIN = re.compile(r"[A-Za-z]")
_RUSSIAN_ONLY = set("иИщЩъЪ")
_BELARUSIAN_ONLY = set("іІўЎ")
_UKRAINIAN_ONLY = set("їЇєЄґҐ")
_NOT_UKRAINIAN = set("ыЫэЭъЪёЁўЎ")


@pytest.fixture(scope="module")
def places() -> tuple[Place, ...]:
    return load_places()


@pytest.fixture(scope="module")
def index(places: tuple[Place, ...]) -> PlaceIndex:
    return PlaceIndex(places)


def test_every_label_is_in_its_readers_script(places: tuple[Place, ...]) -> None:
    wrong = []
    for place in places:
        for lang in ("ru", "be", "uk"):
            label = place.labels.get(lang)
            if label is None:
                wrong.append(f"{place.id}: no {lang} label")
            elif _LATIN.search(label) or not _CYRILLIC_LABEL.match(label):
                wrong.append(f"{place.id}: {lang} label {label!r} is not Cyrillic")
        be, ru, uk = (place.labels.get(lang, "") for lang in ("be", "ru", "uk"))
        if set(be) & (_RUSSIAN_ONLY | _UKRAINIAN_ONLY):
            wrong.append(f"{place.id}: be label {be!r} has a Russian or Ukrainian letter")
        if set(ru) & (_BELARUSIAN_ONLY | _UKRAINIAN_ONLY):
            wrong.append(f"{place.id}: ru label {ru!r} has a Belarusian or Ukrainian letter")
        if re.search(r"[жшчщ]ы", ru.lower()) or re.search(r"[^л]ьск\b", ru):
            wrong.append(f"{place.id}: ru label {ru!r} is not Russian spelling")
        if set(uk) & _NOT_UKRAINIAN:
            wrong.append(f"{place.id}: uk label {uk!r} has a letter Ukrainian has not")
    assert not wrong, "\n".join(wrong)


def test_every_case_form_is_in_its_readers_script(places: tuple[Place, ...]) -> None:
    # The forms stand after prepositions in sentences ("ад Мазыра"): the same script rules
    # as the labels, and each form is the label's own word, not another language's.
    wrong = []
    foreign = {"ru": _BELARUSIAN_ONLY | _UKRAINIAN_ONLY, "be": _RUSSIAN_ONLY | _UKRAINIAN_ONLY}
    foreign["uk"] = _NOT_UKRAINIAN
    for place in places:
        for lang in ("ru", "be", "uk"):
            for case, form in place.forms.get(lang, {}).items():
                if _LATIN.search(form) or not _CYRILLIC_LABEL.match(form):
                    wrong.append(f"{place.id}: {lang} {case} {form!r} is not Cyrillic")
                elif set(form) & foreign[lang]:
                    wrong.append(f"{place.id}: {lang} {case} {form!r} has a foreign letter")
                elif form[:2].lower() != place.labels[lang][:2].lower():
                    wrong.append(f"{place.id}: {lang} {case} {form!r} is not its label's form")
    assert not wrong, "\n".join(wrong)


def test_belarusian_labels_use_belarusian_letters(places: tuple[Place, ...]) -> None:
    # A Belarusian name whose Russian form has и spells it і or ы: "Пінск", "Мазыр" (и
    # before a vowel may go to ё: "Лиозно", "Лёзна").
    for place in places:
        be, ru = place.labels["be"], place.labels["ru"]
        if place.kind == "town" and re.search(r"и(?![аеёоуюя])", ru.lower()):
            assert set(be.lower()) & set("іыў"), (place.id, be)


@pytest.mark.parametrize(
    ("place_id", "ru", "be", "uk"),
    [
        ("Gomel", "Гомель", "Гомель", "Гомель"),
        ("Vitebsk", "Витебск", "Віцебск", "Вітебськ"),
        ("Mogilev", "Могилёв", "Магілёў", "Могильов"),
        ("Soligorsk", "Солигорск", "Салігорск", "Солігорськ"),
        ("Asipovichy", "Осиповичи", "Асіповічы", "Осиповичі"),
        ("Polotsk", "Полоцк", "Полацк", "Полоцьк"),
        ("Novogrudok", "Новогрудок", "Навагрудак", "Новогрудок"),
        ("Slutsk", "Слуцк", "Слуцк", "Слуцьк"),
        ("Mosty", "Мосты", "Масты", "Мости"),
        ("Horad Zhodzina", "Жодино", "Жодзіна", "Жодино"),
        ("Žytkavičy", "Житковичи", "Жыткавічы", "Житковичі"),
        ("Mazyr", "Мозырь", "Мазыр", "Мозир"),
        ("Brest", "Брест", "Брэст", "Брест"),
        ("Grodno", "Гродно", "Гродна", "Гродно"),
        ("Pinsk", "Пинск", "Пінск", "Пінськ"),
        ("Babruysk", "Бобруйск", "Бабруйск", "Бобруйськ"),
        ("Yelsk", "Ельск", "Ельск", "Єльськ"),
    ],
)
def test_known_labels(index: PlaceIndex, place_id: str, ru: str, be: str, uk: str) -> None:
    assert (index.label(place_id, "ru"), index.label(place_id, "be")) == (ru, be)
    assert index.label(place_id, "uk") == uk


def test_every_town_has_a_ukrainian_label_and_case_forms(places: tuple[Place, ...]) -> None:
    towns = [place for place in places if place.kind == "town"]
    assert len(towns) > 300
    for place in towns:
        assert "uk" in place.labels, place.id
        for lang in ("ru", "be", "uk"):
            assert set(place.forms.get(lang, {})) == set(CASES), (place.id, lang)


@pytest.mark.parametrize(
    ("place_id", "lang", "gen", "loc"),
    [
        ("Mazyr", "ru", "Мозыря", "Мозыре"),  # "от Мозыря", "в Мозыре"
        ("Mazyr", "be", "Мазыра", "Мазыры"),  # "ад Мазыра", "у Мазыры"
        ("Mazyr", "uk", "Мозиря", "Мозирі"),  # "від Мозиря", "у Мозирі"
        ("Asipovichy", "ru", "Осиповичей", "Осиповичах"),
        ("Asipovichy", "be", "Асіповіч", "Асіповічах"),
        ("Asipovichy", "uk", "Осиповичів", "Осиповичах"),
        ("Brest", "be", "Брэста", "Брэсце"),
        ("Lida", "be", "Ліды", "Лідзе"),
        ("Minsk", "be", "Мінска", "Мінску"),
        ("Gomel", "be", "Гомеля", "Гомелі"),
        ("Maladziečna", "be", "Маладзечна", "Маладзечне"),
        ("Vitebsk", "uk", "Вітебська", "Вітебську"),
        ("Marina Gorka", "ru", "Марьиной Горки", "Марьиной Горке"),
        ("Byaroza District", "ru", "Берёзовского района", "Берёзовском районе"),
        ("Byaroza District", "be", "Бярозаўскага раёна", "Бярозаўскім раёне"),
        ("Byaroza District", "uk", "Березівського району", "Березівському районі"),
        ("Gomel region", "be", "Гомельскай вобласці", "Гомельскай вобласці"),
        ("Lida air base", "ru", "аэродрома Лида", "аэродроме Лида"),  # the name stays
        ("Benyakoni", "be", "пункта пропуску Беняконі", "пункце пропуску Беняконі"),
        # an adjective before the common noun goes with it: "у вайсковым гарадку Печы"
        ("Pechy", "ru", "военного городка Печи", "военном городке Печи"),
        ("Pechy", "be", "вайсковага гарадка Печы", "вайсковым гарадку Печы"),
        ("Pechy", "uk", "військового містечка Печі", "військовому містечку Печі"),
        (
            "Neman training ground",
            "ru",
            "авиационного полигона Неман",
            "авиационном полигоне Неман",
        ),
        ("Rechytsa", "uk", "Річиці", "Річиці"),  # uk.wikipedia's name, not "Речиця"
    ],
)
def test_case_forms(index: PlaceIndex, place_id: str, lang: str, gen: str, loc: str) -> None:
    assert (index.label(place_id, lang, "gen"), index.label(place_id, lang, "loc")) == (gen, loc)


def test_raions_have_their_real_names(places: tuple[Place, ...]) -> None:
    raions = {place.id: place for place in places if place.kind == "raion"}
    assert len(raions) == 118
    byaroza = raions["Byaroza District"]
    assert (byaroza.labels["ru"], byaroza.labels["be"]) == ("Берёзовский район", "Бярозаўскі раён")
    assert raions["Horki District"].labels["ru"] == "Горецкий район"
    assert raions["Maladziečna District"].labels["be"] == "Маладзечанскі раён"
    for raion in raions.values():
        assert raion.labels["ru"].endswith(" район"), raion.id
        assert raion.labels["be"].endswith(" раён"), raion.id
        assert raion.labels["uk"].endswith(" район"), raion.id


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        # airfields
        ("Russian fighters landed at Lida air base overnight.", "Lida air base"),
        ("На аэродром Зябровка прибыли вертолёты.", "Zyabrovka"),
        ("Activity at Machulishchy air base (UMLI) grew.", "Machulishchy"),
        # training grounds
        ("Учения прошли на полигоне Обуз-Лесновский.", "Obuz-Lesnovsky"),
        ("Вучэнні на Гожскім палігоне працягнуцца да пятніцы.", "Gozhsky training ground"),
        ("Drills continue at the Domanovo training ground.", "Domanovo"),
        ('Полігони "Доманове" і "Гожський" працюють.', "Gozhsky training ground"),
        # military towns and camps
        ("Satellite images show the Tsel camp being dismantled.", "Tsel"),
        # stations where echelons unload
        ("Эшелон с танками прибыл в Полонку.", "Polonka"),
        ("The echelon unloaded at Rechitsa station.", "Rechytsa"),  # named like its town
        ("Техника выгружалась на станции Барановичи-Полесские.", "Baranovichi-Palesskie"),
        # border crossings
        ("Очередь грузовиков в Бенякони выросла.", "Benyakoni"),
        ("Lithuania closed the Medininkai checkpoint.", "Kamenny Log"),
        ("Граница в пункте пропуску Каменны Лог", "Kamenny Log"),
        ("Trucks queue at Kozlovichi on the Polish border.", "Kozlovichi"),
        ("Перетин кордону через Нові Яриловичі закрито.", "Novaya Guta crossing"),
        ("На Григоровщине стоят 145 машин.", "Grigorovshchina"),
    ],
)
def test_sites_are_found_by_name(index: PlaceIndex, text: str, place_id: str) -> None:
    assert place_id in index.find(text)


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Troops seen near Mozyr", "Mazyr"),
        ("Troops seen near Mazyr", "Mazyr"),
        ("Drones over Homiel", "Gomel"),
        ("Drones over Gomel", "Gomel"),
        ("A convoy in Zhabinka", "Zhabinka"),
        ("A convoy in Žabinka", "Zhabinka"),
        ("Jets over Lida", "Lida"),  # the town: the air base has a name of its own
        ("В Мачулищах шумно", "Machulishchy"),  # the air base stands for its town, as before
    ],
)
def test_latin_spellings_and_towns_keep_their_names(
    index: PlaceIndex, text: str, place_id: str
) -> None:
    assert index.find(text) == (place_id,)


def test_site_counts(places: tuple[Place, ...]) -> None:
    kinds = [place.kind for place in places]
    assert kinds.count("airfield") >= 15
    assert kinds.count("training_ground") >= 10
    assert kinds.count("station") >= 5
    assert kinds.count("crossing") >= 15
    assert kinds.count("military_town") >= 1
    neighbours = {
        min(place.border_km, key=lambda code: place.border_km[code])
        for place in places
        if place.kind == "crossing"
    }
    assert {"pl", "lt", "lv", "ua"} <= neighbours


_OLD_STYLE = """
[[place]]
id = "X"
kind = "town"
oblast = "X"
lat = 53.0
lon = 27.0
label = { ru = "Икс" }
names.en = ["X"]
"""


def test_a_file_without_forms_still_loads_and_shows_the_nominative() -> None:
    (place,) = parse_places(_OLD_STYLE.encode())
    assert place.forms == {}
    assert place.label("ru", "loc") == "Икс"
    assert place.label("en", "gen") == "X"


def test_forms_are_read_and_fall_back_with_the_label() -> None:
    text = _OLD_STYLE.replace("names.en", 'forms.ru = { gen = "Икса", loc = "Иксе" }\nnames.en')
    (place,) = parse_places(text.encode())
    assert (place.label("ru", "gen"), place.label("ru", "loc"), place.label("ru")) == (
        "Икса",
        "Иксе",
        "Икс",
    )
    assert place.label("be", "loc") == "Иксе"  # a Belarusian reader falls back to Russian


@pytest.mark.parametrize(
    "forms",
    ['forms.ru = { dat = "Иксу" }', 'forms.ru = "Икса"', 'forms.xx = { gen = "Икса" }'],
)
def test_bad_forms_are_refused(forms: str) -> None:
    with pytest.raises(PlacesError, match="forms"):
        parse_places(_OLD_STYLE.replace("names.en", forms + "\nnames.en").encode())
