"""The topic catalog: the shipped file, its checks, and resolving a topic a user typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.matching import (
    Catalog,
    CatalogError,
    Matcher,
    Severity,
    default_catalog,
    load_catalog,
    resolve_topic,
)
from bot.matching.catalog import parse_catalog
from bot.matching.lang import LANGUAGES
from tests.helpers.paths import DATA

TOPICS = (
    "drills",
    "deployments",
    "equipment",
    "mobilization",
    "air",
    "missiles",
    "border",
    "statements",
)
VALID = """
[topics.drills]
names = { en = "Drills", ru = "Учения" }
description = "Exercises"
severity = "medium"
emoji = "🎯"
keywords = { en = ["drill"], ru = ["учения"] }
"""


def test_packaged_catalog_loads_in_file_order() -> None:
    catalog = load_catalog()
    assert catalog.names() == TOPICS
    assert catalog is default_catalog()  # read once


def test_every_topic_is_complete_in_four_languages() -> None:
    catalog = load_catalog()
    for topic in catalog.topics:
        assert set(topic.names) == set(LANGUAGES), topic.name
        assert all(topic.names.values()), topic.name
        assert topic.description
        assert topic.emoji
        # Its frames' concepts, with what they include, have words in every language.
        languages = {lang for lang, phrases in topic.keywords.items() if phrases}
        for frame in topic.frames:
            for name in frame.concepts:
                languages |= _languages(catalog, name)
        assert languages == set(LANGUAGES), topic.name


def _languages(catalog: Catalog, name: str) -> set[str]:
    """Return the languages a concept, with the concepts it includes, has words in."""
    concept = catalog.concepts[name]
    found = {lang for lang, phrases in concept.phrases.items() if phrases}
    for other in concept.include:
        found |= _languages(catalog, other)
    return found


def test_severities() -> None:
    catalog = load_catalog()
    assert catalog.topic("mobilization").severity == Severity.HIGH
    assert catalog.topic("missiles").severity == "high"
    assert catalog.topic("statements").severity == "low"
    assert catalog.topic("drills").severity == "medium"
    with pytest.raises(KeyError):
        catalog.topic("weather")


def test_loads_an_operator_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(VALID, encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.names() == ("drills",)
    assert catalog.topic("drills").keywords["ru"] == ("учения",)
    assert catalog.topic("drills").exclude == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[topics.drills\nseverity = ", "not a valid TOML"),
        (VALID.replace('"medium"', '"urgent"'), "unknown severity 'urgent'"),
        (VALID.replace('keywords = { en = ["drill"], ru = ["учения"] }', ""), "no keywords"),
        (VALID.replace('["drill"], ru = ["учения"]', "[], ru = []"), "no keywords"),
        (VALID.replace("keywords =", "keyword ="), "unknown fields ['keyword']"),
        (VALID.replace("ru = [", "pl = ["), "unknown languages ['pl']"),
        (VALID.replace('en = "Drills", ', ""), "English name"),
        (VALID.replace('["drill"]', '["dr*"]'), "'*' goes at the end"),
        (VALID.replace('["drill"]', '["..."]'), "has no words"),
        (VALID.replace("[topics.drills]", "[topics.Drills]"), "lower-case"),
        ("title = 'x'\n", "unknown top-level keys"),
        ("", "no [topics.NAME] tables"),
    ],
)
def test_broken_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=message.replace("[", r"\[").replace("*", r"\*")):
        load_catalog(path)


def test_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("drills", "drills"),
        ("Drills", "drills"),
        ("Учения", "drills"),
        ("учение", "drills"),
        ("вучэнні", "drills"),
        ("навчання", "drills"),
        ("  #border ", "border"),
        ("Мяжа", "border"),
        ("кордон", "border"),
        ("Граница", "border"),
        ("мабілізацыя", "mobilization"),
        ("Mobilization", "mobilization"),
        ("заявления", "statements"),
        ("weather", None),
        ("", None),
    ],
)
def test_resolve_topic(text: str, topic: str | None) -> None:
    assert resolve_topic(load_catalog(), text) == topic


FIRST_FORMAT = DATA / "catalog_first_format.toml"


def test_a_catalog_in_the_first_format_still_loads_and_matches() -> None:
    # The catalog as it was before concepts and frames: keywords, exclusions, senses only.
    catalog = load_catalog(FIRST_FORMAT)
    assert catalog.names() == TOPICS
    assert catalog.concepts == {}
    assert all(not topic.frames for topic in catalog.topics)
    matcher = Matcher(catalog)
    assert matcher.classify("Начались учения у Бреста").topics == ("drills",)
    assert matcher.classify("Философы обсуждают учение Аристотеля").topics == ()


CONCEPTS = """
[concepts.forces]
note = "who"
en = ["troops", "battalion"]
ru = ["войско"]

[concepts.movement]
en = ["arrive", "moved"]

[concepts.column]
needs = ["forces"]
unless = ["parade"]
within = 3
en = ["column"]

