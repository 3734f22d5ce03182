"""The shipped starter set: every outline is a source Outpost accepts, described for humans."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.admin.intake import normalise_source
from bot.admin.opml import parse_opml
from bot.admin.starter import starter_opml
from bot.models import SourceKind

LANGUAGES = {"be", "ru", "uk", "en", "pl", "lt"}


def test_every_starter_source_is_accepted_and_described() -> None:
    data = starter_opml()
    entries = parse_opml(data)
    assert len(entries) >= 15
    outlines = {
        node.get("xmlUrl"): node
        for node in ET.fromstring(data).iter("outline")  # noqa: S314 -- our own packaged file
    }
    for entry in entries:
        url, kind = normalise_source(entry.url, kind=None, allow_private=False)
        assert url == entry.url  # stored as written: no rewriting hides a typo
        node = outlines[entry.url]
        assert entry.title
        assert node.get("language") in LANGUAGES
        assert node.get("category") == ("telegram" if kind is SourceKind.TELEGRAM else "feed")
        assert len(node.get("description") or "") > 20
    assert {outlines[e.url].get("language") for e in entries} >= {"be", "ru", "uk", "en"}


def test_the_file_says_its_addresses_are_unchecked_and_how_to_check() -> None:
    text = starter_opml().decode()
    assert "UNCHECKED" in text
    assert "outpost poll --once" in text
    assert "outpost sources list" in text
