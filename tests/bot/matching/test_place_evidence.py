"""Finding places the way reports write them: evidence for names that are common words,
lists sharing one head word, sites with lower-case heads and numbers, Latin spellings.

Every sentence here is written for these tests.
"""

from __future__ import annotations

import pytest

from bot.matching import PlaceIndex, default_catalog, default_matcher, load_places
from bot.matching.explain import explain
from bot.matching.place_evidence import opens_sentence


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(load_places())


def test_the_gazetteer_marks_names_that_are_common_words(index: PlaceIndex) -> None:
    mir, tsel, minsk = index.get("Mir"), index.get("Tsel"), index.get("Minsk")
    assert mir is not None and "Мир" in mir.common  # peace, world
    assert tsel is not None and {"Цель", "Цэль", "Ціль"} <= set(tsel.common)  # goal
    assert minsk is not None and not minsk.common
    raion = index.get("Grodno District")
    assert raion is not None and raion.centre == "Grodno"


@pytest.mark.parametrize(
    "text",
    [
        # ru: a sentence's first word, a word in capitals, a lower-case word
        "Цель проверки — готовность подразделений к маршу.",
        "Мир затаил дыхание перед выборами.",
        "МИР ЗАТАИЛ ДЫХАНИЕ ПЕРЕД ВЫБОРАМИ",
        "Стрелки поразили цель с первого выстрела.",
        # be: "Дзень Перамогі" is a holiday, its capital belongs to the pair
        "Цэль вучэнняў — праверыць гатоўнасць.",
        "На Дзень Перамогі ў сталіцы прайшоў парад.",
        # uk: a sentence's first word; a capitalised word the dictionary reads otherwise
        "Перемога далася команді нелегко.",
        "Тенісистка обіграла суперницю Мірру у двох сетах.",
        # en
        "Snow covered the roads overnight.",
    ],
)
def test_a_common_word_without_evidence_is_no_place(index: PlaceIndex, text: str) -> None:
    assert index.find(text) == ()


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # a preposition of place
        ("Колонна прошла через Мир к Несвижу.", "Mir"),
        ("Учения прошли в Цели и под Борисовом.", "Tsel"),
        ("Вайскоўцаў бачылі ў Цэлі.", "Tsel"),
        ("Техніку помітили біля Перемоги.", "Peramoga"),
        ("Troops were seen near Snow yesterday.", "Snow"),
        # a place word
        ("Калона прайшла праз вёску Перамога.", "Peramoga"),
        ("В городе Мир прошли занятия.", "Mir"),
        ("The village of Mir saw a column pass.", "Mir"),
        # a capital inside a sentence
        ("Военные разбили лагерь, Мир оцеплен.", "Mir"),
        ("Over the weekend Mir hosted a convoy.", "Mir"),
    ],
)
def test_a_common_word_with_evidence_is_the_place(index: PlaceIndex, text: str, place: str) -> None:
    assert place in index.find(text)


def test_a_dictionary_word_at_a_sentence_start_needs_evidence(index: PlaceIndex) -> None:
    # "Військові" (military) reads like a form of Vysokaye, "Сёння" (today) like one of
    # Сянно: at a sentence's start a capital says nothing.
    assert index.find("Військові провели стрільби.") == ()
    assert index.find("Сёння ў Гомелі прайшоў кірмаш.") == ("Gomel",)
    assert default_matcher().classify("Siońnia ŭ Homieli prajšoŭ kirmaš.").places == ("Gomel",)
    # A plain name opens a sentence as it is.
    assert index.find("Мозырь встретил эшелон.") == ("Mazyr",)


def test_a_town_named_like_a_word_opens_a_headline_only_with_evidence(index: PlaceIndex) -> None:
    assert index.find("Берёза: колонна техники на трассе") == ()
    assert index.find("В Берёзе видели колонну техники") == ("Byaroza",)


def test_a_user_names_a_place_on_purpose(index: PlaceIndex) -> None:
    place = index.resolve("мир")
    assert place is not None and place.id == "Mir"


def test_a_time_zone_is_no_place(index: PlaceIndex) -> None:
    assert index.find("Эшелон прибыл в 02:10 по минскому времени.") == ()
    assert index.find("Ешелон прибув о 02:10 за мінським часом.") == ()
    assert index.find("The train arrived at 2:10 Minsk time.") == ()


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # ru
        ("Сборы пройдут в Брестском и Пинском районах.", ("Brest District", "Pinsk District")),
        (
            "Проверка идёт в Гомельской, Могилевской и Витебской областях.",
            ("Gomel region", "Mogilev region", "Vitebsk region"),
        ),
        ("Минская и Гродненская области готовят резервистов.", ("Minsk region", "Grodno region")),
        (
            "Учения охватят два района — Лидский и Щучинский.",
            ("Lida District", "Shchuchyn District"),
        ),
        (
            "Назначения коснулись Кобринского и Ивацевичского райисполкомов.",
            ("Kobryn District", "Ivatsevichi District"),
        ),
        # be
        (
            "Вучэнні пачаліся на тэрыторыі Гомельскага і Брэсцкага раёнаў.",
            ("Gomel District", "Brest District"),
        ),
        (
            "У Мінскай і Гродзенскай абласцях правяраюць гатоўнасць.",
            ("Minsk region", "Grodno region"),
        ),
        # uk
        (
            "Техніку перекинули до Брестської та Гомельської областей.",
            ("Brest region", "Gomel region"),
        ),
        (
            "Навчання тривають у Лоївському, Брагінському та Хойницькому районах.",
            ("Loyev District", "Brahin District", "Khoiniki District"),
        ),
        # en
        ("Drills began in the Vitebsk and Mogilev regions.", ("Vitebsk region", "Mogilev region")),
        (
            "Entry is restricted in the Loevsky, Braginsky, and Khoiniki districts.",
            ("Loyev District", "Brahin District", "Khoiniki District"),
        ),
        ("Reservists were called up across the region of Grodno.", ("Grodno region",)),
    ],
)
def test_a_list_shares_its_head_word(index: PlaceIndex, text: str, places: tuple[str, ...]) -> None:
    assert index.find(text) == places


