"""OPML read through defusedxml (hostile files refused) and written back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.admin.opml import OpmlError, parse_opml, write_opml
from bot.models import Source, SourceKind

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)


def test_reads_nested_outlines_once_each(data_dir: Path) -> None:
    data = (data_dir / "sources.opml").read_text().replace("{base}", "http://h.example/")
    entries = parse_opml(data.encode())
    assert [(e.url, e.title) for e in entries] == [
        ("http://h.example/rss/news_ru.rss", "Новости Полесья"),
        ("http://h.example/atom/analysis_en.atom", "Posture Notes"),
        ("https://t.me/s/belwatch_demo", "Belarus Watch"),
        ("file:///etc/passwd", "Local file"),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<opml><body><outline xmlUrl="&b;"/></body></opml>',
            "refused",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline xmlUrl="http://a.org/" text="&x;"/></body></opml>',
            "refused",
        ),
        (b'<!DOCTYPE opml SYSTEM "http://evil.example/opml.dtd"><opml/>', "refused"),
        (b"<opml><body><outline xmlUrl='x'", "not well-formed"),
        (b"<rss/>", "not <opml>"),
        (b"", "not well-formed"),
    ],
)
def test_hostile_or_broken_files_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(OpmlError, match=reason):
        parse_opml(data)


def test_too_large() -> None:
    with pytest.raises(OpmlError, match="larger"):
        parse_opml(b" " * 3_000_000)


def _source(sid: int, url: str, name: str, kind: SourceKind, *, active: bool = True) -> Source:
    return Source(
        id=sid,
        url=url,
        kind=kind,
        name=name,
        active=active,
        etag=None,
        last_modified=None,
        last_polled_at=None,
        last_success_at=None,
        last_error_kind=None,
        last_error_detail=None,
        consecutive_failures=0,
        next_poll_at=None,
    )


def test_export_round_trips() -> None:
    sources = [
        _source(1, "https://a.example/feed?x=1&y=2", 'Names & "quotes" <b>', SourceKind.RSS),
        _source(2, "https://t.me/s/belwatch_demo", "Belarus Watch", SourceKind.TELEGRAM),
        _source(3, "https://b.example/rss", "Paused", SourceKind.RSS, active=False),
    ]
    document = write_opml(sources, now=NOW)
    assert document.startswith(b"<?xml")
    assert b'category="telegram"' in document
    assert b'isPaused="true"' in document
    entries = parse_opml(document)
    assert [(e.url, e.title) for e in entries] == [(s.url, s.name) for s in sources]
