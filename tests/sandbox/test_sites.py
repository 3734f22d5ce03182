"""The local source server: caching headers, compression, redirects, slow bodies, recording."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from sandbox import SourceServer

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Sample</title>
<item><title>Convoy near Brest</title><guid>1</guid></item>
</channel></rss>
"""


@pytest.fixture
async def server() -> AsyncIterator[SourceServer]:
    source_server = SourceServer()
    await source_server.start()
    try:
        yield source_server
    finally:
        await source_server.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield http


async def test_serves_body_with_etag_and_last_modified(
    server: SourceServer, client: httpx.AsyncClient
) -> None:
    url = server.add("feeds/main.xml", FEED)
    assert url == f"http://127.0.0.1:{server.port}/feeds/main.xml"
    response = await client.get(url)
    assert response.status_code == 200
    assert response.content == FEED
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    etag = response.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert parsedate_to_datetime(response.headers["last-modified"]).tzinfo is not None


async def test_if_none_match_gives_304(server: SourceServer, client: httpx.AsyncClient) -> None:
    url = server.add("/feed", FEED)
    etag = (await client.get(url)).headers["etag"]
    cached = await client.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag
    weak = await client.get(url, headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    stale = await client.get(url, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200


async def test_readding_changes_the_etag_and_last_modified(
    server: SourceServer, client: httpx.AsyncClient
) -> None:
    url = server.add("feed", FEED)
    first = await client.get(url)
    server.add("feed", FEED.replace(b"Brest", b"Hrodna"))
    second = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert b"Hrodna" in second.content
    assert second.headers["etag"] != first.headers["etag"]
    newer = parsedate_to_datetime(second.headers["last-modified"])
    assert newer > parsedate_to_datetime(first.headers["last-modified"])


async def test_if_modified_since(server: SourceServer, client: httpx.AsyncClient) -> None:
    url = server.add("feed", FEED)
    last_modified = (await client.get(url)).headers["last-modified"]
    cached = await client.get(url, headers={"If-Modified-Since": last_modified})
    assert cached.status_code == 304
    older = format_datetime(parsedate_to_datetime(last_modified).replace(year=2020), usegmt=True)
    assert (await client.get(url, headers={"If-Modified-Since": older})).status_code == 200
    garbage = await client.get(url, headers={"If-Modified-Since": "yesterday-ish"})
    assert garbage.status_code == 200
    # If-None-Match wins over If-Modified-Since.
    both = await client.get(
        url, headers={"If-Modified-Since": last_modified, "If-None-Match": '"stale"'}
    )
    assert both.status_code == 200


async def test_gzip_when_asked(server: SourceServer, client: httpx.AsyncClient) -> None:
    url = server.add("feed", FEED * 20)
    raw = await client.get(url, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.content == FEED * 20  # httpx decodes it
    async with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as streamed:
        wire = b"".join([chunk async for chunk in streamed.aiter_raw()])
    assert gzip.decompress(wire) == FEED * 20
    assert len(wire) < len(FEED * 20)

    identity = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in identity.headers
    refused = await client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


async def test_gzip_form_is_kept_and_follows_a_replaced_body(
    server: SourceServer, client: httpx.AsyncClient
) -> None:
    async def wire(url: str) -> bytes:
        async with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as streamed:
            return b"".join([chunk async for chunk in streamed.aiter_raw()])

    lazy = server.add("lazy", FEED * 20)
    eager = server.add("eager", FEED * 20, precompress=True)
    first = await wire(lazy)
    assert await wire(lazy) == first  # the same bytes again, not compressed anew
    assert gzip.decompress(first) == gzip.decompress(await wire(eager)) == FEED * 20
    server.add("lazy", FEED * 3)  # a new body: its own gzip form, not the old one
    assert gzip.decompress(await wire(lazy)) == FEED * 3


async def test_redirect(server: SourceServer, client: httpx.AsyncClient) -> None:
    target = server.add("new/feed.xml", FEED)
    old = server.add_redirect("old/feed.xml", "/new/feed.xml", status=301)
    response = await client.get(old)
    assert response.status_code == 301
    assert response.headers["location"] == "/new/feed.xml"
    followed = await client.get(old, follow_redirects=True)
    assert followed.status_code == 200
    assert str(followed.url) == target
    absolute = server.add_redirect("elsewhere", target)
    assert (await client.get(absolute)).headers["location"] == target


async def test_unknown_path_is_404(server: SourceServer, client: httpx.AsyncClient) -> None:
    response = await client.get(server.url("nothing/here"))
    assert response.status_code == 404
    assert response.text == "404: Not Found"
    server.add("gone", FEED)
    server.remove("gone")
    assert (await client.get(server.url("gone"))).status_code == 404


async def test_status_and_extra_headers(server: SourceServer, client: httpx.AsyncClient) -> None:
    url = server.add(
        "busy",
        b"try later",
        content_type="text/plain; charset=utf-8",
        status=503,
        headers={"Retry-After": "120"},
    )
    response = await client.get(url)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "120"
    assert response.text == "try later"
    assert "etag" not in response.headers


async def test_add_file_guesses_the_type(
    server: SourceServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    page = tmp_path / "channel.html"
    page.write_text("<html><body>post</body></html>", encoding="utf-8")
    atom = tmp_path / "feed.atom"
    atom.write_bytes(b"<feed/>")
    png = tmp_path / "pic.png"
    png.write_bytes(b"\x89PNG")
    html_response = await client.get(server.add_file("s/channel", page))
    assert html_response.headers["content-type"] == "text/html; charset=utf-8"
    assert html_response.text == "<html><body>post</body></html>"
    atom_response = await client.get(server.add_file("feed.atom", atom))
    assert atom_response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    png_response = await client.get(server.add_file("pic", png))
    assert png_response.headers["content-type"] == "image/png"
    forced = await client.get(server.add_file("forced", atom, "text/xml"))
    assert forced.headers["content-type"] == "text/xml"


async def test_slow_body_trips_a_read_timeout(server: SourceServer) -> None:
    url = server.add_slow("slow.xml", [b"<rss>", b"<channel>", b"</channel></rss>"], delay=0.5)
    async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=0.1)) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.get(url)
    async with httpx.AsyncClient(timeout=5) as patient:
        fast = server.add_slow("slowish.xml", [b"a", b"b", b"c"], delay=0.02)
        response = await patient.get(fast)
    assert response.content == b"abc"


async def test_stop_cuts_a_slow_response_short() -> None:
    server = SourceServer()
    await server.start()
    url = server.add_slow("slow", [b"a", b"b"], delay=30)
    async with httpx.AsyncClient(timeout=5) as http:
        request = asyncio.create_task(http.get(url))
        await asyncio.sleep(0.1)
        await asyncio.wait_for(server.stop(), 5)
        try:
            response = await asyncio.wait_for(request, 5)
        except httpx.HTTPError:
            pass  # a cut connection is fine too; what matters is that stop() did not hang
        else:
            assert response.content == b"a"


async def test_requests_are_recorded(server: SourceServer, client: httpx.AsyncClient) -> None:
    url = server.add("feed", FEED)
    await client.get(url + "?utm_source=x&page=2", headers={"If-None-Match": '"abc"'})
    await client.head(url)
    await client.get(server.url("missing"))
    assert [(r.path, r.method) for r in server.requests] == [
        ("/feed", "GET"),
        ("/feed", "HEAD"),
        ("/missing", "GET"),
    ]
    first = server.requests_to("/feed")[0]
    assert first.query == {"utm_source": "x", "page": "2"}
    assert first.headers["If-None-Match"] == '"abc"'
    assert first.headers["if-none-match"] == '"abc"'
    assert "user-agent" in first.headers
    assert len(server.requests_to("feed?ignored=1")) == 2


async def test_query_string_is_ignored_for_lookup(
    server: SourceServer, client: httpx.AsyncClient
) -> None:
    url = server.add("feed?v=1", FEED)
    assert url.endswith("/feed?v=1")
    assert (await client.get(server.url("feed?anything=else"))).content == FEED


async def test_head_has_headers_but_no_body(
    server: SourceServer, client: httpx.AsyncClient
) -> None:
    url = server.add("feed", FEED)
    response = await client.head(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == b""
    assert "etag" in response.headers


async def test_url_needs_a_started_server() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        SourceServer().url("x")


async def test_a_query_can_have_its_own_resource(
    server: SourceServer, client: httpx.AsyncClient
) -> None:
    server.add("s/chan", b"newest")
    url = server.add("s/chan", b"older", query="before=10")
    assert url.endswith("/s/chan?before=10")
    assert (await client.get(server.url("s/chan"))).content == b"newest"
    assert (await client.get(url)).content == b"older"
    assert (await client.get(server.url("s/chan?before=7"))).content == b"newest"
    server.remove("s/chan", query="before=10")
    assert (await client.get(url)).content == b"newest"
