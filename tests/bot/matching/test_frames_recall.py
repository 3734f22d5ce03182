"""Recall of frames on text the catalog was not tuned on: every form of a verb, and families
of words in all four languages rather than listed pairs.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from bot.matching.matcher import normalize_phrase
from bot.matching.normalize import word_forms
from tests.bot.matching.cases import finds, finds_each, misses, topics

# --- "to reach" names the verb in every form; a bare "reach" stays the noun ----------------


def test_to_before_an_english_word_names_the_verb() -> None:
    assert normalize_phrase("to reach", "en") == ("reach|v",)
    assert normalize_phrase("to pull out", "en") == ("pull|v", "out|n")
    assert normalize_phrase("reach", "en") == ("reach|n",)
    # "to" before a word that is no verb is an ordinary word of the phrase
    assert normalize_phrase("to the border", "en")[0] != "the|v"


test_every_form_of_a_movement_verb_makes_deployments = finds(
    "deployments",
    [
        "Russian soldiers are reaching the outskirts of Orsha by now.",
        "Another battalion is crossing into Belarus near Mazyr.",
        "Moscow is dispatching paratroopers to the Brest region.",
        "The regiment reaches Slutsk tomorrow, local residents say.",
        "Troops were pulling out of the Gomel region overnight.",
    ],
)


test_every_form_of_other_verbs_counts = finds_each(
    [
        ("The ministry is stressing that the army stays in its barracks.", "statements"),
        ("Russia was launching Iskander missiles from the Bryansk region.", "missiles"),
        ("Poland is sealing the border crossings with Belarus for a week.", "border"),
    ],
)


test_movement_verbs_without_forces_are_no_deployment = misses(
    "deployments",
    [
        "The runner is reaching the finish line in Minsk.",
        "She was dispatching parcels from the post office all morning.",
        "A tank of water was crossing the yard on a tractor.",
    ],
)


# --- the forces family: every kind of serviceman, in every language -------------------------


test_kinds_of_servicemen_on_the_move_are_deployments = finds(
    "deployments",
    [
        "Бойцы спецназа прибыли в Лунинец ночью.",
        "Саперы выдвинулись к мосту через Припять.",
        "Пехота выехала из Борисова в сторону Орши.",
        "Расійскія байцы прыбылі ў Лунінец.",
        "Сапёры выехалі да мяжы з Украінай.",
        "Російські бійці прибули до Лунинця.",
        "Сапери виїхали до кордону біля Мозиря.",
        "Russian sappers were sent to the border near Pinsk.",
        "Belarusian infantry moved closer to Mazyr.",
        "The military is pulling back from the Brest region.",
    ],
)


test_an_army_of_fans_and_a_police_officer_are_no_force = misses(
    "deployments",
    [
        "Армия болельщиков приехала в Борисов на матч.",
        "Армія заўзятараў прыехала ў Барысаў.",
        "Армія волонтерів приїхала прибирати парк.",
        "An army of volunteers arrived to plant trees in Homel.",
        "Офицер полиции приехал на место ДТП.",
        "Офіцери поліції приїхали на виклик.",
    ],
)


test_servicemen_at_a_training_ground_or_practising_are_drills = finds(
    "drills",
    [
        "Артиллеристы поразили мишени на полигоне под Слонимом.",
        "Танкісты адпрацавалі задачы на палігоне ля Баранавіч.",
        "Десантники відпрацювали висадку на полігоні під Брестом.",
        "Belarusian gunners spent the week at a training ground near Slonim.",
        "Reservists practised setting up roadblocks near Hrodna.",
    ],
)


# --- how officials speak ---------------------------------------------------------------------


test_more_ways_of_speaking_make_statements = finds(
    "statements",
    [
        "Министр обороны пригрозил Литве ответом армии.",
        "Міністр абароны выказаўся пра пагрозу вайны з захаду.",
        "Міністр оборони пригрозив відповіддю на провокації на кордоні.",
        "The defence minister vowed to defend the country against any invasion.",
        "The president threatened to respond to NATO drills with force.",
    ],
)


def test_farmers_mobilising_for_the_harvest_is_no_call_up(matcher: Matcher) -> None:
    assert "mobilization" not in topics(
        matcher, "Local farmers are mobilising to bring in the harvest."
    )


@pytest.mark.parametrize(
    ("form", "verb"),
    [("выведзеныя", "вывесці"), ("ўведзеныя", "увесці"), ("вызвалены", "вызваліць")],
)
def test_belarusian_participles_with_a_short_prefix_reach_their_verb(form: str, verb: str) -> None:
    assert verb in word_forms(form, "be")


def test_a_withdrawn_unit_in_belarusian_is_a_deployment(matcher: Matcher) -> None:
    assert "deployments" in topics(matcher, "Байцы палка выведзеныя з-пад Гомеля на захад.")


test_added_forces_and_anti_aircraft_phrases = finds_each(
    [
        ("Минск направил дополнительные силы к литовской границе.", "deployments"),
        ("Мінск накіраваў дадатковыя сілы да літоўскай мяжы.", "deployments"),
        ("Мінськ перекинув додаткові сили до литовського кордону.", "deployments"),
        ("Minsk sent additional forces towards the Lithuanian border.", "deployments"),
        ("Под Речицей заметили зенитные установки.", "air"),
        ("Пад Рэчыцай заўважылі зенітныя ўстаноўкі.", "air"),
        ("Біля Речиці помітили зенітні установки.", "air"),
        ("Anti-aircraft guns were seen near Rechytsa.", "air"),
    ],
)


test_tactical_special_training_is_drills = finds(
    "drills",
    [
        "Подразделение прошло тактико-специальную подготовку под Марьиной Горкой.",
        "Спецназ прайшоў тактыка-спецыяльную падрыхтоўку пад Марынай Горкай.",
        "Підрозділ пройшов тактико-спеціальну підготовку під Мар'їною Горкою.",
    ],
)


test_more_officials_make_statements = finds(
    "statements",
    [
        "Губернатор Брестской области заявил об угрозе с польской границы.",
        "Губернатар Гродзенскай вобласці заявіў пра пагрозу з боку NATO.",
        "Сенатор США заявив, що Білорусь готується до війни.",
        "A US senator warned that Belarus could join the war.",
    ],
)


def test_a_think_tanks_council_is_no_official(matcher: Matcher) -> None:
    text = "Таку думку висловив директор програм Ради зовнішньої політики про загрозу війни."
    assert "statements" not in topics(matcher, text)
