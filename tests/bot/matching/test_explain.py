"""What `outpost classify` and `outpost explain` print, as plain functions over the matcher."""

from __future__ import annotations

import json

import pytest

from bot.matching import default_catalog, default_matcher
from bot.matching.explain import LineError, classify_line, explain


def test_classify_line_adds_the_documented_fields_and_keeps_the_rest() -> None:
    line = json.dumps({"id": 7, "text": "Эшелон с танками Т-72 замечен на станции Осиповичи"})
    item = classify_line(default_matcher(), line)
    assert item["id"] == 7
    assert set(item) == {
        "id", "text", "topics", "places", "lang", "severity", "oblasts", "border_km",
    }  # fmt: skip
    assert "equipment" in item["topics"]
    assert item["places"] == ["Asipovichy"]
    assert item["oblasts"] == ["Mogilev region"]
    json.dumps(item)  # every field is plain JSON


@pytest.mark.parametrize(
    ("line", "why"),
    [("not json", "not JSON"), ('{"no_text": 1}', "no `text` string"), ("[1]", "no `text`")],
)
def test_classify_line_says_what_is_wrong(line: str, why: str) -> None:
    with pytest.raises(LineError, match=why):
        classify_line(default_matcher(), line)


def test_explain_names_words_rules_and_places() -> None:
    lines = explain(default_matcher(), default_catalog(), "У Мазыры пачаліся вучэнні войскаў")
    assert lines[0] == "language: be"
    assert "topic drills (medium): 'вучэнні' ~ frame 'exercise'" in lines
    assert any(line.startswith("place Mazyr: town, Gomel region") for line in lines)
    dropped = explain(default_matcher(), default_catalog(), "Учение Аристотеля о добродетели")
    assert "topics: none" in dropped
    assert any(line.startswith("ambiguous:") and "Аристотеля" in line for line in dropped)