[concepts.parade]
en = ["parade"]

[concepts.military]
include = ["forces"]
en = ["military"]

[topics.deployments]
names = { en = "Troop movements" }
severity = "medium"

[[topics.deployments.frames]]
note = "forces on the move"
all = ["forces", "movement"]
within = 4

[[topics.deployments.frames]]
all = ["column"]
unless = ["parade"]

[topics.deployments.exclude]
en = ["@parade"]
"""


def test_concepts_and_frames_are_read() -> None:
    catalog = parse_catalog(CONCEPTS.encode())
    assert set(catalog.concepts) == {"forces", "movement", "column", "parade", "military"}
    column = catalog.concepts["column"]
    assert (column.needs, column.unless, column.within) == (("forces",), ("parade",), 3)
    assert catalog.concepts["military"].include == ("forces",)
    first, second = catalog.topic("deployments").frames
    assert (first.concepts, first.within, first.note) == (
        ("forces", "movement"),
        4,
        "forces on the move",
    )
    assert first.label == "forces + movement"
    assert (second.concepts, second.within, second.unless) == (("column",), 8, ("parade",))
    matcher = Matcher(catalog)
    assert matcher.classify("Two battalions arrive in Brest").topics == ("deployments",)
    assert matcher.classify("Arrived in Brest on Monday: two battalions").topics == ()  # too far
    assert matcher.classify("Arrived: two battalions").topics == ("deployments",)
    assert matcher.classify("A column of troops").topics == ("deployments",)
    assert matcher.classify("A column of pensioners").topics == ()
    assert matcher.classify("A column of troops at the parade").topics == ()


def test_a_quoted_concept_counts_only_where_it_attributes_a_quote_to_a_name() -> None:
    text = CONCEPTS + '[concepts.said]\nquoted = true\nen = ["to say"]\n'
    text += 'ru = ["сказать"]\nuk = ["сказати"]\n\n'
    text += '[topics.statements]\nnames = { en = "Statements" }\nseverity = "low"\n\n'
    text += '[[topics.statements.frames]]\nall = ["said"]\n'
    catalog = parse_catalog(text.encode())
    assert catalog.concepts["said"].quoted
    matcher = Matcher(catalog)
    said = "statements"
    assert said in matcher.classify("“Nothing will change,” Petrov said.").topics
    assert said in matcher.classify("«Ничего не изменится», — сказал Петров.").topics
    assert said in matcher.classify('"Нічого не зміниться", - сказав Іван Петров.').topics
    assert said not in matcher.classify("“Nothing will change,” he said.").topics
    assert said not in matcher.classify("«Ничего не изменится», — сказал он.").topics
    assert said not in matcher.classify("Petrov said nothing would change.").topics
    assert said not in matcher.classify("“Nothing,” said the local mayor of Pinsk.").topics


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('all = ["column"]', 'all = ["colum"]'), "no concepts named ['colum']"),
        (('all = ["column"]', "all = []"), "at least one concept"),
        (('needs = ["forces"]', 'needs = ["column"]'), "cannot need or include itself"),
        (('include = ["forces"]', 'include = ["forces", "military"]'), "cannot need or include"),
        (("within = 3\n", "within = 0\n"), "'within' must be a number of words"),
        (("within = 4\n", 'within = "far"\n'), '"text"'),
        (('en = ["@parade"]', 'en = ["@festival"]'), "no concept named 'festival'"),
        (('note = "who"', 'note = "who"\npl = ["wojsko"]'), "unknown fields ['pl']"),
        (('[concepts.parade]\nen = ["parade"]', "[concepts.parade]"), "no phrases"),
        (("[concepts.military]", "[concepts.Military]"), "lower-case"),
        (('en = ["parade"]', 'en = ["parade"]\nquoted = "yes"'), "'quoted' must be true or false"),
        (
            (
                '[[topics.deployments.frames]]\nall = ["column"]',
                "[[topics.deployments.frames]]\nany = 1",
            ),
            "unknown fields",
        ),
    ],
)
def test_broken_concepts_and_frames_are_refused(change: tuple[str, str], message: str) -> None:
    text = CONCEPTS.replace(*change)
    assert text != CONCEPTS
    with pytest.raises(CatalogError, match=re.escape(message)):
        parse_catalog(text.encode())


def test_concepts_that_include_each_other_are_refused() -> None:
    text = CONCEPTS.replace(
        '[concepts.parade]\nen = ["parade"]', '[concepts.parade]\ninclude = ["military"]'
    )
    text = text.replace('include = ["forces"]', 'include = ["forces", "parade"]')
    with pytest.raises(CatalogError, match="concepts include each other"):
        parse_catalog(text.encode())


def test_a_topic_needs_frames_or_keywords() -> None:
    text = CONCEPTS.split("[[topics.deployments.frames]]", maxsplit=1)[0]
    with pytest.raises(CatalogError, match="no keywords and no frames"):
        parse_catalog(text.encode())
