"""Polling end to end on the running application: silent backfill, edits, paging, discovery,
server hints, backoff with jitter, the per-host limit, and deactivation with one admin notice."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.admin.intake import SourceRefusedError, add_source
from bot.context import Core
from bot.models import SourceKind
from bot.pipeline.analysis import content_hash
from bot.pipeline.cycle import run_cycle
from bot.pipeline.workers import WorkerPool, make_process_pool
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import say
from tests.helpers.paths import SAMPLES
from tests.helpers.settings import ADMIN_ID
from tests.helpers.sources import DRILLS, rss

ALICE = 1001
CHANNEL = "s/chan_demo"


def channel_page(posts: dict[int, str]) -> bytes:
    """Render a t.me/s page with the given post ids and texts."""
    html = "".join(
        f'<div class="tgme_widget_message" data-post="chan_demo/{pid}">'
        f'<div class="tgme_widget_message_text">{text}</div>'
        '<a class="tgme_widget_message_date">'
        f'<time datetime="2022-10-11T{pid % 24:02d}:00:00+00:00"></time></a></div>'
        for pid, text in posts.items()
    )
    page = f'<html><body><section class="tgme_channel_history">{html}</section></body></html>'
    return page.encode()


async def test_first_poll_backfills_silently_then_new_items_alert(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    url = source_server.add("feed.rss", rss(*DRILLS))
    await add_source(core.db, url, now=core.clock.now(), allow_private=True, name="N")
    first = await run_cycle(core.pipeline, all_sources=True)
    assert first.new_events == 5
    assert first.backfilled == 5
    assert first.queued == 0
    await core.dispatcher.drain()
    assert len(sandbox.messages_to(ALICE)) == 1  # only the /subscribe answer

    source_server.add("feed.rss", rss(("d6", "Учения войск у Мозыря"), *DRILLS))
    second = await run_cycle(core.pipeline, all_sources=True)
    assert second.new_events == 1
    assert second.backfilled == 0
    assert second.queued == 1
    await core.dispatcher.drain()
    assert "Мозыря" in (sandbox.messages_to(ALICE)[-1].text or "")


async def test_backfill_alerts_the_newest_n_when_asked(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    url = source_server.add(
        CHANNEL, channel_page({i: f"Учения войск у Ельска, пост {i}" for i in range(1, 6)})
    )
    await add_source(
        core.db, url, now=core.clock.now(), allow_private=True, kind=SourceKind.TELEGRAM
    )
    pipe = dataclasses.replace(core.pipeline, backfill_alerts=2, channel_backfill_pages=0)
    report = await run_cycle(pipe, all_sources=True)
    assert report.new_events == 5
    assert report.backfilled == 3
    assert report.queued == 2
    await core.dispatcher.drain()
    texts = [m.text or "" for m in sandbox.messages_to(ALICE)[1:]]
    assert len(texts) == 2
    assert any("пост 5" in t for t in texts)
    assert any("пост 4" in t for t in texts)


async def test_edited_channel_post_updates_its_event(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    url = source_server.add(CHANNEL, channel_page({7: "Учения войск у Ельска"}))
    await add_source(
        core.db, url, now=core.clock.now(), allow_private=True, kind=SourceKind.TELEGRAM
    )
    await run_cycle(core.pipeline, all_sources=True)
    source_server.add(
        CHANNEL, channel_page({7: "Учения войск у Ельска", 8: "Учения войск у Мозыря"})
    )
    await run_cycle(core.pipeline, all_sources=True)
    await core.dispatcher.drain()
    alerts_before = len(sandbox.messages_to(ALICE))
    (event_8,) = [e for e in await core.db.events.recent() if "Мозыря" in e.title]

    source_server.add(
        CHANNEL,
        channel_page({7: "Учения войск у Ельска", 8: "Учения войск у Мозыря отменены (правка)"}),
    )
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.edited == 1
    assert report.new_events == 0
    assert report.queued == 0
    events = await core.db.events.recent()
    assert len(events) == 2
    edited = next(e for e in events if e.id == event_8.id)
    assert edited.title == "Учения войск у Мозыря отменены (правка)"
    assert "правка" in edited.summary
    stored = await core.db.fetchone("SELECT title, text FROM events WHERE id = ?", (event_8.id,))
    assert stored is not None
    assert stored[1] == "Учения войск у Мозыря отменены (правка)"
    known = await core.db.events.known(edited.source_id or 0)
    assert known["tg:chan_demo/8"] == content_hash(stored[0], stored[1])
    await core.dispatcher.drain()
    assert len(sandbox.messages_to(ALICE)) == alerts_before  # no second alert
    again = await run_cycle(core.pipeline, all_sources=True)
    assert again.edited == 0
    assert again.not_modified == 1


async def test_channel_backfill_pages_backwards_a_bounded_number_of_pages(
    core: Core, source_server: SourceServer
) -> None:
    url = source_server.add(
        CHANNEL, channel_page({10: "десять", 11: "одиннадцать", 12: "двенадцать"})
    )
    source_server.add(
        CHANNEL, channel_page({7: "семь", 8: "восемь", 9: "девять"}), query="before=10"
    )
    source_server.add(CHANNEL, channel_page({4: "четыре", 5: "пять", 6: "шесть"}), query="before=7")
    await add_source(
        core.db, url, now=core.clock.now(), allow_private=True, kind=SourceKind.TELEGRAM
    )
    pipe = dataclasses.replace(core.pipeline, channel_backfill_pages=1)
    report = await run_cycle(pipe, all_sources=True)
    assert report.new_events == 6
    assert report.backfilled == 6
    queries = [r.query.get("before") for r in source_server.requests_to(CHANNEL)]
    assert queries == [None, "10"]
    # Paging happens on the first poll only.
    await run_cycle(pipe, all_sources=True)
    assert [r.query.get("before") for r in source_server.requests_to(CHANNEL)] == [None, "10", None]


async def test_json_feed_source_and_feed_discovery(
    core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    feeds = data_dir / "feeds"
    source_server.add_file("rss/news_ru.rss", SAMPLES / "news_ru.rss")
    source_server.add_file("atom/analysis_en.atom", SAMPLES / "analysis_en.atom")
    site = source_server.add_file("index.html", feeds / "site.html")
    found = await add_source(
        core.db, site, now=core.clock.now(), allow_private=True, fetcher=core.pipeline.fetcher
    )
    assert found.url == source_server.url("rss/news_ru.rss")
    assert found.kind is SourceKind.RSS

    bare = source_server.add(
        "plain.html", b"<html><body>no feeds here</body></html>", content_type="text/html"
    )
    with pytest.raises(SourceRefusedError, match="advertises no"):
        await add_source(
            core.db, bare, now=core.clock.now(), allow_private=True, fetcher=core.pipeline.fetcher
        )

    json_url = source_server.add_file("feed.json", feeds / "feed.json")
    direct = await add_source(
        core.db, json_url, now=core.clock.now(), allow_private=True, fetcher=core.pipeline.fetcher
    )
    assert direct.url == json_url  # a feed stays as given
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.failed == 0
    assert report.items == report.new_events == 6 + 2  # news_ru.rss, then feed.json


async def test_server_hints_stretch_the_interval_within_bounds(
    core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    interval = core.pipeline.poll_interval.total_seconds()  # 60 in the tests
    aged = source_server.add("aged.rss", rss(*DRILLS), headers={"Cache-Control": "max-age=7200"})
    ttl = source_server.add("ttl.rss", rss(*DRILLS, ttl=90))
    plain = source_server.add("plain.rss", rss(*DRILLS))
    limited = source_server.add("busy.rss", b"busy", status=503, headers={"Retry-After": "3600"})
    huge = source_server.add(
        "huge.rss", rss(*DRILLS), headers={"Cache-Control": "max-age=999999999"}
    )
    for url in (aged, ttl, plain, limited, huge):
        await add_source(
            core.db, url, now=clock.now(), allow_private=True, name=url.rsplit("/")[-1]
        )
    await run_cycle(core.pipeline)
    now = clock.now()
    delays = {
        s.name: (s.next_poll_at - now).total_seconds()  # type: ignore[operator]
        for s in await core.db.sources.all()
    }
    assert 3600 <= delays["aged.rss"] < 10800
    assert 2700 <= delays["ttl.rss"] < 8100
    assert interval / 2 <= delays["plain.rss"] < 1.5 * interval
    assert delays["busy.rss"] >= 3600
    assert delays["huge.rss"] <= 1.5 * 86400
    # Nothing is polled again before its time.
    clock.advance(timedelta(seconds=1.5 * interval))
    again = await run_cycle(core.pipeline)
    assert again.sources == 1


async def test_ttl_still_holds_after_a_304(
    core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    # The 304 has no body to read <ttl> from: the one stored from the last body applies.
    url = source_server.add("ttl.rss", rss(*DRILLS, ttl=90))
    await add_source(core.db, url, now=clock.now(), allow_private=True, name="ttl.rss")
    await run_cycle(core.pipeline)
    (source,) = await core.db.sources.all()
    assert source.ttl_minutes == 90
    assert source.next_poll_at is not None
    clock.advance(source.next_poll_at - clock.now())
    again = await run_cycle(core.pipeline)
    assert again.not_modified == 1
    (source,) = await core.db.sources.all()
    assert source.ttl_minutes == 90
    assert source.next_poll_at is not None
    assert (source.next_poll_at - clock.now()).total_seconds() >= 2700  # not the 60 s default
    # A body without <ttl> clears it.
    source_server.add("ttl.rss", rss(*DRILLS))
    clock.advance(source.next_poll_at - clock.now())
    await run_cycle(core.pipeline)
    (source,) = await core.db.sources.all()
    assert source.ttl_minutes is None


async def test_errors_back_off_with_injected_jitter(
    core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    url = source_server.url("missing.rss")  # 404
    await add_source(core.db, url, now=clock.now(), allow_private=True, name="Missing")
    expected = []
    for value in (0.0, 0.5, 0.999):
        pipe = dataclasses.replace(core.pipeline, rand=lambda v=value: v, max_failures=100)
        await run_cycle(pipe, all_sources=True)
        (source,) = await core.db.sources.all()
        assert source.last_error_kind == "http_4xx"
        expected.append((source.next_poll_at - clock.now()).total_seconds())  # type: ignore[operator]
    # A 60 s interval, doubling per failure, scaled by 0.5 + rand; never below the 60 s minimum.
    assert expected[0] == pytest.approx(60)
    assert expected[1] == pytest.approx(120)
    assert expected[2] == pytest.approx(240 * 1.499)


@pytest.fixture
async def counting_server() -> AsyncIterator[tuple[str, list[int]]]:
    """A server that answers slowly and records the most requests it had in flight."""
    state = {"now": 0}
    peaks = [0]

    async def handler(request: web.Request) -> web.Response:
        state["now"] += 1
        peaks[0] = max(peaks[0], state["now"])
        try:
            # Server-side latency, so polls overlap; the test itself never sleeps.
            await asyncio.sleep(0.05)
        finally:
            state["now"] -= 1
        return web.Response(body=rss(*DRILLS), content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/{name}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", peaks
    finally:
        await runner.cleanup()


async def test_per_host_limit(core: Core, counting_server: tuple[str, list[int]]) -> None:
    base, peaks = counting_server
    for index in range(8):
        await add_source(core.db, f"{base}/f{index}", now=core.clock.now(), allow_private=True)
    pipe = dataclasses.replace(core.pipeline, concurrency=8, per_host=2)
    report = await run_cycle(pipe, all_sources=True)
    assert report.ok == 8
    assert peaks[0] == 2


async def test_failing_source_is_turned_off_and_admins_told_once(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    sandbox.register_chat(ADMIN_ID, "private")
    good = source_server.add("good.rss", rss(*DRILLS))
    await add_source(core.db, good, now=core.clock.now(), allow_private=True, name="Good")
    bad = source_server.add(
        "bad.rss", b"<html><body>Error</body></html>", status=500, content_type="text/html"
    )
    await add_source(core.db, bad, now=core.clock.now(), allow_private=True, name="Broken <b>")
    pipe = dataclasses.replace(core.pipeline, max_failures=3)
    for _ in range(5):
        report = await run_cycle(pipe, all_sources=True)
    sources = {s.name: s for s in await core.db.sources.all()}
    broken = sources["Broken <b>"]
    assert not broken.active
    assert broken.deactivated_at is not None
    assert broken.consecutive_failures == 3
    assert sources["Good"].active
    assert report.sources == 1  # only the good one is still polled
    notices = sandbox.messages_to(ADMIN_ID)
    assert len(notices) == 1
    text = notices[0].text or ""
    assert "Broken &lt;b&gt;" in text
    assert "http_5xx" in text
    assert f"/resumesource {broken.id}" in text


async def test_parsing_and_matching_in_worker_processes(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    url = source_server.add("feed.rss", rss(*DRILLS))
    await add_source(core.db, url, now=core.clock.now(), allow_private=True, name="N")
    pool = make_process_pool(core.settings.catalog, 1)
    try:
        pipe = dataclasses.replace(core.pipeline, executor=pool)
        first = await run_cycle(pipe, all_sources=True)
        assert first.new_events == 5
        source_server.add(
            "feed.rss", rss(("d6", "Учения войск у Мозыря"), ("d7", "Учения войск в Бресте"))
        )
        second = await run_cycle(pipe, all_sources=True)
    finally:
        pool.shutdown()
    assert second.new_events == 2
    assert second.queued == 2
    events = await core.db.events.recent(limit=10)
    assert all(event.topics == ("drills",) for event in events)


class PoisonedPool(Executor):
    """Workers that die on a document holding b"POISON", as a crashing C parser would."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        body = fn.args[0].args[0]  # read_in_worker, bound to parse_document, bound to the body
        if b"POISON" in body:
            return self.pool.submit(os._exit, 70)
        return self.pool.submit(fn, *args, **kwargs)


