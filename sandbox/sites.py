"""A local HTTP server that plays the sites Outpost reads: feeds and channel pages.

It behaves like a well-run web server where Outpost's fetcher cares: strong ETags and
Last-Modified with 304 answers to conditional requests, gzip when asked for, redirects, and
404s. It can also misbehave on purpose (error statuses, a body that trickles in slowly) and
records every request, so tests can check what the fetcher sent.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Final

from aiohttp import web

__all__ = ["RecordedRequest", "SourceServer"]

logger = logging.getLogger(__name__)

DEFAULT_CONTENT_TYPE: Final = "application/rss+xml; charset=utf-8"
_SHUTDOWN_TIMEOUT_S: Final = 1.0
# Types mimetypes does not know, or names in a way feed readers don't expect.
_SUFFIX_TYPES: Final[dict[str, str]] = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the server received.

    ``headers`` is case-insensitive (``headers["if-none-match"]`` and
    ``headers["If-None-Match"]`` both work); ``query`` keeps the last value of each name.
    """

    path: str
    method: str
    headers: Mapping[str, str]
    query: dict[str, str]


@dataclass(slots=True)
class _Resource:
    body: bytes = b""
    content_type: str = DEFAULT_CONTENT_TYPE
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: datetime | None = None
    redirect_to: str | None = None
    chunks: list[bytes] | None = None  # set for a slow resource
    delay: float = 0.0
    gzipped: bytes | None = None  # the body compressed, once: it never changes


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _normalise(path: str) -> str:
    """Return the lookup key for a path: leading slash, no query string or fragment."""
    path = path.split("#", 1)[0].split("?", 1)[0]
    return "/" + path.lstrip("/")


def _resource_key(path: str, query: str | None = None) -> str:
    """Return the key a resource is stored under: the path, and its own query if it has one.

    A resource added with query="before=10" answers only that query string; one added
    without answers every query string not added on its own.
    """
    return _normalise(path) + (f"?{query}" if query else "")


def _accepts_gzip(header: str) -> bool:
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() != "gzip":
            continue
        quality = params.strip().lower()
        # "gzip;q=0" means "never gzip".
        return not (quality.startswith("q=") and quality[2:].strip() in {"0", "0.0", "0.00"})
    return False


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # If-None-Match uses the weak comparison: W/"x" matches "x".
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates


