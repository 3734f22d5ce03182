"""Canonical links and item keys: the same story must always get the same key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.pipeline.parse.identity import canonical_link, item_key


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://news.example.org/2022/10/11/t72-echelon?ref=mainpage",
            "https://news.example.org/2022/10/11/t72-echelon",
        ),
        (
            "https://news.example.org/a?utm_source=rss&utm_medium=feed",
            "https://news.example.org/a",
        ),
        ("HTTPS://News.Example.ORG:443/Path#comments", "https://news.example.org/Path"),
        ("http://example.org:80/", "http://example.org/"),
        ("http://example.org:8080/x", "http://example.org:8080/x"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a?", "https://example.org/a"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org/a?id=5&fbclid=XYZ&gclid=1&yclid=2", "https://example.org/a?id=5"),
        ("https://example.org/a?UTM_Campaign=x&_ga=1&mc_cid=2&mc_eid=3", "https://example.org/a"),
        ("https://example.org/a?igshid=1&ref_src=twsrc", "https://example.org/a"),
        # Repeated keys keep their relative order; raw encoding is preserved.
        ("https://example.org/s?q=a%20b&tag=2&tag=1", "https://example.org/s?q=a%20b&tag=2&tag=1"),
        ("https://example.org/s?tag=2&a=1&tag=1", "https://example.org/s?a=1&tag=2&tag=1"),
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        ("  https://example.org/x  ", "https://example.org/x"),
    ],
)
def test_canonical_link(url: str, expected: str) -> None:
    assert canonical_link(url) == expected


@pytest.mark.parametrize("junk", ["not a url", "", "http://[::1", "https://example.org:99999/"])
def test_canonical_link_never_raises(junk: str) -> None:
    assert canonical_link(junk) == junk.strip()


def test_canonical_link_is_idempotent() -> None:
    once = canonical_link("HTTP://Example.org:80/a?z=1&utm_x=2&b=3#frag")
    assert canonical_link(once) == once == "http://example.org/a?b=3&z=1"


def test_guid_wins() -> None:
    key = item_key(guid=" news-ex-10401 ", link="https://x.org/a", title="T", published=None)
    assert key == "guid:news-ex-10401"


def test_blank_guid_falls_back_to_canonical_link() -> None:
    key = item_key(
        guid="  ", link="https://News.example.org/a?utm_source=rss#x", title="T", published=None
    )
    assert key == "link:https://news.example.org/a"


def test_republished_link_gives_same_key() -> None:
    first = item_key(
        guid=None,
        link="https://news.example.org/2022/10/11/t72-echelon",
        title="Эшелон",
        published=None,
    )
    again = item_key(
        guid=None,
        link="https://news.example.org/2022/10/11/t72-echelon?ref=mainpage",
        title="Эшелон (повтор)",
        published=None,
    )
    assert first == again


def test_title_key_normalises_title_and_time() -> None:
    when = datetime(2022, 10, 11, 9, 40, tzinfo=timezone(timedelta(hours=3)))
    a = item_key(guid=None, link=None, title="  Учения   у Бреста ", published=when)
    b = item_key(guid=None, link="", title="учения у бреста", published=when.astimezone(UTC))
    assert a == b
    assert a.startswith("title:")
    assert len(a) == len("title:") + 40
    later = item_key(guid=None, link=None, title="Учения у Бреста", published=when + timedelta(1))
    assert later != a
    assert item_key(guid=None, link=None, title="Учения у Бреста", published=None) != a


def test_huge_guid_is_hashed() -> None:
    key = item_key(guid="x" * 100_000, link=None, title="T", published=None)
    assert key.startswith("guid-sha1:")
    assert len(key) < 100
