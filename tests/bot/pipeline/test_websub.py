"""WebSub end to end: a feed that names a hub is subscribed, verified, and pushes alerts.

The real application listens on a local port for its hubs (OUTPOST_HTTP_LISTEN and
OUTPOST_WEBSUB_CALLBACK_URL); `sandbox.WebSubHub` verifies the callback and pushes what is
published, signed; polling goes on beside it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bot.admin.intake import add_source
from bot.app import OutpostApp, build_application, running
from bot.context import Core
from bot.delivery.pacer import ClockTimer
from bot.pipeline.cycle import run_cycle
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer, WebSubHub
from tests.helpers.chat import ALICE, say
from tests.helpers.settings import make_settings


def atom(hub: str, self_url: str, *entries: tuple[str, str]) -> bytes:
    """An Atom feed naming its hub and itself, with (id, title) entries."""
    body = "".join(
        f"<entry><id>{key}</id><title>{title}</title><summary>{title}</summary>"
        f'<link href="https://n.example.org/{key}"/><updated>2022-10-12T11:00:00Z</updated>'
        "</entry>"
        for key, title in entries
    )
    return (
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Hubbed</title>'
        f'<link rel="hub" href="{hub}"/><link rel="self" href="{self_url}"/>{body}</feed>'
    ).encode()


def free_port() -> int:
    """Return a loopback port nobody listens on (the callback URL must name it up front)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def hub() -> AsyncIterator[WebSubHub]:
    """A local WebSub hub."""
    server = WebSubHub()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def listening(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[OutpostApp]:
    """The application with its HTTP listener on, reachable by hubs at the callback URL."""
    port = free_port()
    settings = make_settings(sandbox, tmp_path).model_copy(
        update={
            "http_listen": f"127.0.0.1:{port}",
            "websub_callback_url": f"http://127.0.0.1:{port}",
        }
    )
    app = build_application(
        settings, clock=clock, poll_jobs=False, dispatch_loop=False, timer=ClockTimer(clock)
    )
    async with running(app):
        yield app


async def until(predicate: Callable[[], bool]) -> None:
    """Wait (at most ten seconds) until a condition holds."""
    async with asyncio.timeout(10):
        while not predicate():  # noqa: ASYNC110 -- the hub records what it did; no event
            await asyncio.sleep(0.01)


async def test_a_feed_with_a_hub_is_subscribed_and_its_pushes_alert(
    sandbox: SandboxBotAPI, listening: OutpostApp, source_server: SourceServer, hub: WebSubHub
) -> None:
    core: Core = listening.bot_data.core
    await say(sandbox, ALICE, "/subscribe drills")
    feed = source_server.url("hubbed.atom")
    source_server.add("hubbed.atom", atom(hub.url, feed, ("old", "Старая новость")))
    await add_source(core.db, feed, now=core.clock.now(), allow_private=True, name="Hubbed")
    await run_cycle(core.pipeline, all_sources=True)  # the silent first poll subscribes
    await until(lambda: hub.verified(feed) == 1)
    subscription = await core.db.websub.get(1)
    assert subscription is not None
    assert subscription.state == "active"

    # The hub pushes a new report: stored and alerted with no poll in between.
    pushed = atom(
        hub.url, feed, ("new", "Учения войск у Ельска, колонна военной техники"), ("old", "Старая")
    )
    assert await hub.publish(feed, pushed) == 1
    await core.dispatcher.drain()
    alerts = [m for m in sandbox.messages_to(ALICE) if "Ельск" in (m.text or "")]
    assert len(alerts) == 1
    assert len(await core.db.events.recent(limit=10)) == 2

    # A push not signed with the subscription's secret is dropped, answered all the same.
    forged = atom(hub.url, feed, ("forged", "Учения у Мозыря, колонна"))
    wrong = hmac.new(b"guess", forged, hashlib.sha256).hexdigest()
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            hub.subscribers[feed][next(iter(hub.subscribers[feed]))].callback,
            content=forged,
            headers={"X-Hub-Signature": f"sha256={wrong}"},
        )
        assert answer.status_code == 202
        # A verification for a subscription never asked for is refused.
        stray = await client.get(
            f"http://127.0.0.1:{listening.bot_data.http_port}/websub/1/not-the-token",
            params={"hub.mode": "subscribe", "hub.topic": feed, "hub.challenge": "x"},
        )
        assert stray.status_code == 404
    assert len(await core.db.events.recent(limit=10)) == 2

    # Polling goes on beside the hub: the feed is still read on its own schedule.
    before = len(source_server.requests_to("hubbed.atom"))
    await run_cycle(core.pipeline, all_sources=True)
    assert len(source_server.requests_to("hubbed.atom")) == before + 1
