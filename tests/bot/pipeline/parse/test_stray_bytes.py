"""Decoding per item: a UTF-8 feed with a stray Windows-1252 byte (an en dash pasted from a
Windows editor) keeps every item; the byte costs at most the characters it stands for, and
the poll is counted on the source's health as damage, not as a failure."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.admin.intake import add_source
from bot.context import Core
from bot.models import ErrorKind
from bot.pipeline.cycle import run_cycle
from bot.pipeline.parse import parse_feed
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import ALICE, say
from tests.helpers.sources import DRILLS, rss

EN_DASH_1252 = b"\x96"


def one_bad_byte(*items: tuple[str, str]) -> bytes:
    """An RSS feed whose first item's title carries a cp1252 en dash among UTF-8 text."""
    body = rss(*items)
    first = items[0][1].encode()
    return body.replace(first, first + b" " + EN_DASH_1252 + b" day 2", 1)


def test_one_stray_byte_keeps_every_item() -> None:
    items = [("a", "Учения у Бреста"), ("b", "Колонна у Мозыря"), ("c", "Drills near Yelsk")]
    for fast in (True, False):
        parsed = parse_feed(one_bad_byte(*items), fast=fast)
        assert parsed.error is None
        assert [item.title for item in parsed.items] == [
            "Учения у Бреста – day 2",  # the byte read as what Windows meant by it
            "Колонна у Мозыря",
            "Drills near Yelsk",
        ]
        assert parsed.warning is ErrorKind.ENCODING
        assert "1 byte(s)" in parsed.detail


def test_a_declared_utf8_feed_with_a_few_bad_bytes_is_mended() -> None:
    body = one_bad_byte(("a", "Учения"), ("b", "Колонна")).replace(
        b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="utf-8"?>'
    )
    parsed = parse_feed(body, content_type="application/rss+xml; charset=UTF-8")
    assert len(parsed.items) == 2
    assert parsed.warning is ErrorKind.ENCODING


def test_a_feed_in_another_encoding_is_not_taken_for_stray_bytes() -> None:
    # Every Cyrillic letter a byte that is not UTF-8: not "a few", so not mended as cp1252.
    body = rss(("a", "Учения у Бреста: войска выдвигаются к границе")).decode().encode("cp1251")
    parsed = parse_feed(body)
    assert not parsed.items or "Учения" in parsed.items[0].title


@settings(max_examples=50)
@given(
    titles=st.lists(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
        ).filter(str.strip),
        min_size=1,
        max_size=8,
    ),
    stray=st.lists(st.integers(0x80, 0xFF), min_size=1, max_size=3),
    where=st.integers(0, 7),
)
def test_stray_bytes_never_cost_an_item(titles: list[str], stray: list[int], where: int) -> None:
    items = [(f"g{n}", title) for n, title in enumerate(titles)]
    body = rss(*[(guid, f"T{n}") for n, (guid, _) in enumerate(items)])
    for n, (_, title) in enumerate(items):
        body = body.replace(
            f"<title>T{n}</title>".encode(), f"<title>{_xml(title)}</title>".encode()
        )
    target = f"<guid>g{where % len(items)}</guid>".encode()
    clean = parse_feed(body.replace(target, target + b"<description>xy</description>"))
    body = body.replace(target, target + b"<description>x" + bytes(stray) + b"y</description>")
    parsed = parse_feed(body)
    assert parsed.error is None or clean.error is not None
    if clean.items:
        assert [item.title for item in parsed.items] == [item.title for item in clean.items]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def test_a_feed_with_one_bad_byte_still_alerts_its_good_items(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    url = source_server.add("feed.rss", rss(*DRILLS))
    source = await add_source(core.db, url, now=core.clock.now(), allow_private=True, name="W")
    await run_cycle(core.pipeline, all_sources=True)
    source_server.add(
        "feed.rss",
        one_bad_byte(
            ("d6", "Учения войск у Мозыря"), ("d7", "Колонна военной техники у Ельска"), *DRILLS
        ),
    )
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.failed == 0
    assert report.new_events == 2
    await core.dispatcher.drain()
    alerts = " ".join(m.text or "" for m in sandbox.messages_to(ALICE)[1:])
    assert "Мозыря" in alerts
    stored = await core.db.sources.get(source.id)
    assert stored is not None
    assert stored.consecutive_failures == 0
    assert stored.last_error_kind == ErrorKind.ENCODING.value  # counted on its health