async def test_a_document_that_kills_its_worker_fails_alone(
    core: Core, source_server: SourceServer
) -> None:
    good = source_server.add("good.rss", rss(*DRILLS))
    bad = source_server.add("bad.rss", rss(("p1", "POISON")))
    for url, name in ((bad, "Bad"), (good, "Good")):
        await add_source(core.db, url, now=core.clock.now(), allow_private=True, name=name)
    pool = make_process_pool(core.settings.catalog, 1)
    try:
        # One source at a time: a worker's death also fails the tasks beside it (once).
        pipe = dataclasses.replace(core.pipeline, executor=PoisonedPool(pool), concurrency=1)
        report = await run_cycle(pipe, all_sources=True)
        assert pool.restarts == 2  # the bad document was read twice, on new workers each time
        source_server.add("good.rss", rss(*DRILLS, ("d6", "Учения войск у Мозыря")))
        again = await run_cycle(pipe, all_sources=True)
    finally:
        pool.shutdown()
    assert report.errors == {"Bad": "parser_crash"}
    assert report.new_events == 5
    assert again.new_events == 1  # the new workers go on reading
    sources = {source.name: source for source in await core.db.sources.all()}
    assert sources["Bad"].last_error_kind == "parser_crash"
    assert sources["Good"].last_error_kind is None


