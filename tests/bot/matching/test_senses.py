"""Word forms through pymorphy3 and the Belarusian stemmer, and sense rules in the catalog."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.matching import CatalogError, Matcher, normalize_word
from bot.matching.catalog import parse_catalog
from bot.matching.lang import language_candidates
from bot.matching.normalize import word_forms


@pytest.mark.parametrize(
    ("words", "lang", "lemma"),
    [
        (["повестка", "повестки", "повесткой", "повестках"], "ru", "повестка"),
        (["военкомат", "военкомата", "военкоматах"], "ru", "военкомат"),
        (["танк", "танками", "танков"], "ru", "танк"),
        (["повістка", "повістки", "повістками"], "uk", "повістка"),
        (["військкомат", "військкомату", "військкоматі"], "uk", "військкомат"),
        (["ракета", "ракетою", "ракет"], "uk", "ракета"),
    ],
)
def test_pymorphy_lemmas(words: list[str], lang: str, lemma: str) -> None:
    assert {normalize_word(word, lang) for word in words} == {lemma}


@pytest.mark.parametrize(
    "words",
    [
        ["вучэнні", "вучэнняў", "вучэннях", "вучэнне"],
        ["танк", "танкі", "танкаў", "танкамі"],
        ["позва", "позвы", "позваў"],
        ["эшалон", "эшалоны", "эшалонаў", "эшалонам"],
    ],
)
def test_belarusian_stems_meet(words: list[str]) -> None:
    assert len({normalize_word(word, "be") for word in words}) == 1


def test_ambiguous_words_keep_every_lemma() -> None:
    assert {"стать", "сталь"} <= set(word_forms("стали", "ru"))


def test_english_lemmas_keep_parts_of_speech() -> None:
    # One lemma for a noun's forms and one for a verb's; a text word keeps both readings.
    assert normalize_word("drills", "en") == normalize_word("drill", "en") == "drill|n"
    assert normalize_word("drilled", "en") == "drill|v"
    assert set(word_forms("drills", "en")) == {"drill|n", "drill|v"}


def test_undecided_letters_read_in_both_languages() -> None:
    assert language_candidates("Розпочалися навчання") == ("ru", "uk")
    assert language_candidates("Начались учения в Беларуси и России") == ("ru",)
    assert language_candidates("Пачаліся вучэнні") == ("be",)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Военкоматы рассылают повестки резервистам", "mobilization"),
        ("Мужчынам раздаюць позвы ў ваенкамат", "mobilization"),
        ("Чоловікам вручають повістки до військкомату", "mobilization"),
        ("Reservists received their call-up papers", "mobilization"),
        ("Танками забиты платформы эшелона", "equipment"),
        ("Эшалон з танкамі прыбыў на станцыю", "equipment"),
        ("Ешелон з танками прибув", "equipment"),
    ],
)
def test_forms_hit_in_four_languages(matcher: Matcher, text: str, topic: str) -> None:
    assert topic in matcher.classify(text).topics


@pytest.mark.parametrize(
    "text",
    [
        "Учение Аристотеля о добродетели разобрали на лекции",
        "Вучэнне Арыстоцеля пра шчасце вывучаюць студэнты",
        "Мобилизация ресурсов для уборки урожая продолжается",
        "Мабілізацыя рэсурсаў на ўборку ідзе па плане",
        "The council will mobilise resources for flood relief",
        "В школе прошли пожарные учения",
        "Pupils took part in a fire drill",
        "Ціни на пальне знову ракетою злетіли вгору",
        "Prices shot up like a rocket after the announcement",
        "The city's new water tank holds ten thousand litres",
        "Нападающий провел три опасные атаки за первый тайм",
        "The striker's attacks down the left wing won the match",
    ],
)
def test_senses_drop_traps(matcher: Matcher, text: str) -> None:
    assert matcher.classify(text).topics == ()


def test_sense_rule_keeps_the_military_sense(matcher: Matcher) -> None:
    assert "drills" in matcher.classify("Начались учения у границы").topics
    assert "missiles" in matcher.classify("Ракета упала под Мозырем").topics
    assert "mobilization" in matcher.classify("Объявлена мобилизация резервистов").topics


def test_explain_names_the_rule(matcher: Matcher) -> None:
    trace = matcher.trace("Учение Аристотеля о добродетели")
    assert trace.classification.topics == ()
    assert any("Учение" in note and "Аристотеля" in note for note in trace.dropped)


CATALOG = """
[topics.drills]
names = {{ en = "Drills" }}
severity = "medium"
keywords = {{ en = ["drill", "exercise"] }}
{senses}
"""


def test_near_rule_requires_context() -> None:
    catalog = parse_catalog(
        CATALOG.format(
            senses='[[topics.drills.senses]]\nkeywords = ["exercise"]\nwithin = 3\n'
            'near.en = ["military", "troops"]\n'
        ).encode()
    )
    matcher = Matcher(catalog)
    assert matcher.classify("A military exercise began").topics == ("drills",)
    assert matcher.classify("Troops began an exercise").topics == ("drills",)
    assert matcher.classify("An exercise for the mind").topics == ()
    assert matcher.classify("A drill for the mind").topics == ("drills",)  # not governed
    assert matcher.classify("The exercise went on for a long time, the troops said").topics == ()


@pytest.mark.parametrize(
    ("senses", "message"),
    [
        ('[[topics.drills.senses]]\nnot_near.en = ["x"]\nwithin = 0\n', "within"),
        ('[[topics.drills.senses]]\nkeywords = ["tank"]\nnot_near.en = ["x"]\n', "not keywords"),
        ("[[topics.drills.senses]]\nwithin = 2\n", "near"),
        ('[[topics.drills.senses]]\nnot_near.xx = ["x"]\n', "unknown languages"),
        ('[[topics.drills.senses]]\nnot_near.en = ["x"]\nwhen = 1\n', "unknown fields"),
    ],
)
def test_bad_sense_rules_are_refused(senses: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_catalog(CATALOG.format(senses=senses).encode())


def _cli(*args: str, stdin: str = "") -> str:
    """Run the installed `outpost` command line and return what it printed."""
    done = subprocess.run(  # noqa: S603 -- our own CLI, fixed arguments
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def test_cli_classify_and_explain() -> None:
    line = '{"text": "Калона вайсковай тэхнікі ў Асіповічах"}\n'
    item = json.loads(_cli("classify", stdin=line))
    assert item["topics"] == ["deployments", "equipment"]
    assert item["places"] == ["Asipovichy"]
    assert item["oblasts"] == ["Mogilev region"]
    assert item["severity"] == "medium"
    assert set(item["border_km"]) == {"ua", "pl", "lt", "lv", "ru"}

    text = _cli("explain", "Учение Аристотеля известно всем. Сегодня учения войск у Ельска")
    assert "topic drills (medium): 'учения' ~ frame 'exercise'" in text
    assert "  frame exercise (an exercise word beside a military word): exercise 'учения'" in text
    assert "concept forces: 'войск'" in text
    assert "ambiguous: 'Учение' (exercise) not counted: 'Аристотеля' (education) is beside it" in (
        text
    )
    assert "place Yelsk: town, Gomel region, 17.1 km from the ua border" in text


def test_senses_stop_at_the_end_of_a_sentence(matcher: Matcher) -> None:
    text = "Лекция про учение Аристотеля. Учения войск у Ельска"
    assert "drills" in matcher.classify(text).topics
    assert "drills" not in matcher.classify("Лекция про учение Аристотеля у Ельска").topics


GRADED = """
[[topics.drills.senses]]
note = "a planned exercise is news, not an alarm"
keywords = ["exercise"]
within = 4
severity = "low"
near.en = ["planned", "next year"]

