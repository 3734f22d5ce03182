"""What a worker process sends back rebuilds into exactly what it worked out."""

from __future__ import annotations

import gc
import pickle
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from bot.matching import default_matcher
from bot.models import ErrorKind, ParsedItem, ParseResult, SourceKind
from bot.pipeline.alerts import content_hash
from bot.pipeline.workers import (
    Digest,
    analyse,
    make_process_pool,
    pack,
    pack_digest,
    read_document,
    unpack,
    unpack_digest,
    with_analyses,
)

POSTS = [
    ("Колонна техники у Ельска", "Колонна из 28 грузовиков Урал прошла через Ельск к границе."),
    ("Учение Аристотеля", "Лекция об учении Аристотеля прошла в университете."),
    ("Drills", "Drills near Asipovichy and Brest; 12 tanks moved to the Polish border."),
    ("", "Пустой заголовок, но текст есть."),
]


def test_packed_analyses_survive_the_trip_between_processes() -> None:
    analyses = analyse(default_matcher(), POSTS)
    assert any(found.hits for found, _, _ in analyses)
    assert any(found.notes for found, _, _ in analyses)
    assert any(found.border_km for found, _, _ in analyses)
    for analysis in analyses:
        sent = pickle.dumps(pack(analysis))
        assert unpack(pickle.loads(sent)) == analysis  # noqa: S301 -- our own bytes


def _feed(*items: tuple[str, str]) -> bytes:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://n.example.org/{guid}</link><description>{title}</description></item>"
        for guid, title in items
    )
    return f'<rss version="2.0"><channel><title>T</title>{entries}</channel></rss>'.encode()


def _digest(body: bytes, **kwargs: Any) -> Digest:
    read_ = read_document(
        body,
        kind=SourceKind.RSS,
        content_type="application/rss+xml",
        base_url="https://n.example.org/feed",
        **kwargs,
    )
    return with_analyses(default_matcher(), read_)


def test_a_digest_keeps_only_new_and_changed_items_first_of_a_key_winning() -> None:
    body = _feed(
        ("a", "Колонна техники у Ельска"),
        ("b", "Учения у Мозыря"),
        ("c", "Drills near Brest"),
        ("b", "A repeat of b"),
        ("d", "Taken by a newer page"),
    )
    known = {
        "guid:a": content_hash("Колонна техники у Ельска", "Колонна техники у Ельска"),
        "guid:b": "an older content hash",
        "guid:c": None,
    }
    done = _digest(body, known=known, taken={"guid:d"})
    assert done.count == 5
    # "a" is stored as it is; "b" changed, and its repeat is not the first of its key.
    assert [item.key for item in done.fresh] == ["guid:b", "guid:c"]
    assert done.hashes == tuple(content_hash(item.title, item.text) for item in done.fresh)
    assert [found.topics for found, _, _ in done.analyses] == [("drills",), ("drills",)]
    assert done.result.items == ()
    assert done.result.error is None


def test_packed_digests_survive_the_trip_between_processes() -> None:
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
    analysis = analyse(default_matcher(), [(full.title, full.text)])[0]
    done = Digest(
        result=ParseResult(
            title="Chan",
            detail="recovered 1 items",
            ttl_minutes=90,
            warning=ErrorKind.MALFORMED,
        ),
        count=3,
        fresh=(full,),
        hashes=("h",),
        analyses=(analysis,),
        older="https://t.me/s/chan?before=7",
    )
    sent = pickle.dumps(pack_digest(done))
    assert unpack_digest(pickle.loads(sent)) == done  # noqa: S301 -- our own bytes
    # Every field of ParsedItem crosses: one added later and not packed fails here.
    assert len(pack_digest(done)[2][0]) == len(fields(ParsedItem))
    failed = Digest(
        result=ParseResult(error=ErrorKind.NOT_A_FEED, detail="no root"),
        count=0,
        fresh=(),
        hashes=(),
        analyses=(),
    )
    assert unpack_digest(pickle.loads(pickle.dumps(pack_digest(failed)))) == failed  # noqa: S301


def test_a_channel_page_digest_names_its_older_page() -> None:
    posts = "".join(
        f'<div class="tgme_widget_message" data-post="chan_demo/{pid}">'
        f'<div class="tgme_widget_message_text">Пост {pid}</div>'
        '<a class="tgme_widget_message_date">'
        f'<time datetime="2022-10-11T{pid % 24:02d}:00:00+00:00"></time></a></div>'
        for pid in (41, 42)
    )
    body = f'<html><body><section class="tgme_channel_history">{posts}</section></body></html>'
    done = read_document(
        body.encode(),
        kind=SourceKind.TELEGRAM,
        content_type="text/html",
        base_url="https://t.me/s/chan_demo",
        known={},
    )
    assert done.count == 2
    assert done.older == "https://t.me/s/chan_demo?before=41"


def test_a_worker_freezes_what_it_built_at_start() -> None:
    """Its matcher is out of the collector's reach before the first document arrives."""
    pool = make_process_pool(None, 1)
    try:
        assert pool.submit(gc.get_freeze_count).result(timeout=120) > 10_000
    finally:
        pool.shutdown()
