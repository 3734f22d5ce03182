"""Host names are vetted where the connection is made: what was checked is what is reached.

A test resolver plays the DNS server (including one that changes its answer, as in DNS
rebinding) and the servers listen on 127.0.0.1; the policy seam admits 127.0.0.1 where a test
needs a "public" address and refuses everything else, like the real policy refuses loopback.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from bot.models import ErrorKind
from bot.pipeline.fetch.connect_guard import GuardedBackend
from bot.pipeline.fetch.fetcher import Fetcher, make_client
from bot.pipeline.fetch.ssrf import IPAddress

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
LOOPBACK = ipaddress.ip_address("127.0.0.1")
METADATA = ipaddress.ip_address("169.254.169.254")


@dataclass
class Server:
    port: int
    hits: list[str] = field(default_factory=list)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    seen = Server(port=0)

    async def feed(request: web.Request) -> web.Response:
        seen.hits.append(request.host)
        return web.Response(body=FEED, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed", feed)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    seen.port = runner.addresses[0][1]
    try:
        yield seen
    finally:
        await runner.cleanup()


class Dns:
    """A resolver that gives each answer in turn (the last one forever) and counts queries."""

    def __init__(self, *answers: list[IPAddress]) -> None:
        self._answers = list(answers)
        self.queries: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.queries.append(host)
        if not self._answers:
            raise OSError("Name or service not known")
        return self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]


def only_loopback_is_public(address: IPAddress) -> str | None:
    return None if address == LOOPBACK else f"{address} is private"


async def fetch(url: str, backend: GuardedBackend) -> tuple[ErrorKind | None, str]:
    async with make_client(timeout=5.0, backend=backend) as client:
        fetcher = Fetcher(client, allow_private=False, max_bytes=100_000, total_timeout=5.0)
        result = await fetcher.fetch(url)
    return result.error, result.detail or ""


async def test_name_resolving_to_loopback_is_refused_by_the_real_policy(server: Server) -> None:
    backend = GuardedBackend(resolve=Dns([LOOPBACK]))
    error, detail = await fetch(f"http://feeds.example.org:{server.port}/feed", backend)
    assert error is ErrorKind.BLOCKED_URL
    assert "127.0.0.1 is loopback" in detail
    assert server.hits == []


async def test_metadata_address_is_refused(server: Server) -> None:
    backend = GuardedBackend(resolve=Dns([METADATA]))
    error, detail = await fetch(f"http://feeds.example.org:{server.port}/feed", backend)
    assert error is ErrorKind.BLOCKED_URL
    assert "169.254.169.254" in detail


async def test_one_internal_answer_among_public_ones_refuses_the_name(server: Server) -> None:
    backend = GuardedBackend(resolve=Dns([LOOPBACK, METADATA]), policy=only_loopback_is_public)
    error, _ = await fetch(f"http://mixed.example.org:{server.port}/feed", backend)
    assert error is ErrorKind.BLOCKED_URL
    assert server.hits == []


async def test_vetted_address_is_the_one_connected_to(server: Server) -> None:
    # A rebinding DNS server: a "public" answer first, the metadata service afterwards.
    dns = Dns([LOOPBACK], [METADATA])
    backend = GuardedBackend(resolve=dns, policy=only_loopback_is_public)
    error, _ = await fetch(f"http://rebind.example.org:{server.port}/feed", backend)
    assert error is None
    # Resolved exactly once: the connection went to the answer that was checked, and the
    # Host header still names the site, not the address.
    assert dns.queries == ["rebind.example.org"]
    assert server.hits == [f"rebind.example.org:{server.port}"]


async def test_rebinding_on_the_next_connection_is_refused(server: Server) -> None:
    dns = Dns([LOOPBACK], [METADATA])
    backend = GuardedBackend(resolve=dns, policy=only_loopback_is_public)
    first, _ = await fetch(f"http://rebind.example.org:{server.port}/feed", backend)
    second, detail = await fetch(f"http://rebind.example.org:{server.port}/feed", backend)
    assert first is None
    assert second is ErrorKind.BLOCKED_URL
    assert "169.254.169.254" in detail
    assert len(server.hits) == 1


async def test_name_that_does_not_resolve_is_a_connect_error(server: Server) -> None:
    error, detail = await fetch(
        f"http://nowhere.invalid:{server.port}/feed", GuardedBackend(resolve=Dns())
    )
    assert error is ErrorKind.CONNECT
    assert "cannot resolve" in detail


async def test_redirect_to_a_name_that_resolves_inside_is_refused(server: Server) -> None:
    app = web.Application()

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://internal.example.org:{server.port}/feed")

    app.router.add_get("/old", moved)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    answers = {"public.example.org": [LOOPBACK], "internal.example.org": [METADATA]}

    async def dns(host: str, _port: int) -> list[IPAddress]:
        return answers[host]

    try:
        backend = GuardedBackend(resolve=dns, policy=only_loopback_is_public)
        error, detail = await fetch(f"http://public.example.org:{port}/old", backend)
    finally:
        await runner.cleanup()
    assert error is ErrorKind.BLOCKED_URL
    assert "internal.example.org" in detail
    assert server.hits == []


async def test_private_sources_allowed_use_the_plain_resolver(server: Server) -> None:
    async with make_client(timeout=5.0, allow_private=True) as client:
        fetcher = Fetcher(client, allow_private=True, max_bytes=100_000, total_timeout=5.0)
        result = await fetcher.fetch(f"http://localhost:{server.port}/feed")
    assert result.ok
    assert result.body == FEED