def test_a_pool_whose_worker_died_starts_new_workers() -> None:
    pool = make_process_pool(None, 1)
    try:
        with pytest.raises(BrokenProcessPool):
            pool.submit(os._exit, 70).result(timeout=120)
        assert pool.submit(abs, -2).result(timeout=120) == 2
        assert pool.restarts == 1
    finally:
        pool.shutdown()


async def test_every_feed_kind_from_the_local_server(
    core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    feeds = data_dir / "feeds"
    expected = {
        "news_ru.rss": 6,
        "analysis_en.atom": 4,
        "rdf_rss10.rdf": 2,
        "rss091.rss": 2,
        "feed.json": 2,
        "channel_be.html": 5,
    }
    for name in expected:
        kind = SourceKind.TELEGRAM if name.endswith(".html") else SourceKind.RSS
        path = "s/belwatch_demo" if kind is SourceKind.TELEGRAM else name
        folder = SAMPLES if (SAMPLES / name).exists() else feeds
        url = source_server.add_file(path, folder / name)
        await add_source(
            core.db, url, now=core.clock.now(), allow_private=True, name=name, kind=kind
        )
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.errors == {}
    counts = await core.db.events.count_by_source(core.clock.now() - timedelta(hours=1))
    by_name = {s.name: counts.get(s.id, 0) for s in await core.db.sources.all()}
    assert by_name == expected


async def test_paging_stops_when_the_server_ignores_before(
    core: Core, source_server: SourceServer
) -> None:
    url = source_server.add(CHANNEL, channel_page({10: "десять", 11: "одиннадцать"}))
    await add_source(
        core.db, url, now=core.clock.now(), allow_private=True, kind=SourceKind.TELEGRAM
    )
    pipe = dataclasses.replace(core.pipeline, channel_backfill_pages=5)
    report = await run_cycle(pipe, all_sources=True)
    assert report.new_events == 2
    assert [r.query.get("before") for r in source_server.requests_to(CHANNEL)] == [None, "10"]


async def test_admins_are_told_once_when_a_failing_source_is_back(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    sandbox.register_chat(ADMIN_ID, "private")
    broken = b"<html><body>Error</body></html>"
    url = source_server.add("flaky.rss", broken, status=500, content_type="text/html")
    await add_source(core.db, url, now=core.clock.now(), allow_private=True, name="Flaky")
    blip = source_server.add("blip.rss", broken, status=500, content_type="text/html")
    await add_source(core.db, blip, now=core.clock.now(), allow_private=True, name="Blip")
    await run_cycle(core.pipeline, all_sources=True)
    # One failure is a blip: its return is no news.
    source_server.add("blip.rss", rss(*DRILLS))
    for _ in range(2):
        await run_cycle(core.pipeline, all_sources=True)
    assert sandbox.messages_to(ADMIN_ID) == []
    # Three failures in a row (still on), then it answers: told once, not on every poll.
    source_server.add("flaky.rss", rss(*DRILLS))
    for _ in range(3):
        await run_cycle(core.pipeline, all_sources=True)
    await sandbox.wait_for(lambda: len(sandbox.messages_to(ADMIN_ID)) >= 1)
    notices = sandbox.messages_to(ADMIN_ID)
    assert len(notices) == 1
    assert "Source <b>Flaky</b>" in (notices[0].text or "")
    assert "is back" in (notices[0].text or "")


async def test_a_source_turned_off_then_resumed_is_announced_back(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    sandbox.register_chat(ADMIN_ID, "private")
    bad = source_server.add(
        "dead.rss", b"<html><body>Error</body></html>", status=500, content_type="text/html"
    )
    await add_source(core.db, bad, now=core.clock.now(), allow_private=True, name="Dead")
    pipe = dataclasses.replace(core.pipeline, max_failures=2, failing_after=5)
    for _ in range(2):
        await run_cycle(pipe, all_sources=True)
    (dead,) = await core.db.sources.all()
    assert not dead.active
    assert "turned off" in (sandbox.last_to(ADMIN_ID).text or "")
    source_server.add("dead.rss", rss(*DRILLS))
    assert "resumed" in (await say(sandbox, ADMIN_ID, f"/resumesource {dead.id}")).lower()
    before = len(sandbox.messages_to(ADMIN_ID))
    for _ in range(2):
        await run_cycle(pipe, all_sources=True)
    await sandbox.wait_for(lambda: len(sandbox.messages_to(ADMIN_ID)) > before)
    back = sandbox.messages_to(ADMIN_ID)[before:]
    assert len(back) == 1
    assert "<b>Dead</b>" in (back[0].text or "")
    assert "is back" in (back[0].text or "")


async def test_admin_notices_speak_the_admins_language(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    # The admin wrote to the bot from a Telegram set to Ukrainian: the chat is stored so.
    sandbox.push_message(chat_id=ADMIN_ID, text="/start", language_code="uk")
    await sandbox.wait_for_messages(ADMIN_ID, 1)
    bad = source_server.add("bad.rss", b"oops", status=500, content_type="text/html")
    await add_source(core.db, bad, now=core.clock.now(), allow_private=True, name="Broken")
    pipe = dataclasses.replace(core.pipeline, max_failures=1)
    await run_cycle(pipe, all_sources=True)
    notice = sandbox.messages_to(ADMIN_ID)[-1].text or ""
    assert notice.startswith("⚠️ Джерело <b>Broken</b> (#1) вимкнено")
    assert "http_5xx" in notice
