"""Places that reports of military sites name: an air base after a word for an airfield,
rivers, city districts, names of several capitals, the sourced sites and spellings the
gazetteer gained (classical Belarusian, Ukrainian -ів-, the Roman one in Cyrillic)."""

from __future__ import annotations

import pytest

from bot.matching import PlaceIndex, load_places


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(load_places())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Два Су-30СМ перелетели на аэродром под Барановичами.", {"Baranovichi air base"}),
        ("Штурмовики вернулись на авиабазу в Лиде к вечеру.", {"Lida air base"}),
        ("На аэрадроме каля Бабруйска заўважылі новыя ангары.", {"Babruysk air base"}),
        ("Гелікоптери перелетіли на аеродроми у Лунинці та Барановичах.", {
            "Luninets air base", "Baranovichi air base",
        }),
        ("Satellite photos show new shelters at the air base near Lida.", {"Lida air base"}),
    ],
)  # fmt: skip
def test_an_airfield_word_gives_the_towns_air_base(
    index: PlaceIndex, text: str, expected: set[str]
) -> None:
    found = set(index.find(text))
    assert expected <= found
    assert {place[: -len(" air base")] for place in expected} & {
        "Baranovichi", "Lida", "Babruysk", "Luninets",
    } <= found  # fmt: skip  # the town stays too


