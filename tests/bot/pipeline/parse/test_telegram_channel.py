"""Public Telegram channel previews (t.me/s/NAME) into items."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import ErrorKind
from bot.pipeline.parse.telegram_channel import (
    POLL_MARK,
    channel_page_url,
    older_page_url,
    parse_channel_page,
    parse_views,
)
from tests.helpers.paths import DATA, SAMPLES

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


# Real pages other projects saved (tests/data/channels/README.md names each one's origin).
CHANNELS = DATA / "channels"


def _real(name: str) -> bytes:
    return (CHANNELS / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "posts"),
    [
        # Feb 2023: posts 1 ("Channel created") and 92 ("… pinned «…»") are service notices.
        ("tchantest_2023.html", {62: "2023-02-24T08:01:26", 89: "2023-02-24T12:13:31"}),
        ("clashreport_2026.html", {93429: "2026-08-24T03:46:52", 93433: "2026-08-24T03:58:11"}),
    ],
)
def test_real_pages_of_each_vintage(name: str, posts: dict[int, str]) -> None:
    channel = name.split("_", maxsplit=1)[0].replace("clashreport", "ClashReport")
    result = parse_channel_page(_real(name), base_url=f"https://t.me/s/{channel}")
    assert result.ok
    assert [item.key for item in result.items] == [f"tg:{channel}/{pid}" for pid in posts]
    for item, (pid, when) in zip(result.items, posts.items(), strict=True):
        assert item.link == f"https://t.me/{channel}/{pid}"
        assert item.published == datetime.fromisoformat(when).replace(tzinfo=UTC)
        assert item.text
        assert item.title
        assert item.text == item.text.strip()


def test_service_notices_on_a_real_page_are_not_posts() -> None:
    result = parse_channel_page(_real("tchantest_2023.html"), base_url=BASE)
    texts = " ".join(f"{item.title} {item.text}" for item in result.items)
    assert "Channel created" not in texts
    # The pinned notice repeats an old post's words: as a post it would alert again.
    assert "Going to pin this message" not in texts
    assert "pinned" not in texts
    # Paging goes by posts: the notices' ids (1 and 92) do not move the "before" cursor.
    assert older_page_url(BASE, result.items) == f"{BASE}?before=62"


def test_forward_and_line_breaks_on_a_real_2023_page() -> None:
    multiline, forward = parse_channel_page(_real("tchantest_2023.html"), base_url=BASE).items
    assert multiline.text == "Bigger\ntext\nmessage\nnumber\n34"
    assert multiline.views == 2
    assert forward.forwarded_from == "Some user"
    assert forward.text == ";)"


def test_photo_caption_blockquote_and_reply_on_a_real_2026_page() -> None:
    photo, reply = parse_channel_page(_real("clashreport_2026.html"), base_url=BASE).items
    assert photo.has_photo
    assert photo.views == 3_120
    # "U.S." is an abbreviation, not the whole first sentence.
    assert photo.title.startswith("U.S. Treasury Secretary Scott Bessent says Washington")
    assert photo.text.endswith("the Iranian economy.\n\nSource: FT")
    # A reply quotes the replied-to post in the same markup; only the reply is the post.
    assert "Andy Burnham" not in reply.text
    assert reply.text.startswith("Britain will support Ukraine’s long-range missile")
    assert not reply.has_photo


def test_service_notice_by_its_class_whatever_its_words() -> None:
    service = (
        '<div class="tgme_widget_message text_not_supported_wrap service_message '
        'js-widget_message" data-post="belwatch_demo/{pid}">'
        '<div class="tgme_widget_message_text js-message_text">{text}</div></div>'
    )
    page = _page(
        service.format(pid=10, text="Live stream started")
        + service.format(pid=11, text="Belwatch pinned «Troops seen near Yelsk this morning»")
        + _message("belwatch_demo/12", '<div class="tgme_widget_message_text">Troops seen</div>')
    )
    result = parse_channel_page(page, base_url=BASE)
    assert [item.key for item in result.items] == ["tg:belwatch_demo/12"]


def _poll(question: str, *options: str) -> str:
    # Poll markup as real pages give it (class names from a saved 2023 page; no real poll
    # with a licence to copy was found, see tests/data/channels/README.md).
    rows = "".join(
        '<div class="tgme_widget_message_poll_option">'
        '<div class="tgme_widget_message_poll_option_percent">40%</div>'
        '<div class="tgme_widget_message_poll_option_value">'
        f'<div class="tgme_widget_message_poll_option_text">{option}</div></div></div>'
        for option in options
    )
    return (
        '<div class="tgme_widget_message_poll js-poll">'
        f'<div class="tgme_widget_message_poll_question">{question}</div>'
        '<div class="tgme_widget_message_poll_type">Anonymous Poll</div>'
        f'<a class="tgme_widget_message_poll_options" href="#">{rows}</a></div>'
        '<span class="tgme_widget_message_voters">222</span>'
    )


def test_a_poll_is_a_post_of_its_question_and_options() -> None:
    poll = _poll("Did you see the column on the M1 today?", "Yes, near Barysaw", "No")
    page = _page(_message("belwatch_demo/20", poll))
    (item,) = parse_channel_page(page, base_url=BASE).items
    assert item.title == f"{POLL_MARK} Did you see the column on the M1 today?"
    assert item.text == (
        f"{POLL_MARK} Did you see the column on the M1 today?\n— Yes, near Barysaw\n— No"
    )
    assert "Anonymous Poll" not in item.text
    assert "40%" not in item.text


def test_media_without_caption_is_skipped_with_caption_kept() -> None:
    photo = '<a class="tgme_widget_message_photo_wrap" href="#"></a>'
    page = _page(
        _message("belwatch_demo/30", photo)
        + _message(
            "belwatch_demo/31",
            photo + '<div class="tgme_widget_message_text">Эшелон у Лунинца</div>',
        )
    )
    (item,) = parse_channel_page(page, base_url=BASE).items
    assert item.key == "tg:belwatch_demo/31"
    assert item.has_photo


def test_invisible_characters_leave_titles_and_text() -> None:
    # The hidden-link trick: a zero-width space as the text of a link to a picture.
    text = (
        '<a href="https://telegra.ph/file/x.jpg">\u200b</a>\u200b⚡️ Калона\u00ad на М10 '
        "\u200e👨\u200d👩\u200d👧"
    )
    page = _page(
        _message("belwatch_demo/40", f'<div class="tgme_widget_message_text">{text}</div>')
    )
    (item,) = parse_channel_page(page, base_url=BASE).items
    assert item.title == item.text == "⚡️ Калона на М10 👨\u200d👩\u200d👧"
