"""The polling loop and the learned intervals: alerts within a minute for busy sources.

The loop sleeps until exactly when the next source is due (no grid on top), polls every
healthy source right after start, and is woken when a source is added; each source's
interval follows its own rhythm, between the operator's minimum and default interval.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.admin.intake import add_source
from bot.context import Core
from bot.models import SourceKind
from bot.pipeline import schedule
from bot.pipeline.poller import Poller
from bot.runtime.clock import ManualClock
from sandbox import SourceServer

T0 = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)


def dated_rss(minutes: list[int]) -> bytes:
    """An RSS feed whose items were published these many minutes before T0."""
    items = "".join(
        f"<item><guid>i{m}</guid><title>Новость {m}</title><description>Текст {m}"
        f"</description><pubDate>{(T0 - timedelta(minutes=m)):%a, %d %b %Y %H:%M:%S} +0000"
        "</pubDate></item>"
        for m in minutes
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'
    ).encode()


# -- the arithmetic -------------------------------------------------------------------------


def test_rhythm_is_the_median_gap_between_the_newest_dated_items() -> None:
    dates = [T0 - timedelta(minutes=m) for m in (0, 5, 10, 20, 25)]
    assert schedule.rhythm([*dates, None]) == 300.0
    assert schedule.rhythm([T0, None]) is None
    assert schedule.rhythm([]) is None


def test_gap_is_learned_from_dates_else_from_what_polls_found() -> None:
    assert schedule.learn_gap(None, document=120.0, new_items=0, since_last=None) == 120.0
    assert schedule.learn_gap(None, document=None, new_items=2, since_last=600.0) == 300.0
    moved = schedule.learn_gap(1000.0, document=None, new_items=1, since_last=100.0)
    assert moved == pytest.approx(0.7 * 1000 + 0.3 * 100)
    assert schedule.learn_gap(500.0, document=None, new_items=0, since_last=9.0) == 500.0


def test_interval_follows_the_rhythm_within_the_operators_bounds() -> None:
    kw: dict[str, float] = {"minimum": 60.0}
    assert schedule.learned_interval(300.0, gap=None, quiet_for=None, **kw) == 300.0
    assert schedule.learned_interval(300.0, gap=2400.0, quiet_for=30.0, **kw) == 120.0
    assert schedule.learned_interval(300.0, gap=60.0, quiet_for=10.0, **kw) == 60.0
    assert schedule.learned_interval(300.0, gap=86_400.0, quiet_for=0.0, **kw) == 300.0
    # A busy source gone quiet slows down with its silence.
    assert schedule.learned_interval(300.0, gap=600.0, quiet_for=4800.0, **kw) == 240.0


# -- the loop -------------------------------------------------------------------------------


class WakeOnly:
    """A sleeper that records how long the loop asked to sleep and waits for a wake-up."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        self.asked.append(seconds)
        await event.wait()


async def until(predicate: Callable[[], bool]) -> None:
    """Wait (at most ten seconds) until a condition holds."""
    async with asyncio.timeout(10):
        while not predicate():  # noqa: ASYNC110 -- the server records requests; no event
            await asyncio.sleep(0.01)


async def test_loop_polls_at_start_sleeps_until_the_next_due_and_wakes_for_a_new_source(
    core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    clock.set(T0)
    busy = source_server.add("busy.rss", dated_rss([2, 7, 12, 17]))  # every 5 minutes
    rare = source_server.add("rare.rss", dated_rss([60 * 24, 60 * 48]))  # once a day
    for url, name in ((busy, "Busy"), (rare, "Rare")):
        await core.db.sources.add(
            url, kind=SourceKind.RSS, name=name, now=T0, next_poll_at=T0 + timedelta(hours=1)
        )
    sleeper = WakeOnly()
    # The shipped defaults: five minutes at most, one at least.
    pipe = dataclasses.replace(
        core.pipeline, poll_interval=timedelta(minutes=5), min_interval=timedelta(minutes=1)
    )
    poller = Poller(pipe, sleeper=sleeper)
    task = asyncio.create_task(poller.run())
    try:
        # Both are due an hour from now, yet start-up polls them at once.
        await until(lambda: bool(source_server.requests_to("busy.rss")))
        await until(lambda: bool(source_server.requests_to("rare.rss")))
        await until(lambda: not poller.polling)
        sources = {s.name: s for s in await core.db.sources.all()}
        assert sources["Busy"].item_gap == 300.0
        assert sources["Rare"].item_gap == 86_400.0
        # The busy feed is polled every minute (its gap / 20, at the operator's minimum),
        # the rare one at the default interval: each at its next slot on its own grid.
        for name, interval in (("Busy", 60.0), ("Rare", 60.0 * 5)):
            due = sources[name].next_poll_at
            assert due is not None
            earliest = max(interval / 2, 60.0)
            assert earliest <= (due - T0).total_seconds() < earliest + interval
        # The loop sleeps exactly until the first of them is due: no grid of its own.
        await until(lambda: bool(sleeper.asked) and sleeper.asked[-1] < 3600)
        first_due = min(s.next_poll_at for s in sources.values() if s.next_poll_at)
        assert sleeper.asked[-1] == (first_due - T0).total_seconds()

        # A source added meanwhile is polled at once: adding it wakes the loop.
        new = source_server.add("new.rss", dated_rss([1, 3]))
        await add_source(core.db, new, now=T0, allow_private=True, name="New")
        poller.wake()
        await until(lambda: bool(source_server.requests_to("new.rss")))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_source_that_failed_keeps_its_backoff_at_start(
    core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    clock.set(T0)
    url = source_server.add("f.rss", dated_rss([1]))
    source = await core.db.sources.add(
        url, kind=SourceKind.RSS, name="F", now=T0, next_poll_at=T0 + timedelta(hours=2)
    )
    await core.db.sources.record_failure(
        source.id, now=T0, next_poll_at=T0 + timedelta(hours=2), kind="http_5xx", detail="x"
    )
    assert await core.db.sources.due_now(T0) == 0
    assert await core.db.sources.next_due() == T0 + timedelta(hours=2)


class NoSleep:
    """A sleeper that returns at once: the test drives the loop one step at a time."""

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        del event, seconds


async def test_two_loops_share_a_burst_each_claiming_only_what_it_has_room_for(
    core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    clock.set(T0)
    for n in range(5):
        url = source_server.add(f"burst{n}.rss", dated_rss([1, 2]))
        await core.db.sources.add(url, kind=SourceKind.RSS, name=f"B{n}", now=T0)
    pipe = dataclasses.replace(core.pipeline, concurrency=2)
    one = Poller(pipe, sleeper=NoSleep(), holder="one")
    two = Poller(pipe, sleeper=NoSleep(), holder="two")
    for holder in ("one", "two"):  # both alive, as running instances are
        await core.db.leases.heartbeat(holder, now=T0, ttl=timedelta(minutes=1))
    await one.step()
    await two.step()
    rows = await core.db.fetchall("SELECT poll_holder, last_polled_at FROM sources")
    touched = [row for row in rows if row["poll_holder"] or row["last_polled_at"] is not None]
    assert len(touched) == 4  # two each, at most: the fifth waits for a free slot
    await until(lambda: not one.polling and not two.polling)
    sources = await core.db.sources.all()
    assert sum(source.last_polled_at is not None for source in sources) == 4
    assert [len(source_server.requests_to(f"burst{n}.rss")) for n in range(5)].count(1) == 4
    await one.step()  # room again: the fifth
    await until(lambda: not one.polling)
    assert all(len(source_server.requests_to(f"burst{n}.rss")) == 1 for n in range(5))
