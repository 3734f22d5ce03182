"""RSS 1.0 (RDF), RSS 0.91, JSON Feed, feed discovery and channel paging, from fixture files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import ErrorKind, SourceKind
from bot.pipeline.fetch.discover import feed_links
from bot.pipeline.parse import parse_document, parse_feed, parse_json_feed
from bot.pipeline.parse.telegram_channel import older_page_url, parse_channel_page


def test_rss_10_rdf(data_dir: Path) -> None:
    result = parse_feed((data_dir / "feeds" / "rdf_rss10.rdf").read_bytes())
    assert result.ok
    assert result.title == "Полесский вестник (RSS 1.0)"
    assert [item.title for item in result.items] == [
        "Учения у Мозыря",
        "Эшелон с техникой в Лунинце",
    ]
    first = result.items[0]
    assert first.canonical_link == "https://rdf.example.org/news/1"
    assert first.published == datetime(2022, 10, 11, 9, 0, tzinfo=UTC)
    assert "мотострелковой" in first.text


def test_rss_091_with_external_dtd_and_ttl(data_dir: Path) -> None:
    # The DOCTYPE names an external DTD; it is never fetched (no entity is declared).
    result = parse_feed((data_dir / "feeds" / "rss091.rss").read_bytes())
    assert result.ok
    assert len(result.items) == 2
    assert result.items[0].title == "Column of trucks near Yelsk"
    assert result.items[0].key == "link:https://old.example.org/a/1"
    assert result.ttl_minutes == 90


def test_json_feed(data_dir: Path) -> None:
    body = (data_dir / "feeds" / "feed.json").read_bytes()
    result = parse_document(
        body,
        kind=SourceKind.RSS,
        content_type="application/feed+json",
        base_url="https://json.example.org/feed.json",
    )
    assert result.ok
    assert result.title == "Border Monitor (JSON Feed)"
    assert len(result.items) == 2  # the item without content and the non-object are skipped
    drills, notices = result.items
    assert drills.key == "guid:https://json.example.org/p/3"
    assert drills.canonical_link == "https://json.example.org/p/3"
    assert drills.text == "Joint drills started near Yelsk."
    assert "alert" not in drills.text
    assert drills.published == datetime(2022, 10, 11, 11, 0, tzinfo=UTC)
    assert notices.key == "guid:2"
    assert notices.link == "https://json.example.org/p/2"
    assert notices.title.startswith("Mobilization notices")
    assert notices.published == datetime(2022, 10, 11, 5, 0, tzinfo=UTC)


def test_json_feed_found_without_a_content_type(data_dir: Path) -> None:
    body = (data_dir / "feeds" / "feed.json").read_bytes()
    result = parse_document(body, kind=SourceKind.RSS, content_type=None, base_url="https://x.org/")
    assert len(result.items) == 2


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"{not json", ErrorKind.MALFORMED),
        (b'{"version": "1", "items": []}', ErrorKind.NOT_A_FEED),
        (b"[1, 2]", ErrorKind.NOT_A_FEED),
        (b'{"version": "https://jsonfeed.org/version/1", "items": 3}', ErrorKind.MALFORMED),
        (b"[" * 100_000, ErrorKind.MALFORMED),
        (b"  ", ErrorKind.EMPTY),
        ('{"a": "\u0436"}'.encode("cp1251"), ErrorKind.ENCODING),
    ],
)
def test_bad_json_feeds_are_named(body: bytes, kind: ErrorKind) -> None:
    assert parse_json_feed(body).error is kind


def test_json_feed_refuses_unsafe_links() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "title": "x", "url": "javascript:alert(1)"}],
    }
    (item,) = parse_json_feed(json.dumps(doc).encode()).items
    assert item.link is None


def test_feed_links_are_discovered_in_preference_order(data_dir: Path) -> None:
    html = (data_dir / "feeds" / "site.html").read_bytes()
    assert feed_links(html, "https://site.example.org/index.html") == [
        "https://site.example.org/rss/news_ru.rss",
        "https://site.example.org/atom/analysis_en.atom",
    ]
    assert feed_links(b"<html><link rel=alternate href=/x></html>", "https://a.org/") == []
    assert (
        feed_links(
            b'<link rel="alternate" type="application/rss+xml" href="javascript:x">',
            "https://a.org/",
        )
        == []
    )


def _channel(*ids: int) -> bytes:
    posts = "".join(
        f'<div class="tgme_widget_message" data-post="chan_demo/{i}">'
        f'<div class="tgme_widget_message_text">post {i}</div></div>'
        for i in ids
    )
    page = f'<html><body><section class="tgme_channel_history">{posts}</section></body></html>'
    return page.encode()


def test_older_page_url() -> None:
    page = parse_channel_page(_channel(10, 11, 12), base_url="https://t.me/s/chan_demo")
    assert older_page_url("https://t.me/s/chan_demo", page.items) == (
        "https://t.me/s/chan_demo?before=10"
    )
    assert older_page_url("https://t.me/s/chan_demo?before=10", page.items) == (
        "https://t.me/s/chan_demo?before=10"
    )
    first = parse_channel_page(_channel(1), base_url="https://t.me/s/chan_demo")
    assert older_page_url("https://t.me/s/chan_demo", first.items) is None
    assert older_page_url("https://t.me/s/chan_demo", ()) is None
