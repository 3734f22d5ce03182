"""The topic catalog: the shipped file, its checks, and resolving a topic a user typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import CatalogError, Severity, default_catalog, load_catalog, resolve_topic
from bot.matching.lang import LANGUAGES

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
    for topic in load_catalog().topics:
        assert set(topic.names) == set(LANGUAGES), topic.name
        assert all(topic.names.values()), topic.name
        assert set(topic.keywords) == set(LANGUAGES), topic.name
        assert all(topic.keywords[lang] for lang in LANGUAGES), topic.name
        assert topic.description
        assert topic.emoji


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
