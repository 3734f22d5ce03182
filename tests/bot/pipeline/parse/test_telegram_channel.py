"""Public Telegram channel previews (t.me/s/NAME) into items."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import ErrorKind
from bot.pipeline.parse.telegram_channel import (
    channel_page_url,
    parse_channel_page,
    parse_views,
)
from tests.helpers.paths import SAMPLES

BASE = "https://t.me/s/belwatch_demo"


def _page(messages: str) -> bytes:
    return (
        '<html><body class="tgme_webpreview_page"><section class="tgme_channel_history">'
        f"{messages}</section></body></html>"
    ).encode()


def _message(post: str, inner: str) -> str:
    return f'<div class="tgme_widget_message js-widget_message" data-post="{post}">{inner}</div>'


def test_sample_channel() -> None:
    result = parse_channel_page((SAMPLES / "channel_be.html").read_bytes(), base_url=BASE)
    assert result.ok
    assert result.title == "Belarus Watch (demo)"
    assert [item.key for item in result.items] == [
        f"tg:belwatch_demo/{n}" for n in (1201, 1202, 1203, 1204, 1205)
    ]
    first, photo, drone, contact, call_up = result.items
    assert first.link == "https://t.me/belwatch_demo/1201"
    assert first.canonical_link == first.link
    assert first.published == datetime(2022, 10, 11, 8, 15, tzinfo=UTC)
    assert first.views == 12_300
    assert first.text == (
        "⚡️ Ельск. Каля аддзела міліцыі рыхтуюцца да сумесных вучэнняў, заняткі ў музычнай "
        "школе адменены.\n\nЖыхарам забаранілі здымаць калону тэхнікі. #Ельск"
    )
    assert first.title == (
        "⚡️ Ельск. Каля аддзела міліцыі рыхтуюцца да сумесных вучэнняў, заняткі ў музычнай "
        "школе адменены."
    )
    assert not first.has_photo
    assert photo.has_photo
    assert not photo.has_video
    assert photo.views == 9_800
    assert photo.text.split("\n") == [
        "На станцыі Асіповічы грузяць танкі Т-72 на платформы. Кірунак — Расія.",
        "Фота ад чытачоў ніжэй 👇",
    ]
    assert drone.views == 15_000
    # Link text kept, entities decoded once, nothing re-escaped.
    assert contact.text.endswith("Бот для сувязі: @example_bot & пошта <info@example.org>")
    assert call_up.views == 21_000
    assert call_up.published == datetime(2022, 10, 11, 14, 5, tzinfo=UTC)
    assert all(item.forwarded_from is None for item in result.items)
    assert all(len(item.title) <= 120 for item in result.items)


def test_video_forward_reply_and_offsets() -> None:
    inner = (
        '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
        '<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/other">'
        "<span>Other &amp; Co</span></a></div>"
        '<a class="tgme_widget_message_reply" href="https://t.me/belwatch_demo/9">'
        '<div class="tgme_widget_message_text js-message_reply_text">quoted old post</div></a>'
        '<a class="tgme_widget_message_video_player" href="#"><video src="v.mp4"></video></a>'
        '<div class="tgme_widget_message_text js-message_text">Калона на трасе М10</div>'
        '<span class="tgme_widget_message_views">1.2M</span>'
        '<a class="tgme_widget_message_date"><time datetime="2022-10-11T12:00:00+03:00">'
        "</time></a>"
    )
    result = parse_channel_page(_page(_message("belwatch_demo/77", inner)), base_url=BASE)
    (item,) = result.items
    assert item.text == "Калона на трасе М10"
    assert item.has_video
    assert not item.has_photo
    assert item.forwarded_from == "Other & Co"
    assert item.views == 1_200_000
    assert item.published == datetime(2022, 10, 11, 9, 0, tzinfo=UTC)


def test_long_first_line_makes_a_short_title() -> None:
    text = "Слова " * 60 + "канец."
    page = _page(_message("belwatch_demo/5", f'<div class="tgme_widget_message_text">{text}</div>'))
    item = parse_channel_page(page, base_url=BASE).items[0]
    assert len(item.title) <= 120
    assert item.title.endswith("…")


def test_posts_without_text_or_valid_id_are_skipped() -> None:
    page = _page(
        _message("belwatch_demo/1", '<a class="tgme_widget_message_photo_wrap"></a>')
        + _message("belwatch_demo/abc", '<div class="tgme_widget_message_text">x</div>')
        + _message("b/2", '<div class="tgme_widget_message_text">short name</div>')
        + _message("belwatch_demo/3", '<div class="tgme_widget_message_text">ok</div>')
        + _message("belwatch_demo/3", '<div class="tgme_widget_message_text">dup</div>')
    )
    result = parse_channel_page(page, base_url=BASE)
    assert [item.key for item in result.items] == ["tg:belwatch_demo/3"]
    assert result.items[0].published is None
    assert result.items[0].views is None


def test_channel_without_posts_is_ok() -> None:
    result = parse_channel_page(_page(""), base_url=BASE)
    assert result.ok
    assert result.items == ()


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        # What t.me shows for a user or a private channel: no public history.
        b'<html><body><div class="tgme_page"><div class="tgme_page_title">Someone</div>'
        b"</div></body></html>",
        b'{"ok": false}',
        b"\x00\x01\x02binary",
    ],
)
def test_not_a_channel_page(body: bytes) -> None:
    assert parse_channel_page(body, base_url=BASE).error is ErrorKind.NOT_A_FEED


@pytest.mark.parametrize("body", [b"", b"  \n "])
def test_empty_page(body: bytes) -> None:
    assert parse_channel_page(body, base_url=BASE).error is ErrorKind.EMPTY


def test_invalid_utf8_does_not_lose_the_page() -> None:
    page = _page(
        _message("belwatch_demo/8", '<div class="tgme_widget_message_text">ok \xff</div>')
    ).replace("\xff".encode(), b"\xff")
    assert len(parse_channel_page(page, base_url=BASE).items) == 1


@pytest.mark.parametrize(
    ("shown", "count"),
    [
        ("987", 987),
        ("12.3K", 12_300),
        ("15K", 15_000),
        ("1.2M", 1_200_000),
        ("2,5K", 2_500),
        (" 7.1k ", 7_100),
        ("", None),
        ("many", None),
        ("1.2.3K", None),
    ],
)
def test_parse_views(shown: str, count: int | None) -> None:
    assert parse_views(shown) == count


@pytest.mark.parametrize(
    "given",
    [
        "@belwatch_demo",
        "belwatch_demo",
        "t.me/belwatch_demo",
        "https://t.me/belwatch_demo",
        "https://t.me/s/belwatch_demo",
        "http://t.me/s/belwatch_demo/",
        "https://telegram.me/belwatch_demo",
        "  @belwatch_demo  ",
    ],
)
def test_channel_page_url(given: str) -> None:
    assert channel_page_url(given) == "https://t.me/s/belwatch_demo"


@pytest.mark.parametrize(
    "given",
    [
        "@abc",
        "@" + "a" * 33,
        "@bel-watch",
        "https://t.me/joinchat/AAAAAE",
        "https://evil.example.org/belwatch_demo",
        "https://t.me.evil.org/belwatch_demo",
        "",
        "@belwatch demo",
    ],
)
def test_channel_page_url_rejects(given: str) -> None:
    with pytest.raises(ValueError, match="channel"):
        channel_page_url(given)
