"""Precision and recall of frames on classes of text the first frames catalog got wrong.

Every sentence here was written for these tests (none is copied from a corpus): reflexive
verbs and Belarusian participles that missed their verb, units of an army that are as often
a civil team, security words that are as often about roads, food or health, weapon names
that are common words, a longer phrase that gives a word its civil sense, civil drones.
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from bot.matching.normalize import word_forms
from tests.bot.matching.cases import finds, finds_each, finds_nothing, misses, topics

# --- a reflexive verb or a participle meets the verb the catalog lists ---------------------


@pytest.mark.parametrize(
    ("form", "lang", "verb"),
    [
        ("переместились", "ru", "переместить"),
        ("сосредоточились", "ru", "сосредоточить"),
        ("перемістилися", "uk", "перемістити"),
        ("перакінутыя", "be", "перакінуць"),
        ("накіраваныя", "be", "накіраваць"),
        ("пераведзеныя", "be", "перавесці"),
        ("размясціліся", "be", "размясціць"),
    ],
)
def test_reflexive_and_participle_forms_reach_their_verb(form: str, lang: str, verb: str) -> None:
    forms = word_forms(form, lang)
    assert verb in forms
    assert forms[0] != verb or form == verb  # a keyword is never stored as the added verb


test_unlisted_forms_of_movement_make_deployments = finds(
    "deployments",
    [
        "Подразделения российской армии переместились ближе к Гродно.",
        "Танковые роты сосредоточились у Кобрина.",
        "Беларускія вайскоўцы накіраваныя на поўнач ад Ліды.",
        "Білоруські військові перемістилися до кордону біля Мозиря.",
    ],
)


# --- a brigade of builders, a battery, a division of a firm ----------------------------------


test_civil_teams_on_the_move_are_no_deployment = misses(
    "deployments",
    [
        "Бригада монтажников прибыла на новую стройку в Пинске.",
        "A personnel team from the bank moved to the new office in Brest.",
        "The sales division relocated to Grodno last spring.",
        "Брыгада будаўнікоў прыбыла ў Оршу.",
    ],
)


test_army_units_on_the_move_are_deployments = finds(
    "deployments",
    [
        "Военная бригада прибыла на полигон под Борисовом.",
        "An artillery battery moved closer to the Polish border.",
        "Three Russian battalions arrived near Slonim overnight.",
    ],
)


# --- security words about roads, food, health or money ---------------------------------------


test_an_official_on_civil_safety_is_no_statement = misses(
    "statements",
    [
        "Министр транспорта заявил, что безопасность на железных дорогах выросла.",
        "Премьер сообщил, что угроза паводка в Полесье миновала.",
        "The minister said food security is the government's first task.",
        "Міністр заявив, що загроза епідемії грипу зменшилася.",
        "Міністр сельскай гаспадаркі заявіў, што харчовая бяспека краіны забяспечана.",
        "Министр финансов заявил, что санкции не повлияли на бюджет.",
    ],
)


test_an_official_on_security_is_a_statement = finds(
    "statements",
    [
        "Министр обороны заявил, что угроза со стороны НАТО растёт.",
        "Госсекретарь Совбеза заявил, что Запад создаёт угрозу безопасности страны.",
        "The Defence Minister said the threat from the West is growing.",
    ],
)


# --- weapon names that are common words -------------------------------------------------------


test_weapon_names_alone_are_no_weapons = finds_nothing(
    [
        "Ураган повалил деревья в Бресте, синоптики обещают ветер до 25 м/с.",
        "Град размером с орех прошёл над Гомелем.",
        "В зоопарке Гродно родился тигр.",
        "Тополь у школы спилили из-за аварийного состояния.",
    ],
)


test_weapon_names_beside_a_military_word_count = finds_each(
    [
        ("Военные показали РСЗО «Ураган» на полигоне.", "equipment"),
        ("Расчёты РСЗО «Град» артиллерийской бригады провели стрельбы.", "equipment"),
    ],
)


# --- a longer phrase gives a word its sense ----------------------------------------------------


def test_a_districts_boundary_is_not_the_border(matcher: Matcher) -> None:
    assert "border" not in topics(matcher, "Инспекторы задержали браконьера на границе района.")
    # The state border in the same words still is.
    assert "border" in topics(matcher, "Пограничники задержали нарушителя на границе с Литвой.")


def test_the_trace_names_the_phrase_that_cancelled(matcher: Matcher) -> None:
    dropped = matcher.trace("Инспекторы задержали браконьера на границе района.").dropped
    assert any("'границе района'" in note for note in dropped)


# --- civil drones, history, mobilising staff ---------------------------------------------------


test_civil_drones_history_and_staff_are_no_alert = finds_nothing(
    [
        "Дрон снял видео ледохода на Немане.",
        "A drone dropped a pizza parcel at a house in Vitebsk.",
        "Napoleon's troops retreated across the Berezina.",
        "Налоговая инспекция мобилизовала сотрудников на проверки рынков.",
    ],
)


# --- unlisted verbs of leaving and pulling back, English verbs written as verbs ---------------


test_leaving_and_pulling_back_are_deployments = finds(
    "deployments",
    [
        "Расійскія вайскоўцы сышлі з палігона пад Брэстам.",
        "Білоруські підрозділи підтягують ближче до Мозиря.",
        "Russian soldiers are leaving the camp near Slutsk.",
        "Belarusian units pulled back from the Ukrainian border overnight.",
    ],
)


def test_a_dance_named_like_a_missile_is_no_missile(matcher: Matcher) -> None:
    assert topics(matcher, "Ансамбль «Полонез» станцевал на открытии фестиваля в Лиде.") == set()
    assert "missiles" in topics(matcher, "Ракетный комплекс «Полонез» заступил на дежурство.")
