"""Fetcher against a real local HTTP server (aiohttp) and, for non-loopback URLs, a mock transport.

The local server lives on 127.0.0.1, so the cases that need the request to go through use
allow_private=True; the SSRF cases use allow_private=False and check the server saw nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import ssl
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.models import ErrorKind
from bot.pipeline.fetch.fetcher import DEFAULT_USER_AGENT, Fetcher, make_client

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
ETAG = '"v1-abc"'
LAST_MODIFIED = "Tue, 11 Oct 2022 09:40:00 GMT"


@dataclass
class LocalServer:
    """The running test server and what it saw."""

    base: str
    requests: list[web.Request] = field(default_factory=list)

    def url(self, path: str) -> str:
        """Return the absolute URL of path on this server."""
        return self.base + path


async def _feed(request: web.Request) -> web.StreamResponse:
    if (
        request.headers.get("If-None-Match") == ETAG
        or request.headers.get("If-Modified-Since") == LAST_MODIFIED
    ):
        return web.Response(status=304, headers={"ETag": ETAG})
    return web.Response(
        body=FEED,
        content_type="application/rss+xml",
        charset="utf-8",
        headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
    )


async def _gzip(request: web.Request) -> web.StreamResponse:
    body = gzip.compress(FEED * 50)
    return web.Response(
        body=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/xml"}
    )


async def _redirect(request: web.Request) -> web.StreamResponse:
    left = int(request.match_info["n"])
    # Relative and absolute locations, and a 301/302/307/308 mix.
    target = "/feed" if left == 0 else f"/redirect/{left - 1}"
    if left % 2:
        target = f"http://{request.host}{target}"
    status = (301, 302, 307, 308)[left % 4]
    return web.Response(status=status, headers={"Location": target})


async def _loop(request: web.Request) -> web.StreamResponse:
    return web.Response(status=302, headers={"Location": "/loop"})


async def _to(request: web.Request) -> web.StreamResponse:
    return web.Response(status=302, headers={"Location": request.query["target"]})


async def _big_chunked(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    with contextlib.suppress(ConnectionError):
        for _ in range(64):
            await response.write(b"x" * 16_384)
        await response.write_eof()
    return response


async def _big_declared(request: web.Request) -> web.StreamResponse:
    return web.Response(body=b"y" * 300_000, content_type="application/xml")


def _encoded(kind: str) -> tuple[str, bytes]:
    if kind == "deflate-zlib":
        return "deflate", zlib.compress(FEED)
    if kind == "deflate-raw":
        raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return "deflate", raw.compress(FEED) + raw.flush()
    if kind == "gzip-corrupt":
        return "gzip", gzip.compress(FEED)[:12] + b"not gzip at all" * 4
    return "br", FEED  # an encoding we never asked for: passed through as sent


async def _encoded_feed(request: web.Request) -> web.StreamResponse:
    encoding, body = _encoded(request.match_info["kind"])
    return web.Response(
        body=body, headers={"Content-Encoding": encoding, "Content-Type": "application/xml"}
    )


async def _gzip_bomb(request: web.Request) -> web.StreamResponse:
    # 10 MB of zeros compresses to ~10 KB: the cap must apply to what it inflates to.
    return web.Response(
        body=gzip.compress(b"\0" * 10_000_000),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/xml"},
    )


async def _slow(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/xml"})
    await response.prepare(request)
    with contextlib.suppress(ConnectionError):
        for _ in range(50):
            await response.write(b"<")
            await asyncio.sleep(0.1)
        await response.write_eof()
    return response


async def _status(request: web.Request) -> web.StreamResponse:
    return web.Response(status=int(request.match_info["code"]), text="error page")


async def _empty(request: web.Request) -> web.StreamResponse:
    return web.Response(body=b"", content_type="application/xml")


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    """Serve the test routes on a free loopback port."""
    seen: list[web.Request] = []

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        seen.append(request)
        response: web.StreamResponse = await handler(request)
        return response

    app = web.Application(middlewares=[record])
    app.router.add_get("/feed", _feed)
    app.router.add_get("/gzip", _gzip)
    app.router.add_get("/redirect/{n}", _redirect)
    app.router.add_get("/loop", _loop)
    app.router.add_get("/to", _to)
    app.router.add_get("/big-chunked", _big_chunked)
    app.router.add_get("/big-declared", _big_declared)
    app.router.add_get("/gzip-bomb", _gzip_bomb)
    app.router.add_get("/encoded/{kind}", _encoded_feed)
    app.router.add_get("/slow", _slow)
    app.router.add_get("/status/{code}", _status)
    app.router.add_get("/empty", _empty)
    runner = web.AppRunner(app, shutdown_timeout=0.5, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield LocalServer(base=f"http://{host}:{port}", requests=seen)
    finally:
        await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The client the composition root would build, closed after the test."""
    async with make_client(timeout=5.0, allow_private=True) as shared:
        yield shared


