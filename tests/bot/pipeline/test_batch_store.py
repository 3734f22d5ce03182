"""Storing a source's items as one batch gives exactly what storing them one by one gives.

The poller stores a feed's new items with `record_posts` (a few statements per batch); an
admin's post and the older callers use `record_post`. Both run here on the same posts into
two real SQLite files, and every row of events, stories and the outbox must be the same,
including the awkward cases: a key twice in one batch (a repeat, then an edit), two items
with one canonical link, a near-duplicate that joins a story made earlier in the batch,
and a second source reporting a canonical link the first one brought (which joins a story
by what it says, never by the other source's link).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.matching import default_catalog, default_matcher
from bot.models import SourceKind
from bot.pipeline.parse.identity import canonical_link
from bot.pipeline.store import Post, record_post, record_posts
from bot.pipeline.stories import StoryMirror
from bot.runtime.clock import ManualClock
from storage import Database, open_database
from storage.events import NewEvent
from tests.helpers.posts import source_post

ALICE = 3001
LINK = "https://news.example.org/column"


def post(source: int, key: str, text: str, *, link: str | None = None) -> Post:
    return source_post(
        default_matcher(),
        key,
        text.split(".", maxsplit=1)[0],
        text,
        link=link,
        canonical_link=None if link is None else canonical_link(link),
        source_id=source,
        source_name=f"source {source}",
    )


# Two sources' feeds, as two polls would read them (source 1, then source 2).
FIRST = [
    post(1, "a", "Колонна из 28 грузовиков Урал прошла через Ельск к границе.", link=LINK),
    post(1, "b", "Эшелон с танками замечен на станции Лунинец.", link=LINK + "?utm_x=1"),
    post(1, "a", "Колонна из 28 грузовиков Урал прошла через Ельск к границе.", link=LINK),
    post(1, "c", "Колонна из 28 грузовиков Урал прошла через Ельск к границе!", link=None),
    post(1, "b", "Эшелон с танками замечен на станции Лунинец. Дополнено.", link=None),
    post(1, "d", "Военкоматы вручают повестки резервистам в Мозыре.", link=LINK + "/2"),
    post(1, "e", "Министерство заявило, что ситуация спокойная.", link=LINK + "/2"),
]
SECOND = [
    post(2, "x", "A column of 28 Ural trucks passed through Yelsk toward the border.", link=LINK),
    post(2, "y", "Helicopters were seen over Mazyr, residents reported.", link=None),
    post(2, "z", "Эшелон с танками замечен на станции Лунинец. Дополнено.", link=None),
]


async def _database(path: Path | str, clock: ManualClock) -> Database:
    db = await open_database(path)
    await db.chats.register(ALICE, chat_type="private", title=None, language=None, now=clock.now())
    for topic in ("equipment", "mobilization", "drills"):
        await db.chats.subscribe(ALICE, topic, now=clock.now())
    for number in (1, 2):
        await db.sources.add(
            f"https://s{number}.example.org/feed",
            kind=SourceKind.RSS,
            name=f"source {number}",
            now=clock.now(),
        )
    return db


async def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    tables = {
        "events": "SELECT * FROM events ORDER BY id",
        "stories": "SELECT * FROM stories ORDER BY id",
        "outbox": "SELECT story_id, chat_id, priority, status, edit_needed, not_before "
        "FROM outbox ORDER BY id",
    }
    return {name: [tuple(row) for row in await db.fetchall(sql)] for name, sql in tables.items()}


def _prepared(posts: Sequence[Post], *, alert: bool) -> list[Post]:
    return [replace(item, alert=alert) for item in posts]


@pytest.mark.parametrize("alert", [True, False])
async def test_a_batch_stores_what_one_by_one_stores(
    tmp_path: Path, clock: ManualClock, *, alert: bool
) -> None:
    matcher, catalog = default_matcher(), default_catalog()
    single = await _database(tmp_path / "single.sqlite3", clock)
    batched = await _database(tmp_path / "batched.sqlite3", clock)
    try:
        one_by_one = []
        for posts in (FIRST, SECOND):
            for item in posts:
                one_by_one.append(
                    await record_post(
                        single,
                        replace(item, alert=alert),
                        matcher=matcher,
                        catalog=catalog,
                        now=clock.now(),
                    )
                )
            clock.advance(timedelta(minutes=5))
        clock.advance(timedelta(minutes=-10))
        mirror = StoryMirror()
        together = []
        for posts in (FIRST, SECOND):
            async with mirror.transaction(batched):
                together.extend(
                    await record_posts(
                        batched,
                        _prepared(posts, alert=alert),
                        matcher=matcher,
                        catalog=catalog,
                        now=clock.now(),
                        stories=mirror,
                    )
                )
            clock.advance(timedelta(minutes=5))
        assert together == one_by_one
        assert await _rows(batched) == await _rows(single)
        # The cases this test is about did happen.
        assert [outcome.new for outcome in together[:3]] == [True, True, False]
        assert together[4].edited  # "b" again with other text, in the same batch
        assert together[1].story_id == together[0].story_id  # one canonical link
        assert together[6].story_id == together[5].story_id  # "e" shares "d"'s link
        assert together[7].joined and together[7].story_id == together[3].story_id
        queued = await _rows(batched)
        assert bool(queued["outbox"]) is alert
    finally:
        await single.close()
        await batched.close()


async def test_a_batch_holds_one_source_and_needs_a_transaction(
    database_target: Path | str, clock: ManualClock
) -> None:
    db = await _database(database_target, clock)
    try:
        with pytest.raises(ValueError, match="one source"):
            await record_posts(
                db,
                _prepared([FIRST[0], SECOND[0]], alert=False),
                matcher=default_matcher(),
                catalog=default_catalog(),
                now=clock.now(),
            )
        with pytest.raises(RuntimeError, match="transaction"):
            await db.events.batch(1, keys=["a"], links=[None], since=None)
        async with db.transaction():
            batch = await db.events.batch(1, keys=["a"], links=[None], since=None)
            with pytest.raises(ValueError, match="one source"):
                batch.record(
                    NewEvent(
                        source_id=2,
                        source_name="source 2",
                        item_key="a",
                        title="t",
                        text="t",
                        summary="t",
                        link=None,
                        canonical_link=None,
                        lang="en",
                        topics=(),
                        places=(),
                        published_at=None,
                        seen_at=clock.now(),
                    )
                )
        assert await db.events.count() == 0
    finally:
        await db.close()
