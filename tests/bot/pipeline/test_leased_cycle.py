"""A cycle with a holder (`outpost poll --once`, the ingest benchmark's instances).

Beside running instances on one database it polls neither a source one of them is
polling nor one another cycle polled since it began: each source is read once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.admin.intake import add_source
from bot.pipeline.cycle import run_cycle
from bot.runtime.clock import ManualClock
from bot.services import Services, open_services
from bot.settings import load_settings
from sandbox import SourceServer
from sandbox.synthetic import make_feed
from storage import Database, open_database

T0 = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)


@pytest.fixture
async def two(database_target: Path | str) -> AsyncIterator[tuple[Services, Services]]:
    """Two instances' services on one database (no worker processes), on one clock."""
    clock = ManualClock(T0)
    settings = load_settings(
        env_file=False,
        database=database_target,
        allow_private_sources=True,
        parse_workers=0,
        poll_concurrency=2,
    )
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(open_services(settings, clock=clock))
        second = await stack.enter_async_context(open_services(settings, clock=clock))
        yield first, second


async def add_feeds(db: Database, server: SourceServer, count: int) -> list[str]:
    paths = []
    for n in range(count):
        url = server.add(f"feeds/{n}.rss", make_feed(n, 3))
        await add_source(db, url, now=T0, allow_private=True, name=f"Feed {n}")
        paths.append(f"feeds/{n}.rss")
    return paths


async def test_two_leased_cycles_at_once_poll_each_due_source_once(
    two: tuple[Services, Services], source_server: SourceServer
) -> None:
    first, second = two
    paths = await add_feeds(first.db, source_server, 7)
    reports = await asyncio.gather(
        run_cycle(first.pipeline, holder="one"), run_cycle(second.pipeline, holder="two")
    )
    assert [len(source_server.requests_to(path)) for path in paths] == [1] * 7
    assert sum(report.sources for report in reports) == 7
    assert sum(report.items for report in reports) == 7 * 3
    assert sum(report.failed for report in reports) == 0
    # Both left: no heartbeat, no source held.
    assert not await first.db.leases.others_alive("nobody", now=T0)
    assert all(row["poll_holder"] is None for row in await held(first.db))


async def held(db: Database) -> list[dict[str, object]]:
    rows = await db.fetchall("SELECT id, poll_holder FROM sources ORDER BY id")
    return [{"id": row["id"], "poll_holder": row["poll_holder"]} for row in rows]


async def test_poll_once_skips_what_a_running_instance_polls_and_what_was_just_polled(
    two: tuple[Services, Services], source_server: SourceServer, database_target: Path | str
) -> None:
    first, _ = two
    paths = await add_feeds(first.db, source_server, 4)
    # A running instance is polling the first source right now.
    instance = await open_database(database_target)
    try:
        await instance.leases.heartbeat("running", now=T0, ttl=timedelta(seconds=10))
        busy = await instance.sources.claim_due("running", now=T0, limit=1)
        assert [source.name for source in busy] == ["Feed 0"]
        # Every source, due or not, except the one being polled: `outpost poll --once`.
        report = await run_cycle(first.pipeline, all_sources=True, holder="manual")
        assert report.sources == 3
        assert [len(source_server.requests_to(path)) for path in paths] == [0, 1, 1, 1]
        assert [row["poll_holder"] for row in await held(first.db)] == ["running", *[None] * 3]
        # Nothing is due any more (the clock has not moved) and the first is still held.
        again = await run_cycle(first.pipeline, holder="manual")
        assert again.sources == 0
        # The instance is gone (its heartbeat ran out): its source is free for a cycle.
        clock = first.clock
        assert isinstance(clock, ManualClock)
        clock.advance(timedelta(seconds=11))
        late = await run_cycle(first.pipeline, holder="manual")
        assert late.sources == 1
        assert len(source_server.requests_to(paths[0])) == 1
    finally:
        await instance.close()
