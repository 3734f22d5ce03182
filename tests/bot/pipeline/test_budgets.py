"""Per-source budgets: one source never holds up the others. A server that trickles its
answer is cut at the fetch's deadline, a page of deeply nested elements is refused before
any parser sees it, reading a document in a worker stops at its time budget, and the alerts
of a good source beside them leave as soon as that source is stored."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.admin.intake import add_source
from bot.app import OutpostApp, build_application, running
from bot.models import ErrorKind, ParseResult, SourceKind
from bot.pipeline.cycle import run_cycle
from bot.pipeline.parse import parse_document
from bot.pipeline.read import page_of
from bot.pipeline.workers import PAGES, ParseBudgetError, make_process_pool, read_in_worker
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import ALICE, say
from tests.helpers.settings import make_settings
from tests.helpers.sources import DRILLS, EMPTY_CHANNEL, rss

DEPTH = 100_000


def nested_page(depth: int = DEPTH) -> bytes:
    """A t.me page whose one post nests `depth` elements (lexbor: minutes to parse)."""
    return (
        b'<html><body><div class="tgme_widget_message" data-post="bomb/1">'
        b'<div class="tgme_widget_message_text">'
        + b"<div>" * depth
        + b"boom"
        + b"</div>" * depth
        + b"</div></div></body></html>"
    )


@pytest.fixture
async def live(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[OutpostApp]:
    """The application with its dispatcher running and a short fetch deadline."""
    settings = make_settings(sandbox, tmp_path).model_copy(
        update={"fetch_deadline": 8.0, "http_timeout": 5.0}
    )
    app = build_application(settings, clock=clock, poll_jobs=False)
    async with running(app):
        yield app


async def test_a_trickle_and_a_bomb_beside_a_good_source_whose_alert_leaves_at_once(
    sandbox: SandboxBotAPI, live: OutpostApp, source_server: SourceServer
) -> None:
    core = live.bot_data.core
    await say(sandbox, ALICE, "/subscribe drills")
    good = source_server.add("good.rss", rss(*DRILLS))
    slow = source_server.add("slow.rss", rss(*DRILLS))
    bomb = source_server.add("s/bomb", EMPTY_CHANNEL, content_type="text/html")
    now = core.clock.now()
    await add_source(core.db, good, now=now, allow_private=True, name="Good")
    await add_source(core.db, slow, now=now, allow_private=True, name="Slow")
    await add_source(
        core.db, bomb, now=now, allow_private=True, name="Bomb", kind=SourceKind.TELEGRAM
    )
    await run_cycle(core.pipeline, all_sources=True)  # first polls store silently

    source_server.add("good.rss", rss(("d6", "Учения войск у Мозыря"), *DRILLS))
    # A byte every half second: each read comes in time, the whole never does.
    source_server.add_slow("slow.rss", [bytes([b]) for b in rss(*DRILLS)], delay=0.5)
    source_server.add("s/bomb", nested_page(), content_type="text/html")
    cycle = asyncio.create_task(run_cycle(core.pipeline, all_sources=True))
    alerts = await sandbox.wait_for_messages(ALICE, 2, timeout=30)
    assert "Мозыря" in (alerts[-1].text or "")
    # The alert left while the cycle still waited for the trickle.
    assert not cycle.done()
    report = await cycle
    assert report.errors == {"Slow": ErrorKind.TIMEOUT.value, "Bomb": ErrorKind.TOO_DEEP.value}
    assert report.queued == 1


def test_every_parser_refuses_nesting_no_document_has() -> None:
    page = parse_document(
        nested_page(),
        kind=SourceKind.TELEGRAM,
        content_type="text/html",
        base_url="https://t.me/s/bomb",
    )
    assert page.error is ErrorKind.TOO_DEEP
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id>'
        b'<title>t</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        + b"<div>" * DEPTH
        + b"</div>" * DEPTH
        + b"</div></content></entry></feed>"
    )
    parsed = parse_document(atom, kind=SourceKind.RSS, content_type=None, base_url="https://x/")
    assert parsed.error is ErrorKind.TOO_DEEP
    # Nested markup inside one item's text costs that item its markup, not the feed: the
    # words are kept.
    escaped = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        b"<item><guid>a</guid><title>ok</title><description>"
        + b"&lt;div&gt;" * 5_000
        + b"words inside"
        + b"&lt;/div&gt;" * 5_000
        + b"</description></item></channel></rss>"
    )
    parsed = parse_document(escaped, kind=SourceKind.RSS, content_type=None, base_url="https://x/")
    assert parsed.error is None
    assert "words inside" in parsed.items[0].text


def spin(seconds: float) -> ParseResult:
    """A parse that keeps the CPU busy for `seconds` (a stand-in for a pathological one)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return ParseResult()


SIFT = functools.partial(page_of, kind=SourceKind.RSS, base_url="https://x/", known={})


@pytest.mark.timeout(300)  # worker processes start on a shared machine
def test_a_worker_stops_reading_at_its_budget_and_reads_on() -> None:
    pool = make_process_pool(None, 1)
    try:
        stuck = pool.submit(read_in_worker, functools.partial(spin, 60.0), SIFT, 0.5)
        with pytest.raises(ParseBudgetError):
            stuck.result(timeout=120)
        fine = pool.submit(read_in_worker, functools.partial(spin, 0.0), SIFT, 5.0)
        assert PAGES.unpack(fine.result(timeout=120)).count == 0
    finally:
        pool.shutdown()