def _fetcher(client: httpx.AsyncClient, *, allow_private: bool = True, **kw: float) -> Fetcher:
    return Fetcher(
        client,
        allow_private=allow_private,
        max_bytes=int(kw.get("max_bytes", 100_000)),
        total_timeout=kw.get("total_timeout", 5.0),
        max_redirects=int(kw.get("max_redirects", 5)),
    )


async def test_ok_body_and_validators(server: LocalServer, client: httpx.AsyncClient) -> None:
    result = await _fetcher(client).fetch(server.url("/feed"))
    assert result.ok
    assert result.body == FEED
    assert result.status == 200
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert not result.not_modified
    sent = server.requests[0].headers
    assert sent["User-Agent"] == DEFAULT_USER_AGENT
    assert "gzip" in sent["Accept-Encoding"]
    assert "application/rss+xml" in sent["Accept"]
    assert "If-None-Match" not in sent


async def test_conditional_get_not_modified(server: LocalServer, client: httpx.AsyncClient) -> None:
    result = await _fetcher(client).fetch(
        server.url("/feed"), etag=ETAG, last_modified=LAST_MODIFIED
    )
    assert result.ok
    assert result.not_modified
    assert result.body is None
    assert result.status == 304
    assert result.etag == ETAG
    # The 304 carried no Last-Modified: the stored one stays current.
    assert result.last_modified == LAST_MODIFIED
    sent = server.requests[0].headers
    assert sent["If-None-Match"] == ETAG  # verbatim, quotes included
    assert sent["If-Modified-Since"] == LAST_MODIFIED


async def test_gzip_is_decoded(server: LocalServer, client: httpx.AsyncClient) -> None:
    result = await _fetcher(client).fetch(server.url("/gzip"))
    assert result.ok
    assert result.body == FEED * 50


async def test_redirect_chain_followed(server: LocalServer, client: httpx.AsyncClient) -> None:
    result = await _fetcher(client).fetch(server.url("/redirect/4"))
    assert result.ok
    assert result.body == FEED
    assert [r.path for r in server.requests] == [
        "/redirect/4",
        "/redirect/3",
        "/redirect/2",
        "/redirect/1",
        "/redirect/0",
        "/feed",
    ]


async def test_too_many_redirects(server: LocalServer, client: httpx.AsyncClient) -> None:
    result = await _fetcher(client, max_redirects=3).fetch(server.url("/loop"))
    assert result.error is ErrorKind.TOO_MANY_REDIRECTS
    assert len(server.requests) == 4  # the first request and three redirects


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.org/feed", "gopher://127.0.0.1:70/"]
)
async def test_redirect_hop_rechecked_even_when_private_allowed(
    server: LocalServer, client: httpx.AsyncClient, target: str
) -> None:
    result = await _fetcher(client).fetch(server.url(f"/to?{httpx.QueryParams(target=target)}"))
    assert result.error is ErrorKind.BLOCKED_URL
    assert len(server.requests) == 1


async def test_size_cap_while_streaming(server: LocalServer, client: httpx.AsyncClient) -> None:
    result = await _fetcher(client, max_bytes=100_000).fetch(server.url("/big-chunked"))
    assert result.error is ErrorKind.TOO_LARGE
    assert result.body is None


async def test_size_cap_from_content_length(server: LocalServer, client: httpx.AsyncClient) -> None:
    result = await _fetcher(client, max_bytes=100_000).fetch(server.url("/big-declared"))
    assert result.error is ErrorKind.TOO_LARGE
    assert "Content-Length" in result.detail


async def test_size_cap_counts_inflated_bytes(
    server: LocalServer, client: httpx.AsyncClient
) -> None:
    result = await _fetcher(client, max_bytes=100_000).fetch(server.url("/gzip-bomb"))
    assert result.error is ErrorKind.TOO_LARGE


@pytest.mark.parametrize("kind", ["deflate-zlib", "deflate-raw", "unknown"])
async def test_other_encodings_are_read(
    server: LocalServer, client: httpx.AsyncClient, kind: str
) -> None:
    result = await _fetcher(client).fetch(server.url(f"/encoded/{kind}"))
    assert result.ok
    assert result.body == FEED


async def test_corrupt_gzip_is_a_named_error(
    server: LocalServer, client: httpx.AsyncClient
) -> None:
    result = await _fetcher(client).fetch(server.url("/encoded/gzip-corrupt"))
    assert result.error is ErrorKind.NETWORK
    assert "corrupt gzip" in result.detail


