"""Every failure of a source goes to its health, and one bad item never costs the others.

Failures nobody foresaw are what these tests stand for, so they are made at the seams the
pipeline is built from: a transport that raises (httpx.MockTransport), a matcher with a bug
that one item's words reach, a fan-out with a bug that one report reaches. Everything else
is the real application, storage and sandbox.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import httpx

from bot.admin.intake import add_source
from bot.context import Core
from bot.matching import Matcher, default_places
from bot.matching.matcher import Reading
from bot.models import Classification
from bot.pipeline.audience import Audience
from bot.pipeline.cycle import Pipeline, run_cycle
from bot.pipeline.fetch.fetcher import Fetcher
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from storage import Database
from tests.helpers.chat import ALICE, say
from tests.helpers.sources import EMPTY_RSS, rss

TRIP = "СБОЙ"  # the words that reach the bug


class TrippingMatcher(Matcher):
    """A matcher with a bug that only a text with TRIP in it reaches."""

    def classify(self, text: str | Reading) -> Classification:
        if TRIP in (text.text if isinstance(text, Reading) else text):
            raise RuntimeError("a bug in matching")
        return super().classify(text)


class TrippingAudience(Audience):
    """A fan-out with a bug that only a report with TRIP in it reaches."""

    async def recipients(self, db: Database, found: Classification, reading: Reading) -> list[int]:
        if TRIP in reading.text:
            raise RuntimeError("a bug in fan-out")
        return await super().recipients(db, found, reading)


async def primed_feed(core: Core, server: SourceServer) -> int:
    """Add a feed while it is empty, let its silent first poll pass; return its id."""
    url = server.add("feed.rss", EMPTY_RSS)
    source = await add_source(core.db, url, now=core.clock.now(), allow_private=True, name="F")
    await run_cycle(core.pipeline, all_sources=True)
    return source.id


ITEMS = [
    ("a", "Учения войск у Ельска начались"),
    ("b", f"Учения войск у Мозыря: {TRIP}"),
    ("c", "Учения войск под Оршей начались"),
]


async def test_an_exception_while_reading_a_source_goes_to_its_health(
    core: Core, clock: ManualClock
) -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("the transport broke")

    client = httpx.AsyncClient(transport=httpx.MockTransport(explode))
    fetcher = Fetcher(client, allow_private=True, max_bytes=1_000_000, total_timeout=5.0)
    pipe: Pipeline = dataclasses.replace(core.pipeline, fetcher=fetcher, max_failures=2)
    source = await add_source(
        core.db, "http://127.0.0.1:9/feed.rss", now=core.clock.now(), allow_private=True, name="X"
    )
    try:
        report = await run_cycle(pipe, all_sources=True)
        assert report.errors == {"X": "internal_error"}
        broken = await core.db.sources.get(source.id)
        assert broken is not None
        assert broken.consecutive_failures == 1
        assert broken.last_error_kind == "internal_error"
        assert "the transport broke" in (broken.last_error_detail or "")
        assert broken.next_poll_at is not None and broken.next_poll_at > core.clock.now()
        # It keeps failing: turned off like any source that always fails.
        clock.advance(timedelta(days=1))
        report = await run_cycle(pipe, all_sources=True)
        assert report.deactivated == ["X"]
    finally:
        await client.aclose()


async def test_an_item_whose_analysis_fails_costs_only_itself(
    core: Core, source_server: SourceServer, sandbox: SandboxBotAPI
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    source_id = await primed_feed(core, source_server)
    pipe = dataclasses.replace(
        core.pipeline, matcher=TrippingMatcher(core.catalog, default_places())
    )
    source_server.add("feed.rss", rss(*ITEMS))
    report = await run_cycle(pipe, all_sources=True)
    assert (report.failed, report.new_events, report.rejected) == (0, 2, 1)
    health = await core.db.sources.get(source_id)
    assert health is not None and health.consecutive_failures == 0
    assert health.last_error_kind == "bad_items"
    assert "guid:b: RuntimeError: a bug in matching" in (health.last_error_detail or "")
    await core.dispatcher.drain()
    texts = [m.visible_text for m in sandbox.messages_to(ALICE)]
    assert any("Ельска" in text for text in texts)
    assert any("Оршей" in text for text in texts)


async def test_an_item_that_cannot_be_stored_costs_only_itself(
    core: Core, source_server: SourceServer, sandbox: SandboxBotAPI
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    source_id = await primed_feed(core, source_server)
    audience = TrippingAudience(core.catalog, core.matcher.places)
    pipe = dataclasses.replace(core.pipeline, audience=audience)
    source_server.add("feed.rss", rss(*ITEMS))
    report = await run_cycle(pipe, all_sources=True)
    assert (report.failed, report.new_events, report.rejected) == (0, 2, 1)
    stored = {event.title for event in await core.db.events.recent()}
    assert stored == {ITEMS[0][1], ITEMS[2][1]}
    health = await core.db.sources.get(source_id)
    assert health is not None and health.consecutive_failures == 0
    assert health.last_error_kind == "bad_items"
    assert "a bug in fan-out" in (health.last_error_detail or "")
    await core.dispatcher.drain()
    texts = [m.visible_text for m in sandbox.messages_to(ALICE)]
    assert any("Ельска" in text for text in texts)
    assert any("Оршей" in text for text in texts)