@pytest.mark.parametrize(
    "text",
    [
        "Военные прошли по улицам Лиды. Новый аэродром построят нескоро.",  # another sentence
        "Лётчики из Барановичей рассказали школьникам о службе.",  # no airfield word
        "Рейс из Минска задержали: аэродром под Минском закрыт туманом.",  # no air base there
    ],
)
def test_no_air_base_without_its_word_in_the_sentence(index: PlaceIndex, text: str) -> None:
    assert not any(place.endswith("air base") for place in index.find(text))
    assert "Minsk National Airport" not in index.find(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Понтонный мост навели через реку Березина у деревни.", ()),
        ("Сапёры расчистили берег ракі Свіслач ля моста.", ()),
        ("Engineers bridged the Berezina river overnight.", ()),
        ("В Березино прошли сборы резервистов.", ("Bierazino",)),
        ("Колонна вышла из Свислочи на запад.", ("Svislach",)),
    ],
)
def test_a_name_after_a_word_for_a_river_is_the_river(
    index: PlaceIndex, text: str, expected: tuple[str, ...]
) -> None:
    assert index.find(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Военкомат в Ленинском районе Гродно продлил приём.", ("Grodno",)),
        ("Сборы проходят в Пружанском и Ленинском районах Бреста.", (
            "Pruzhany District", "Brest",
        )),
        ("Учения прошли в Починковском районе Смоленской области.", ()),
        ("Сборы в Осиповичском районе завершились.", ("Asipovichy District",)),
    ],
)  # fmt: skip
def test_a_town_adjective_before_district_names_no_raion(
    index: PlaceIndex, text: str, expected: tuple[str, ...]
) -> None:
    assert index.find(text) == expected


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Kolejne ciężarówki: Кузница Белостоцкая снова закрыта для грузовиков.", "Bruzgi"),
        ("Поляки перекрили рух: Кузниця Білостоцька не працює.", "Bruzgi"),
        ("Poland reopened Kuznitsa for lorries on Monday.", "Bruzgi"),
        ("Десантники из Красного Двора отправились на полигон.", "Chyrvony Dvor"),
    ],
)
def test_a_name_of_several_capitals_needs_no_more_evidence(
    index: PlaceIndex, text: str, place_id: str
) -> None:
    assert place_id in index.find(text)


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        # sourced sites (scripts/gazetteer/extra_places.toml)
        ("Транспортные самолёты заметили на аэродроме Балбасово под Оршей.", "Balbasovo"),
        ("Курсанты учебного центра в Печах вышли на стрельбище.", "Pechy"),
        ("Эшелон разгрузили на станции Озерище ночью.", "Azyaryshcha"),
        ("Вагоны для личного состава собирают на станции Богатырево.", "Bogatyrevo"),
        ("Платформы стоят на станции Барановичи-Центральные.", "Baranovichi-Tsentralnye"),
        ("У вайсковым гарадку Заслонава прайшлі зборы.", "Zaslonovo"),
        ("Ешелон прибув на станцію Осиповичі-І вранці.", "Asipovichy-I"),
        ("Со станции Чепино ушёл состав с техникой.", "Chepino"),
        ("Вагоны-платформы простояли сутки в Верейцах.", "Vereitsy"),
        # training grounds under more English names
        ("Guns fired at the Asipovichski training ground.", "Osipovichsky training ground"),
        ("Paratroopers trained at the firing range Brestsky again.", "Brestsky training ground"),
        ("Tanks moved to the Barysauski training ground on Monday.", "Borisovsky training ground"),
        # classical Belarusian and Ukrainian spellings
        ("У Берасьці зноў чуваць стрэлы.", "Brest"),
        ("Гарадзенскія вайскоўцы вярнуліся з вучэнняў.", "Grodno"),
        ("Зборы ў Стаўпецкім раёне пачнуцца ў панядзелак.", "Stowbtsy District"),
        ("Навчання в Борисівському районі завершилися.", "Barysaw District"),
        ("Колона техніки пройшла через Борисів.", "Barysaw"),
        ("Резервістів Воронівського району викликали до військкомату.", "Voronovo District"),
        ("Танки вывезли из Уречья на прошлой неделе.", "Urechcha"),
        ("Тэхніку прывезлі з Мастоў у Гродна.", "Grodno"),
    ],
)  # fmt: skip
def test_new_sites_and_spellings(index: PlaceIndex, text: str, place_id: str) -> None:
    assert place_id in index.find(text)


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Гомельского областного исполкома руководство провело совещание.", "Gomel region"),
        ("Намеснік старшыні Віцебскага абласнога выканкама правёў зборы.", "Vitebsk region"),
        ("Голова Брестського обласного виконкому приїхав на полігон.", "Brest region"),
        ("Жлобинский районный исполком объявил сборы.", "Zhlobin District"),
    ],
)
def test_a_councils_adjective_names_its_region(index: PlaceIndex, text: str, place_id: str) -> None:
    assert place_id in index.find(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Стрельбы идут на Гожском и Брестском полигонах.", {
            "Gozhsky training ground", "Brestsky training ground", "Brest",
        }),
        ("Вучэнні на Асіповіцкім і Лепельскім палігонах працягнулі.", {
            "Osipovichsky training ground", "Lepelsky training ground",
        }),
        ("Drills were extended at the Lepelsky and Borisovsky training grounds.", {
            "Lepelsky training ground", "Borisovsky training ground",
        }),
        ("Самолёты перебазировали на Лидский и Барановичский аэродромы.", {
            "Lida air base", "Baranovichi air base",
        }),
    ],
)  # fmt: skip
def test_sites_share_a_head_word(index: PlaceIndex, text: str, expected: set[str]) -> None:
    assert expected <= set(index.find(text))


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        # GeoNames' Polish names (libgeonames-common's pl catalogue)
        ("Wojsko białoruskie ćwiczy koło Brześć i Grodna.", "Brest"),
        ("Kolumna wojskowa przejechała przez Mohylew w nocy.", "Mogilev"),
        ("Belarusian units left Baranowicze for the border.", "Baranovichi"),
        # Polish spellings the skeleton folds: cz, sz, szcz, ż and the plural -icze
        ("Rezerwiści z Osipowicze wrócili do domu.", "Asipovichy"),
        ("Trucks seen near Iwacewicze and Szczuczyn.", "Ivatsevichi"),
        ("Trucks seen near Iwacewicze and Szczuczyn.", "Shchuchyn"),
        ("A convoy passed Oszmiana at dawn.", "Oshmyany"),
    ],
)
def test_polish_spellings(index: PlaceIndex, text: str, place_id: str) -> None:
    assert place_id in index.find(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reservists gathered in the Grodno and the Vitebsk regions.", (
            "Grodno region", "Vitebsk region",
        )),
        ("Drills in the Mahiliou, the Homiel and the Brest regions ended.", (
            "Mogilev region", "Gomel region", "Brest region",
        )),
    ],
)  # fmt: skip
def test_a_list_may_repeat_the_article(
    index: PlaceIndex, text: str, expected: tuple[str, ...]
) -> None:
    assert index.find(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Howitzers fired at the Asipovichski ground.", {"Asipovichy"}),
        ("The Barysauski garrison was put on alert.", {"Barysaw"}),
        ("Reservists of the Lidski battalion were called up.", {"Lida"}),
        ("Conscripts were sent to the Leninsky district of Minsk.", {"Minsk"}),
        ("Thirty planes crossed the sky over the parade.", set()),
    ],
)
def test_a_towns_latin_adjective(index: PlaceIndex, text: str, expected: set[str]) -> None:
    assert set(index.find(text)) == expected