[[topics.drills.senses]]
note = "a snap exercise near the border is an alarm"
within = 4
severity = "high"
near.en = ["snap", "border"]
not_near.en = ["school"]
"""


def test_a_rule_grades_the_severity_of_its_hits() -> None:
    catalog = parse_catalog(CATALOG.format(senses=GRADED).encode())
    assert catalog.topic("drills").severities() == {"low", "medium", "high"}
    matcher = Matcher(catalog)
    planned = matcher.classify("An exercise is planned for next year")
    assert planned.topics == ("drills",) and planned.severity == "low"  # graded, not dropped
    assert planned.hits[0].graded == (
        ("exercise", "low", "a planned exercise is news, not an alarm"),
    )
    assert matcher.classify("A drill began").severity == "medium"  # no rule: the topic's
    assert matcher.classify("A drill is planned").severity == "medium"  # rule not for "drill"
    # Both rules fit: the hit takes the most severe; and the report the highest of its hits.
    assert matcher.classify("A snap exercise planned near the border").severity == "high"
    assert matcher.classify("The exercise is planned. A drill began").severity == "medium"
    assert matcher.classify("A snap drill at a school").severity == "medium"  # not_near


def test_a_bad_rule_severity_is_refused() -> None:
    senses = '[[topics.drills.senses]]\nseverity = "urgent"\nnear.en = ["x"]\n'
    with pytest.raises(CatalogError, match="unknown severity 'urgent'"):
        parse_catalog(CATALOG.format(senses=senses).encode())


def test_the_catalog_grades_denials_low(matcher: Matcher) -> None:
    denial = matcher.classify("В Минобороны опровергли слухи о мобилизации")
    assert "mobilization" in denial.topics
    assert denial.topic_severity("mobilization") == "low" and denial.severity == "low"
    real = matcher.classify("В Гомельской области объявлена мобилизация резервистов")
    assert real.severity == "high"
    both = matcher.classify("Слухи о мобилизации опровергли. Но в Бресте объявлена мобилизация")
    assert both.topic_severity("mobilization") == "high"
    text = _cli("explain", "Минобороны назвало фейком слухи о мобилизации")
    assert "topic mobilization (low): 'мобилизации' ~ keyword 'мобилиз*'" in text
    assert "'мобилизации' graded low by a rule: a denial or a rumour of a call-up" in text
