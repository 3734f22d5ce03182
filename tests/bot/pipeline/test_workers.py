"""What a worker process sends back rebuilds into exactly what it worked out."""

from __future__ import annotations

import gc
import pickle
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.matching import default_matcher
from bot.models import ErrorKind, ParsedItem, ParseResult, SourceKind
from bot.pipeline.analysis import Analysis, analyse, content_hash
from bot.pipeline.parse import parse_document
from bot.pipeline.read import Page, page_of
from bot.pipeline.workers import PAGES, TupleCodec, make_process_pool

POSTS = [
    ("Колонна техники у Ельска", "Колонна из 28 грузовиков Урал прошла через Ельск к границе."),
    ("Ресурсы", "Мобилизация ресурсов на уборку урожая идёт по плану."),
    ("Drills", "Drills near Asipovichy and Brest; 12 tanks moved to the Polish border."),
    ("", "Пустой заголовок, но текст есть."),
]
ANALYSES: TupleCodec[Analysis] = TupleCodec(Analysis)


def test_packed_analyses_survive_the_trip_between_processes() -> None:
    analyses = [analyse(default_matcher(), title, text) for title, text in POSTS]
    assert any(one.found.hits for one in analyses)
    assert any(one.found.notes for one in analyses)
    assert any(one.found.border_km for one in analyses)
    for analysis in analyses:
        sent = pickle.dumps(ANALYSES.pack(analysis))
        assert ANALYSES.unpack(pickle.loads(sent)) == analysis  # noqa: S301 -- our own bytes


def _feed(*items: tuple[str, str]) -> bytes:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://n.example.org/{guid}</link><description>{title}</description></item>"
        for guid, title in items
    )
    return f'<rss version="2.0"><channel><title>T</title>{entries}</channel></rss>'.encode()


def _page(body: bytes, **kwargs: Any) -> Page:
    base_url = "https://n.example.org/feed"
    parsed = parse_document(
        body, kind=SourceKind.RSS, content_type="application/rss+xml", base_url=base_url
    )
    return page_of(parsed, default_matcher(), kind=SourceKind.RSS, base_url=base_url, **kwargs)


def test_a_page_keeps_only_new_and_changed_items_first_of_a_key_winning() -> None:
    body = _feed(
        ("a", "Колонна техники у Ельска"),
        ("b", "Учения войск у Мозыря"),
        ("c", "Army drills near Brest"),
        ("b", "A repeat of b"),
        ("d", "Taken by a newer page"),
    )
    known = {
        "guid:a": content_hash("Колонна техники у Ельска", "Колонна техники у Ельска"),
        "guid:b": "an older content hash",
        "guid:c": None,
    }
    done = _page(body, known=known, taken={"guid:d"})
    assert done.count == 5
    # "a" is stored as it is; "b" changed, and its repeat is not the first of its key.
    assert [item.key for item in done.fresh] == ["guid:b", "guid:c"]
    assert tuple(one.content_hash for one in done.analyses) == tuple(
        content_hash(item.title, item.text) for item in done.fresh
    )
    assert [one.found.topics for one in done.analyses] == [("drills",), ("drills",)]
    assert done.parsed.items == ()
    assert done.parsed.error is None


def test_packed_pages_survive_the_trip_between_processes() -> None:
    full = ParsedItem(
        key="tg:chan/7",
        title="Эшелон с танками",
        text="Эшелон с танками замечен на станции Лунинец.",
        link="https://t.me/chan/7",
        canonical_link="https://t.me/chan/7",
        published=datetime(2022, 10, 11, 8, tzinfo=UTC),
        has_photo=True,
        has_video=True,
        forwarded_from="other",
        views=12300,
    )
    analysis = analyse(default_matcher(), full.title, full.text)
    done = Page(
        parsed=ParseResult(
            title="Chan",
            detail="recovered 1 items",
            ttl_minutes=90,
            warning=ErrorKind.MALFORMED,
        ),
        count=3,
        fresh=(full,),
        analyses=(analysis,),
        older="https://t.me/s/chan?before=7",
    )
    sent = pickle.dumps(PAGES.pack(done))
    assert PAGES.unpack(pickle.loads(sent)) == done  # noqa: S301 -- our own bytes
    # Every field of ParsedItem crosses, as a plain tuple.
    assert len(PAGES.pack(done)[2][0]) == len(fields(ParsedItem))
    failed = Page(
        parsed=ParseResult(error=ErrorKind.NOT_A_FEED, detail="no root"),
        count=0,
        fresh=(),
        analyses=(),
    )
    assert PAGES.unpack(pickle.loads(pickle.dumps(PAGES.pack(failed)))) == failed  # noqa: S301


@dataclass(frozen=True, slots=True)
class _Inner:
    name: str
    added_later: int = 0


@dataclass(frozen=True, slots=True)
class _Outer:
    one: _Inner
    maybe: _Inner | None
    many: tuple[_Inner, ...]
    plain: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Listed:
    inners: list[_Inner]


def test_the_packing_follows_the_fields_and_refuses_what_it_cannot_pack() -> None:
    codec = TupleCodec(_Outer)
    value = _Outer(_Inner("a", 1), None, (_Inner("b", 2), _Inner("c")), ("x",))
    packed = codec.pack(value)
    assert packed == (("a", 1), None, (("b", 2), ("c", 0)), ("x",))
    assert codec.unpack(pickle.loads(pickle.dumps(packed))) == value  # noqa: S301
    with_one = _Outer(_Inner("a"), _Inner("m", 3), ())
    assert codec.unpack(codec.pack(with_one)) == with_one
    with pytest.raises(TypeError, match="cannot pack"):
        TupleCodec(_Listed)


def test_a_channel_page_names_its_older_page() -> None:
    posts = "".join(
        f'<div class="tgme_widget_message" data-post="chan_demo/{pid}">'
        f'<div class="tgme_widget_message_text">Пост {pid}</div>'
        '<a class="tgme_widget_message_date">'
        f'<time datetime="2022-10-11T{pid % 24:02d}:00:00+00:00"></time></a></div>'
        for pid in (41, 42)
    )
    body = f'<html><body><section class="tgme_channel_history">{posts}</section></body></html>'
    url = "https://t.me/s/chan_demo"
    parsed = parse_document(
        body.encode(), kind=SourceKind.TELEGRAM, content_type="text/html", base_url=url
    )
    done = page_of(parsed, default_matcher(), kind=SourceKind.TELEGRAM, base_url=url, known={})
    assert done.count == 2
    assert done.older == "https://t.me/s/chan_demo?before=41"


def test_a_worker_freezes_what_it_built_at_start() -> None:
    """Its matcher is out of the collector's reach before the first document arrives."""
    pool = make_process_pool(None, 1)
    try:
        assert pool.submit(gc.get_freeze_count).result(timeout=120) > 10_000
    finally:
        pool.shutdown()