async def test_slow_trickle_hits_total_deadline(
    server: LocalServer, client: httpx.AsyncClient
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    result = await _fetcher(client, total_timeout=0.5).fetch(server.url("/slow"))
    assert result.error is ErrorKind.TIMEOUT
    assert loop.time() - started < 2.0


@pytest.mark.parametrize(
    ("code", "kind"),
    [(404, ErrorKind.HTTP_4XX), (410, ErrorKind.HTTP_4XX), (503, ErrorKind.HTTP_5XX)],
)
async def test_http_errors(
    server: LocalServer, client: httpx.AsyncClient, code: int, kind: ErrorKind
) -> None:
    result = await _fetcher(client).fetch(server.url(f"/status/{code}"))
    assert result.error is kind
    assert result.status == code
    assert str(code) in result.detail
    assert result.body is None


async def test_empty_body(server: LocalServer, client: httpx.AsyncClient) -> None:
    result = await _fetcher(client).fetch(server.url("/empty"))
    assert result.error is ErrorKind.EMPTY


async def test_connection_refused(client: httpx.AsyncClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port was free a moment ago and nothing listens on it now.
    result = await _fetcher(client).fetch(f"http://127.0.0.1:{port}/feed")
    assert result.error is ErrorKind.CONNECT


@pytest.mark.parametrize("path", ["/feed", "/redirect/2"])
async def test_loopback_blocked_without_any_request(
    server: LocalServer, client: httpx.AsyncClient, path: str
) -> None:
    result = await _fetcher(client, allow_private=False).fetch(server.url(path))
    assert result.error is ErrorKind.BLOCKED_URL
    assert server.requests == []


async def test_local_name_blocked_by_dns_answer(
    server: LocalServer, client: httpx.AsyncClient
) -> None:
    port = server.base.rsplit(":", 1)[1]
    result = await _fetcher(client, allow_private=False).fetch(f"http://localhost:{port}/feed")
    assert result.error is ErrorKind.BLOCKED_URL
    assert server.requests == []


# Cases that need a public-looking origin use httpx.MockTransport: nothing leaves the process.

PUBLIC = "http://93.184.215.14/feed"


def _mock_client(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=handler, follow_redirects=False)


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost:8080/admin",
        "http://0x7f000001/",
    ],
)
async def test_redirect_to_internal_address_blocked(target: str) -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(302, headers={"Location": target})

    async with _mock_client(httpx.MockTransport(handler)) as client:
        result = await _fetcher(client, allow_private=False).fetch(PUBLIC)
    assert result.error is ErrorKind.BLOCKED_URL
    assert [str(url) for url in seen] == [PUBLIC]


async def test_public_redirect_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed":
            return httpx.Response(301, headers={"Location": "https://[2606:4700::1]/new"})
        # A stream, as from the network (content= would hand the Fetcher a body already read).
        return httpx.Response(200, stream=httpx.ByteStream(FEED))

    async with _mock_client(httpx.MockTransport(handler)) as client:
        result = await _fetcher(client, allow_private=False).fetch(PUBLIC)
    assert result.ok
    assert result.body == FEED


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ConnectTimeout("connect timed out"), ErrorKind.TIMEOUT),
        (httpx.ReadTimeout("read timed out"), ErrorKind.TIMEOUT),
        (httpx.PoolTimeout("pool"), ErrorKind.TIMEOUT),
        (httpx.ConnectError("[Errno 111] Connection refused"), ErrorKind.CONNECT),
        (
            httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            ErrorKind.TLS,
        ),
        (httpx.RemoteProtocolError("peer closed connection"), ErrorKind.NETWORK),
        (httpx.ReadError("reset"), ErrorKind.NETWORK),
    ],
)
async def test_transport_errors_become_values(exc: httpx.HTTPError, kind: ErrorKind) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    async with _mock_client(httpx.MockTransport(handler)) as client:
        result = await _fetcher(client, allow_private=False).fetch(PUBLIC)
    assert result.error is kind
    assert result.detail


async def test_tls_error_found_in_cause() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("handshake failed") from ssl.SSLError("bad")

    async with _mock_client(httpx.MockTransport(handler)) as client:
        result = await _fetcher(client, allow_private=False).fetch(PUBLIC)
    assert result.error is ErrorKind.TLS


async def test_invalid_url_is_a_value(client: httpx.AsyncClient) -> None:
    result = await _fetcher(client).fetch("http://exa mple.org/\x00")
    assert result.error is ErrorKind.BLOCKED_URL
