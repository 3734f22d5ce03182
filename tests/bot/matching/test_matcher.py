"""The matcher: word forms, traps, designations, languages, explanations, corpus quality."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.matching import (
    Matcher,
    default_catalog,
    detect_language,
    keyword_matcher,
    normalize_phrase,
    normalize_word,
    tokenize,
)
from bot.matching.catalog import parse_catalog
from tests.helpers.paths import DATA

CORPUS = DATA / "corpus" / "events_dev.jsonl"
HELDOUT = DATA / "corpus" / "heldout.jsonl"


@pytest.mark.parametrize(
    "text",
    [
        "Начались учения войск",
        "Итоги учений армии подвели",
        "Об учениях на полигоне сообщили",
        "Военнослужащие готовятся к учениям",
        "Пачаліся вучэнні войскаў",
        "Пасля вучэнняў войскаў",
        "У вучэннях удзельнічаюць войскі",
        "Розпочалися навчання армії",
        "Після навчань на полігоні",
        "Під час навчань військ",
        "The drills of the army began",
        "A military drill near the border",
        "Joint exercises are planned",
        "The exercise of the troops ended on Friday",
    ],
)
def test_word_forms_hit_drills(matcher: Matcher, text: str) -> None:
    assert "drills" in matcher.classify(text).topics


@pytest.mark.parametrize(
    "text",
    ["Начались учения", "Пачаліся вучэнні", "Розпочалися навчання", "The exercise ended on Friday"],
)
def test_an_exercise_word_alone_is_no_drill(matcher: Matcher, text: str) -> None:
    # "навчання" is also schooling, "exercise" also a workout: a military word must stand by.
    assert "drills" not in matcher.classify(text).topics


@pytest.mark.parametrize(
    ("words", "lang"),
    [
        (["учения", "учений", "учениях", "учениями", "учение"], "ru"),
        (["вучэнні", "вучэнняў", "вучэнне", "вучэннях"], "be"),
        (["навчання", "навчань", "навчаннях", "навчанням"], "uk"),
        (["drill", "drills"], "en"),
        (["exercise", "exercises"], "en"),
        (["arrived", "arriving", "arrives"], "en"),
    ],
)
def test_word_forms_share_a_normal_form(words: list[str], lang: str) -> None:
    assert len({normalize_word(word, lang) for word in words}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Философы обсуждают учение Аристотеля о добродетели.",
        "Мобилизация всех ресурсов нужна для уборки урожая.",
        "The water tank at the treatment plant will be replaced.",
        "Pupils left the building calmly during a school fire drill.",
        "В школе прошла пожарная тренировка и учебная эвакуация учащихся.",
        "The striker led a fast attack and scored in the football match.",
        "Студенти повернулися до навчання в університеті.",
        "The company launched a new mobile app for farmers.",
        "Новая бытовая техника подорожала на 10 процентов.",
    ],
)
def test_traps_do_not_match(matcher: Matcher, text: str) -> None:
    assert matcher.classify(text).topics == ()


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Замечен эшелон с Т-72", "equipment"),
        ("Seen: a column of T-72B3 tanks", "equipment"),
        ("Над городом пролетел Ми-8", "air"),
        ("Прибыли шесть Ил-76", "air"),
        ("Взлетел МиГ-31К", "air"),
        ("Су-30СМ заўважылі над Баранавічамі", "air"),
        ("Новые БТР-82А поступили в бригаду", "equipment"),
    ],
)
def test_designations_hit(matcher: Matcher, text: str, topic: str) -> None:
    assert topic in matcher.classify(text).topics


def test_designations_are_one_token() -> None:
    assert [token.surface for token in tokenize("Т-72, Ми-8 и Су-30СМ")] == [
        "Т-72",
        "Ми-8",
        "и",
        "Су-30СМ",
    ]
    # Latin and Cyrillic spellings and the variant letters meet.
    assert normalize_word("Т-72Б3", "ru") == normalize_word("T-72", "en") == "t-72"
    # A road is not a tank.
    assert normalize_word("М-10", "ru") != normalize_word("Т-72", "ru")


def test_tokenize_offsets_folding_and_apostrophes() -> None:
    text = "Ёлкі: пад’ехалі да об'єкта; Belarus's"
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["елкі", "падехалі", "да", "обєкта", "belarus", "s"]
    assert all(text[t.start : t.end] == t.surface for t in tokens)


def test_mixed_scripts() -> None:
    # A Latin word in a Cyrillic text is English; a Latin look-alike letter is folded.
    assert normalize_word("Wagner", "ru") == normalize_word("Wagner", "en")
    assert normalize_word("вучэннi", "be") == normalize_word("вучэнні", "be")  # Latin i


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Танки идут к границе", "ru"),
        ("Объявлена воздушная тревога", "ru"),
        ("Калона тэхнікі рухаецца ў бок мяжы", "be"),
        ("Пачаліся вучэнні", "be"),
        ("Колона техніки рухається до кордону", "uk"),
        ("Ціни на пальне знизилися", "uk"),
        ("Їхні війська", "uk"),
        ("Tanks move toward the border", "en"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_explain_says_which_words_hit(matcher: Matcher) -> None:
    result = matcher.classify("У Мазыры заўважылі калону вайсковай тэхнікі каля мяжы.")
    hits = {hit.topic: hit for hit in result.hits}
    assert result.lang == "be"
    assert result.places == ("Mazyr",)
    assert "калону" in hits["deployments"].words
    assert "column" in hits["deployments"].keywords  # the frame that held
    assert "тэхнікі" in hits["equipment"].words
    assert "border" not in hits  # near the border is not the border topic
    assert tuple(hit.topic for hit in result.hits) == result.topics


def test_topics_come_in_catalog_order(matcher: Matcher) -> None:
    result = matcher.classify("Statement: drills with tanks near the border, the ministry said")
    order = default_catalog().names()
    assert list(result.topics) == sorted(result.topics, key=order.index)


def test_frames_hold_within_a_clause(matcher: Matcher) -> None:
    assert "deployments" in matcher.classify("Russian troops will arrive tomorrow").topics
    assert "deployments" not in matcher.classify("Troops were seen; guests arrive").topics
    assert "deployments" not in matcher.classify("Troops were seen. Guests arrive").topics


def test_multiword_keyword_allows_one_filler() -> None:
    watch = keyword_matcher(["troops arrive"])
    assert watch.find("Russian troops will arrive tomorrow") == ("troops arrive",)
    assert watch.find("Troops were seen as guests arrive") == ()


def test_context_gates_statements(matcher: Matcher) -> None:
    assert matcher.classify("The city council said the plant will reopen.").topics == ()
    said = matcher.classify("The defence minister said the army is ready.")
    assert said.topics == ("statements",)


def test_custom_catalog_exclusions_and_prefixes() -> None:
    catalog = parse_catalog(
        """
        [topics.mobilization]
        names = { en = "Mobilization" }
        severity = "high"
        keywords = { en = ["mobiliz*"], ru = ["повестка"] }
        exclude = { ru = ["повестка дня"] }
        """.encode()
    )
    matcher = Matcher(catalog)
    assert matcher.classify("Reservists were mobilized").topics == ("mobilization",)
    assert matcher.classify("A mobile phone").topics == ()
    assert matcher.classify("Ему вручили повестку").topics == ("mobilization",)
    assert matcher.classify("Повестка дня заседания").topics == ()


def test_user_keywords_are_normalised_like_the_catalog() -> None:
    assert normalize_phrase("вучэнні", "be") == normalize_phrase("вучэнняў", "be")
    assert normalize_phrase("Т-72") == ("t-72",)
    watch = keyword_matcher(["Мозырь", "колонна техники", "Iskander*"])
    assert watch.find("Колонну военной техники видели у Мозыря") == (
        "колонна техники",
        "Мозырь",
    )
    assert watch.find("Iskander-M launchers") == ("Iskander*",)
    assert watch.find("Ничего не произошло") == ()


def _scores(matcher: Matcher, corpus: Path = CORPUS) -> tuple[float, int]:
    """Return the corpus micro-F1 and the number of negatives that got a topic."""
    tp = fp = fn = negatives_hit = 0
    for line in corpus.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        predicted = set(matcher.classify(item["text"]).topics)
        gold, also = set(item["topics"]), set(item["also"])
        tp += len(predicted & gold)
        fp += len(predicted - gold - also)
        fn += len(gold - predicted)
        negatives_hit += bool(predicted - also) and not gold
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, negatives_hit


def test_corpus_quality_floor(matcher: Matcher) -> None:
    f1, negatives_hit = _scores(matcher)
    assert f1 >= 0.8
    assert negatives_hit == 0


def test_heldout_quality_floor(matcher: Matcher) -> None:
    # Sentences written apart from the dev corpus, traps included, in four languages.
    f1, negatives_hit = _scores(matcher, HELDOUT)
    assert f1 >= 0.9
    assert negatives_hit == 0


def test_quality_floor_can_fail() -> None:
    # A matcher that knows a single word must fall below the floor: the test has teeth.
    catalog = parse_catalog(
        b'[topics.drills]\nnames = { en = "Drills" }\nseverity = "medium"\n'
        b'keywords = { en = ["drill"] }\n'
    )
    f1, _ = _scores(Matcher(catalog))
    assert f1 < 0.8
