"""Everything a server can send, end to end: each bad input gives its source a named error
kind in /sources, while the other sources keep working and nothing stored is lost."""

from __future__ import annotations

import dataclasses

import pytest

from bot.admin.intake import add_source
from bot.context import Core
from bot.pipeline.cycle import Pipeline, run_cycle
from bot.pipeline.fetch.fetcher import Fetcher
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import say
from tests.helpers.paths import DATA
from tests.helpers.settings import ADMIN_ID
from tests.helpers.sources import DRILLS, rss

BAD = DATA / "bad"

# Every fixture in tests/data/bad, with the kind its source must show (None: it is valid).
FIXTURES = {
    "billion_laughs.xml": "xml_entities",
    "external_entity.xml": "xml_entities",
    "cp1251.rss": None,
    "empty.rss": "empty_body",
    "not_a_feed.html": "not_a_feed",
    "truncated.rss": "malformed_xml",  # items before the damage are kept, the damage named
    "wrong_declared_encoding.rss": "encoding_error",
    "truncated.json": "malformed_xml",
    "api_error.json": "not_a_feed",
    "soft_404.xml": "not_a_feed",
    "deep_nesting.xml": "too_deep",  # refused before any parser, not read for minutes
}


def test_every_bad_fixture_is_covered() -> None:
    assert {path.name for path in BAD.iterdir()} == set(FIXTURES)


async def _setup(core: Core, server: SourceServer) -> tuple[int, int, set[int]]:
    """A good source and the soon-bad one, both read once; return their ids and event ids."""
    good_url = server.add("good.rss", rss(*DRILLS))
    good = await add_source(
        core.db, good_url, now=core.clock.now(), allow_private=True, name="Good"
    )
    bad_url = server.add("bad", rss(("b1", "Эшелон в Лунинце"), ("b2", "Колонна у Ельска")))
    bad = await add_source(core.db, bad_url, now=core.clock.now(), allow_private=True, name="Bad")
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.failed == 0
    events = {event.id for event in await core.db.events.recent(limit=100)}
    assert len(events) == 7
    return good.id, bad.id, events


async def _check(
    sandbox: SandboxBotAPI,
    core: Core,
    server: SourceServer,
    events: set[int],
    kind: str,
    *,
    pipe: Pipeline | None = None,
    fresh: str = "d9",
) -> None:
    server.add("good.rss", rss((fresh, f"Учения у Мозыря {fresh}"), *DRILLS))
    report = await run_cycle(pipe or core.pipeline, all_sources=True)
    assert report.errors == {"Bad": kind}
    assert report.new_events == 1  # the good source's new item
    stored = {event.id for event in await core.db.events.recent(limit=100)}
    assert events < stored  # nothing lost, the good source's news added
    sources = {s.name: s for s in await core.db.sources.all()}
    assert sources["Bad"].last_error_kind == kind
    assert sources["Bad"].consecutive_failures == 1
    assert sources["Good"].consecutive_failures == 0
    board = await say(sandbox, ADMIN_ID, "/sources")
    assert f"last error: {kind}" in board


@pytest.mark.parametrize("name", sorted(FIXTURES))
async def test_bad_fixture(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, name: str
) -> None:
    _, bad_id, events = await _setup(core, source_server)
    content_type = "application/json" if name.endswith(".json") else "application/xml"
    if name.endswith(".html"):
        content_type = "text/html; charset=utf-8"
    source_server.add("bad", (BAD / name).read_bytes(), content_type=content_type)
    kind = FIXTURES[name]
    if kind is None or name == "truncated.rss":
        report = await run_cycle(core.pipeline, all_sources=True)
        assert report.errors == {}
        assert report.new_events >= 1  # the valid (or recovered) items are read
        source = await core.db.sources.get(bad_id)
        assert source is not None
        assert source.consecutive_failures == 0
        assert source.last_error_kind == kind
        if name == "cp1251.rss":
            titles = [event.title for event in await core.db.events.recent(limit=100)]
            assert "Учения у Бреста: войска выдвигаются к границе" in titles
        return
    await _check(sandbox, core, source_server, events, kind)


@pytest.mark.parametrize(
    "case",
    [
        (404, b"<html><body>Not found</body></html>", "http_4xx"),
        (403, b"Forbidden", "http_4xx"),
        (429, b"Slow down", "http_4xx"),
        (500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", "http_5xx"),
        (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "http_5xx"),
        (200, b"<!DOCTYPE html><html><body>Maintenance</body></html>", "not_a_feed"),
        (200, b"", "empty_body"),
    ],
)
async def test_http_errors(
    sandbox: SandboxBotAPI,
    core: Core,
    source_server: SourceServer,
    case: tuple[int, bytes, str],
) -> None:
    status, body, kind = case
    _, _, events = await _setup(core, source_server)
    source_server.add("bad", body, status=status, content_type="text/html")
    await _check(sandbox, core, source_server, events, kind)


async def test_too_large_slow_redirect_loop_and_blocked(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    _, _, events = await _setup(core, source_server)
    small = dataclasses.replace(
        core.pipeline,
        fetcher=Fetcher(core.http, allow_private=True, max_bytes=10_000, total_timeout=0.5),
    )
    source_server.add("bad", b"<rss>" + b"x" * 50_000)
    await _check(sandbox, core, source_server, events, "too_large", pipe=small)

    # A trickle: each chunk comes well within a read timeout, the whole never within 0.5 s.
    source_server.add_slow("bad", [b"<rss>", b"<channel>", b"</channel></rss>"], delay=2.0)
    await core.db.sources.set_active(2, active=True)  # reset the failure count
    await _check(sandbox, core, source_server, events, "timeout", pipe=small, fresh="d10")

    source_server.add_redirect("bad", source_server.url("bad2"))
    source_server.add_redirect("bad2", source_server.url("bad"))
    await core.db.sources.set_active(2, active=True)
    await _check(sandbox, core, source_server, events, "too_many_redirects", fresh="d11")

    guarded = dataclasses.replace(
        core.pipeline,
        fetcher=Fetcher(core.http, allow_private=False, max_bytes=10_000, total_timeout=5),
    )
    source_server.add("bad", rss(*DRILLS))
    await core.db.sources.set_active(2, active=True)
    # The good source is local too, so with the SSRF guard on both are refused.
    server_good = source_server.url("good.rss")
    source_server.add("good.rss", rss(("d12", "Учения у Мозыря"), *DRILLS))
    report = await run_cycle(guarded, all_sources=True)
    assert report.errors == {"Bad": "blocked_url", "Good": "blocked_url"}
    assert events <= {event.id for event in await core.db.events.recent(limit=100)}
    assert server_good.startswith("http://127.0.0.1")
