"""One URL check at add and at poll: adding a source refuses exactly what polling it would
refuse, with the same resolver and the same refused addresses, before anything is stored.

The poll side is the real fetcher over the real guarded transport; its network backend
records the connection it would open instead of opening it, so no test reaches the network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpcore
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.admin.intake import SourceRefusedError, add_source
from bot.models import ErrorKind
from bot.pipeline.fetch.connect_guard import GuardedBackend
from bot.pipeline.fetch.fetcher import Fetcher, make_client
from bot.pipeline.fetch.ssrf import IPAddress, UrlGuard
from storage import Database, open_database

# A DNS that plays the hosts file and the world: names to what they resolve to.
ZONE: dict[str, list[str]] = {
    "news.example.org": ["93.184.216.34"],
    "intranet.example": ["127.0.0.1"],  # a hosts-file name for loopback
    "printer.example": ["192.168.1.20"],
    "cloud.example": ["169.254.169.254"],
    "mixed.example": ["93.184.216.34", "10.0.0.5"],
    "v6.example": ["2606:4700:4700::1111"],
    "v6-local.example": ["::1"],
    "xn--e1afmkfd.xn--p1ai": ["93.184.216.35"],  # пример.рф
}


@pytest.fixture
async def db(database_target: Path | str) -> AsyncIterator[Database]:
    """A fresh database for the sources an admin adds."""
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


class Dns:
    """The zone above, asked as any resolver is: by the host's IDNA (ASCII) form."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        """Resolve a name or a literal; an unknown name fails as getaddrinfo does."""
        del port
        self.asked.append(host)
        literal = host.strip("[]")
        try:
            return [ipaddress.ip_address(literal)]
        except ValueError:
            pass
        answer = ZONE.get(host.lower().rstrip("."))
        if answer is None:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return [ipaddress.ip_address(a) for a in answer]


class Recorder(httpcore.AsyncNetworkBackend):
    """Notes where the poller would connect, and refuses to."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        self.connects.append((host, port))
        raise httpcore.ConnectError("recorded, not connected")


async def poll_verdict(url: str, dns: Dns) -> ErrorKind | None:
    """Fetch a URL as a poll does; return its error kind."""
    recorder = Recorder()
    guard = UrlGuard(resolve=dns)
    backend = GuardedBackend(resolve=guard.resolve, policy=guard.policy, inner=recorder)
    async with make_client(timeout=5.0, backend=backend) as client:
        fetcher = Fetcher(
            client, allow_private=False, max_bytes=10_000, total_timeout=5.0, guard=guard
        )
        fetched = await fetcher.fetch(url)
    return fetched.error


REFUSED_AT_ADD = [
    "http://intranet.example/feed",  # the hosts file maps it to loopback
    "http://INTRANET.example./feed",
    "http://printer.example/feed",
    "http://cloud.example/latest/meta-data",
    "http://mixed.example/feed",  # one private answer among public ones is enough
    "http://v6-local.example/feed",
    "http://127.0.0.1%2e/feed",
    "http://127.0.0.1%2E:8080/feed",
    "http://%31%32%37.0.0.1/feed",
    "http://news.example.org@127.0.0.1/feed",  # the user-info hides the real host
    "http://news.example.org:80@intranet.example/feed",
    "http://user:password@news.example.org/feed",
    "http://127.0.0.1\\@news.example.org/feed",
    "http://localhost/feed",
    "http://LOCALHOST./feed",
    "http://feeds.localhost/feed",
    "http://0x7f.1/feed",
    "http://0177.0.0.1/feed",
    "http://2130706433/feed",
    "http://127.1/feed",
    "http://0/feed",
    "http://[::1]/feed",
    "http://[::ffff:127.0.0.1]/feed",
    "http://[64:ff9b::7f00:1]/feed",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/feed",
    "http://exam\tple.org/feed",
    "http://ex ample.org/feed",
    "file:///etc/passwd",
    "gopher://news.example.org/",
]


@pytest.mark.parametrize("url", REFUSED_AT_ADD)
async def test_every_refused_spelling_is_refused_at_add_and_at_poll(db: Database, url: str) -> None:
    dns = Dns()
    with pytest.raises(SourceRefusedError):
        await add_source(
            db, url, now=datetime.now(UTC), allow_private=False, guard=UrlGuard(resolve=dns)
        )
    assert await db.sources.all() == []  # nothing stored
    assert await poll_verdict(url, dns) is ErrorKind.BLOCKED_URL


@pytest.mark.parametrize(
    "url",
    [
        "http://news.example.org/feed",
        "https://NEWS.example.org:443/feed?x=@127.0.0.1#@127.0.0.1",
        "http://v6.example/feed",
        "http://пример.рф/feed",
        "http://93.184.216.34/feed",
        "http://nowhere.invalid/feed",  # does not resolve now: polling will say so
    ],
)
async def test_a_public_source_is_added_and_polled(db: Database, url: str) -> None:
    dns = Dns()
    source = await add_source(
        db, url, now=datetime.now(UTC), allow_private=False, guard=UrlGuard(resolve=dns)
    )
    assert source.url == url
    assert await poll_verdict(url, dns) is ErrorKind.CONNECT  # recorded, not refused


HOSTS = [
    *ZONE,
    "News.Example.Org",
    "news.example.org.",
    "intranet.example.",
    "nowhere.invalid",
    "пример.рф",
    "ПРИМЕР.рф",
    "127.0.0.1",
    "127.1",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "2130706433",
    "0",
    "8.8.8.8",
    "10.0.0.1",
    "169.254.169.254",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:8.8.8.8]",
    "[fe80::1]",
    "[2606:4700:4700::1111]",
    "localhost",
    "LOCALHOST.",
    "a.localhost",
    "127.0.0.1%2e",
    "%6eews.example.org",
    "ex ample.org",
    "exa\tmple.org",
    "1.2.3.4.5",
]


@settings(max_examples=150)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp", "javascript"]),
    user=st.sampled_from(["", "user@", "user:pw@", "news.example.org@", "x\\@"]),
    host=st.sampled_from(HOSTS),
    port=st.sampled_from(["", ":80", ":8443", ":0", ":65536", ":x"]),
    rest=st.sampled_from(["/", "/feed.rss", "?u=@127.0.0.1", "#@127.0.0.1", "\\@127.0.0.1/"]),
)
async def test_add_refuses_exactly_what_polling_refuses(
    scheme: str, user: str, host: str, port: str, rest: str
) -> None:
    url = f"{scheme}://{user}{host}{port}{rest}"
    dns = Dns()
    refused_at_add = await UrlGuard(resolve=dns).refusal(url)
    verdict = await poll_verdict(url, dns)
    assert (refused_at_add is not None) == (verdict is ErrorKind.BLOCKED_URL), (
        url,
        refused_at_add,
        verdict,
    )