def _not_modified_since(header: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False  # an unparseable date is ignored, as RFC 9110 says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


class SourceServer:
    """An aiohttp server that serves canned sources at chosen paths."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._resources: dict[str, _Resource] = {}
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._closing = asyncio.Event()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port; port 0 picks a free one."""
        if self._runner is not None:
            raise RuntimeError("SourceServer is already running")
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT_S,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._closing = asyncio.Event()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        logger.info("source server listening on %s:%d", host, self._port)

    async def stop(self) -> None:
        """Stop serving; slow responses in progress are cut short."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing.set()
        await runner.cleanup()
        logger.info("source server stopped")

    async def __aenter__(self) -> SourceServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        if self._port is None:
            raise RuntimeError("SourceServer is not started")
        return self._port

    def url(self, path: str) -> str:
        """Return the full URL of a path on this server."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    # -- content ------------------------------------------------------------------------------

    def add(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        query: str | None = None,
        precompress: bool = False,
    ) -> str:
        """Serve body at path (replacing what was there); return its URL.

        A query string in path is ignored; `query` ("before=10") serves that query only.
        The gzip form of a body is made on its first gzip request and kept, as a server's
        compression cache does; `precompress` makes it now (a server's pre-compressed
        static files), so a benchmark's server spends nothing on it while being timed.
        """
        key = _resource_key(path, query)
        previous = self._resources.get(key)
        now = datetime.now(UTC).replace(microsecond=0)
        if previous is not None and previous.last_modified is not None:
            # HTTP dates have whole seconds: a replacement must look newer than the original
            # even when it comes within the same second.
            now = max(now, previous.last_modified + timedelta(seconds=1))
        self._resources[key] = _Resource(
            body=body,
            content_type=content_type,
            status=status,
            headers=dict(headers or {}),
            etag=_etag(body),
            last_modified=now,
            gzipped=gzip.compress(body) if precompress and body else None,
        )
        return self.url(f"{_normalise(path)}?{query}" if query else path)

    def add_file(self, path: str, file: Path, content_type: str | None = None) -> str:
        """Serve a file's bytes at path, its type guessed from its suffix; return its URL."""
        if content_type is None:
            content_type = _SUFFIX_TYPES.get(file.suffix.lower())
        if content_type is None:
            guessed, _ = mimetypes.guess_type(file.name)
            content_type = guessed or "application/octet-stream"
        return self.add(path, file.read_bytes(), content_type=content_type)

    def add_redirect(self, path: str, location: str, status: int = 302) -> str:
        """Redirect requests for path to location; return the URL of path."""
        self._resources[_normalise(path)] = _Resource(status=status, redirect_to=location)
        return self.url(path)

    def add_slow(
        self,
        path: str,
        chunks: list[bytes],
        delay: float,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
    ) -> str:
        """Serve chunks at path with delay seconds before each one after the first."""
        self._resources[_normalise(path)] = _Resource(
            content_type=content_type, chunks=list(chunks), delay=delay
        )
        return self.url(path)

    def remove(self, path: str, query: str | None = None) -> None:
        """Stop serving path (it answers 404 again)."""
        self._resources.pop(_resource_key(path, query), None)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Return the requests made for a path, oldest first (query strings ignored)."""
        key = _normalise(path)
        return [request for request in self.requests if request.path == key]

    # -- serving ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        key = _normalise(request.path)
        self.requests.append(
            RecordedRequest(
                path=key,
                method=request.method,
                headers=request.headers.copy(),  # a case-insensitive multidict
                query=dict(request.query),
            )
        )
        resource = None
        if request.query_string:
            resource = self._resources.get(f"{key}?{request.query_string}")
        if resource is None:
            resource = self._resources.get(key)
        if resource is None:
            return web.Response(status=404, text="404: Not Found")
        if resource.redirect_to is not None:
            return web.Response(status=resource.status, headers={"Location": resource.redirect_to})
        if resource.chunks is not None:
            return await self._trickle(request, resource)
        return self._static(request, resource)

    def _static(self, request: web.Request, resource: _Resource) -> web.Response:
        headers: dict[str, str] = {}
        cacheable = 200 <= resource.status < 300 and resource.last_modified is not None
        if cacheable and resource.last_modified is not None:
            headers["ETag"] = resource.etag
            headers["Last-Modified"] = format_datetime(resource.last_modified, usegmt=True)
            if self._not_modified(request, resource, resource.last_modified):
                headers.update(resource.headers)
                return web.Response(status=304, headers=headers)
        body = resource.body
        headers["Vary"] = "Accept-Encoding"
        if body and _accepts_gzip(request.headers.get("Accept-Encoding", "")):
            if resource.gzipped is None:
                resource.gzipped = gzip.compress(body)
            body = resource.gzipped
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = resource.content_type
        headers.update(resource.headers)  # the caller's headers win
        return web.Response(status=resource.status, body=body, headers=headers)

    @staticmethod
    def _not_modified(request: web.Request, resource: _Resource, last_modified: datetime) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            # When both are sent, If-None-Match decides (RFC 9110, 13.1.3).
            return _etag_matches(if_none_match, resource.etag)
        if_modified_since = request.headers.get("If-Modified-Since")
        if if_modified_since is not None:
            return _not_modified_since(if_modified_since, last_modified)
        return False

    async def _trickle(self, request: web.Request, resource: _Resource) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers={"Content-Type": resource.content_type})
        await response.prepare(request)
        try:
            for index, chunk in enumerate(resource.chunks or []):
                if index and await self._closing_within(resource.delay):
                    break
                await response.write(chunk)
            await response.write_eof()
        except ConnectionError:
            # The client gave up, which is what a timeout test expects it to do.
            logger.debug("client left during slow response for %s", request.path)
        return response

    async def _closing_within(self, delay: float) -> bool:
        """Wait delay seconds; return True early if the server is stopping."""
        try:
            await asyncio.wait_for(self._closing.wait(), delay)
        except TimeoutError:
            return False
        return True