def test_a_town_adjective_in_a_list_stays_the_town(index: PlaceIndex) -> None:
    # No oblast is named after Mozyr: the text names the town.
    assert index.find("Войска направят в Гомельскую и Мозырскую области.") == (
        "Gomel region",
        "Mazyr",
    )


def test_a_city_district_is_not_the_raion(index: PlaceIndex) -> None:
    assert index.find("Сборы пройдут в Октябрьском районе Минска.") == ("Minsk",)
    assert index.find("Camps will run in the Frunzensky district of Minsk.") == ("Minsk",)
    assert index.find("Сборы пройдут в Октябрьском районе Гомельской области.") == (
        "Aktsyabrski District",
        "Gomel region",
    )


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Эшелон разгрузили на станции Полонка ночью.", ("Polonka",)),
        ("Вертолёты сели на аэродроме Лида.", ("Lida air base", "Lida")),
        ("Колонна ушла на полигон «Лепельский».", ("Lepelsky training ground", "Lyepyel")),
        ("танки на лидском аэродроме", ("Lida air base", "Lida")),
        ("Платформы стоят на станции Осиповичи-1.", ("Asipovichy-I", "Asipovichy")),
        ("Вагоны прыйшлі на станцыю Асіповічы-I.", ("Asipovichy-I", "Asipovichy")),
        ("Стрельбы прошли на 230-м общевойсковом полигоне.", ("Obuz-Lesnovsky",)),
        ("Занятия на базе 227 общевойскового полигона.", ("Borisovsky training ground",)),
        ("Tanks left the 230th combined arms training ground.", ("Obuz-Lesnovsky",)),
        ("Резервистов отправили на гродненское направление.", ("Grodno",)),
    ],
)
def test_sites_with_lower_case_heads_and_numbers(
    index: PlaceIndex, text: str, places: tuple[str, ...]
) -> None:
    assert index.find(text) == places


def test_a_designation_with_a_number_is_no_town(index: PlaceIndex) -> None:
    assert index.find("Над городом пролетел Ил-76.") == ()
    assert index.find("Поезд прибыл на станцию Гомель-2.") == ("Gomel",)


def test_lacinka_is_read_in_cyrillic() -> None:
    matcher = default_matcher()
    found = matcher.classify("Kałonu zaŭvažyli pad Baranavičami i la Mazyra.")
    assert found.places == ("Baranovichi", "Mazyr")
    lists = matcher.classify("Zbory prachodziać u Homielskaj i Mahiloŭskaj vobłaściach.")
    assert lists.places == ("Gomel region", "Mogilev region")
    numbered = matcher.classify("Strelby prajšli na 230-m ahulnavajskovym palihonie.")
    assert numbered.places == ("Obuz-Lesnovsky",)


@pytest.mark.parametrize(
    ("spellings", "place"),
    [
        (("Mozyr", "Mazyr"), "Mazyr"),
        (("Homiel", "Gomel", "Homel", "Homyel"), "Gomel"),
        (("Baranovichi", "Baranavichy", "Baranavičy"), "Baranovichi"),
        (("Zhabinka", "Žabinka"), "Zhabinka"),
        (("Lepel", "Lyepyel", "Lepiel"), "Lyepyel"),
        (("Vawkavysk", "Vaukavysk", "Vaŭkavysk", "Volkovysk"), "Vaukavysk"),
        (("Rahachow", "Rahachou", "Rahačoŭ", "Rogachev"), "Rahachow"),
        (("Ščučyn", "Shchuchyn", "Shchuchin"), "Shchuchyn"),
        (("Naroulia", "Narowlya", "Narovlya"), "Narowlya"),
    ],
)
def test_informal_latin_spellings(
    index: PlaceIndex, spellings: tuple[str, ...], place: str
) -> None:
    for spelling in spellings:
        assert index.find(f"A column was filmed near {spelling} on Monday.") == (place,), spelling


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("Мир", 0, True),
        ("Сказал: «Мир", 9, True),
        ("🔥Мир", 1, True),
        ("Под Миром", 4, False),
        ("Гродно, Мир", 8, False),
    ],
)
def test_opens_sentence(text: str, start: int, expected: bool) -> None:
    assert opens_sentence(text, start) is expected


def test_explain_says_which_evidence_made_each_place() -> None:
    text = "Цель учений — проверка. Колонна прошла через Мир, в Гомельской и Брестской областях."
    lines = explain(default_matcher(), default_catalog(), text)
    mir = next(line for line in lines if line.startswith("place Mir:"))
    assert "'Мир' (the preposition 'через')" in mir
    gomel = next(line for line in lines if line.startswith("place Gomel region:"))
    assert "'Гомельской' (the head word 'областях' shared by a list)" in gomel
    assert any(
        line.startswith("place not counted: 'Цель' is not Tsel: named like a common word")
        for line in lines
    )
