"""Fetch one source over HTTP politely and defensively; every failure comes back as a value.

The composition root builds one `httpx.AsyncClient` with `make_client` and closes it on
shutdown; a `Fetcher` only borrows it. Redirects are followed here rather than by httpx so
that every hop goes through the SSRF checks; host names are resolved and vetted where the
connection is made (`connect_guard`). The body is streamed and inflated by us, a bounded amount
at a time, so that a huge, endless or gzip-bomb response is cut off at `max_bytes` and a slow
trickle at `total_timeout`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from urllib.parse import urljoin

import httpx

from bot import __version__
from bot.models import ErrorKind, FetchResult
from bot.pipeline.fetch.connect_guard import AddressRefusedError, GuardedBackend, guarded_transport
from bot.pipeline.fetch.inflate import (
    ENCODINGS,
    BodyTooLargeError,
    BoundedInflater,
    CorruptBodyError,
)
from bot.pipeline.fetch.ssrf import UrlGuard
from bot.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = f"Outpost/{__version__} (+https://github.com/outpost-alerts/outpost)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.1"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Kinds that point at a misconfigured or hostile source rather than a passing network blip.
_LOUD_KINDS = frozenset(
    {ErrorKind.BLOCKED_URL, ErrorKind.TOO_LARGE, ErrorKind.TOO_MANY_REDIRECTS, ErrorKind.TLS}
)


def make_client(
    user_agent: str = DEFAULT_USER_AGENT,
    timeout: float = 20.0,
    *,
    allow_private: bool = False,
    backend: GuardedBackend | None = None,
    guard: UrlGuard | None = None,
) -> httpx.AsyncClient:
    """Build the shared client for polling sources; the caller owns it and must close it.

    Unless `allow_private` (OUTPOST_ALLOW_PRIVATE_SOURCES), every connection it opens goes to
    an address vetted at connect time by the guard's resolver and policy (the ones adding a
    source uses); `backend` replaces the resolver/policy in tests.
    """
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30)
    return httpx.AsyncClient(
        transport=guarded_transport(
            limits, allow_private=allow_private, backend=backend, guard=guard
        ),
        # Redirects are followed by Fetcher so each hop is checked against SSRF.
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
        headers={
            "User-Agent": user_agent,
            # No brotli/zstd: only what httpx decodes without optional packages.
            "Accept-Encoding": "gzip, deflate",
            "Accept": _ACCEPT,
        },
    )


class _FetchError(Exception):
    """Stop a fetch with a named error kind; caught in Fetcher.fetch, never escapes it."""

    def __init__(
        self,
        kind: ErrorKind,
        detail: str,
        status: int | None = None,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status
        self.retry_after = retry_after


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError) or "CERTIFICATE" in str(current).upper():
            return True
        current = current.__cause__ or current.__context__
    return False


def _classify(exc: httpx.HTTPError) -> tuple[ErrorKind, str]:
    detail = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if isinstance(exc, httpx.TimeoutException):
        return ErrorKind.TIMEOUT, detail
    if isinstance(exc, httpx.ConnectError):
        return (ErrorKind.TLS if _is_tls_failure(exc) else ErrorKind.CONNECT), detail
    return ErrorKind.NETWORK, detail


class Fetcher:
    """Fetch source URLs with conditional GET, checked redirects, a size cap and a deadline."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        allow_private: bool,
        max_bytes: int,
        total_timeout: float,
        max_redirects: int = 5,
        guard: UrlGuard | None = None,
    ) -> None:
        self._client = client
        # The check every hop passes, and that adding a source makes (bot.admin.intake).
        self.guard = guard or UrlGuard(allow_private=allow_private)
        self._max_bytes = max_bytes
        self._total_timeout = total_timeout
        self._max_redirects = max_redirects

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch url once; network and HTTP problems come back as FetchResult.error."""
        try:
            # One deadline over DNS, every hop and the whole body, so a server that trickles
            # a byte a second cannot hold a worker however generous the per-read timeout is.
            async with asyncio.timeout(self._total_timeout):
                result = await self._fetch(url, etag=etag, last_modified=last_modified)
        except _FetchError as failed:
            result = FetchResult(
                error=failed.kind,
                detail=failed.detail,
                status=failed.status,
                retry_after=failed.retry_after,
            )
        except TimeoutError:
            result = FetchResult(
                error=ErrorKind.TIMEOUT,
                detail=f"no complete response within {self._total_timeout:g}s",
            )
        except AddressRefusedError as exc:
            result = FetchResult(error=ErrorKind.BLOCKED_URL, detail=str(exc))
        except httpx.InvalidURL as exc:
            result = FetchResult(error=ErrorKind.BLOCKED_URL, detail=f"invalid URL: {exc}")
        except httpx.HTTPError as exc:
            kind, detail = _classify(exc)
            result = FetchResult(error=kind, detail=detail)
        self._log(url, result)
        return result

    def _log(self, url: str, result: FetchResult) -> None:
        if result.error is None:
            logger.debug(
                "fetched %s: status=%s not_modified=%s bytes=%d",
                url,
                result.status,
                result.not_modified,
                len(result.body or b""),
            )
            return
        level = logging.WARNING if result.error in _LOUD_KINDS else logging.INFO
        logger.log(level, "fetch %s failed: %s (%s)", url, result.error.value, result.detail)

    def _check_hop(self, url: str) -> None:
        # What the URL itself says (scheme, local names, IP literals in any notation). The
        # addresses a name resolves to are vetted by the client's transport as it connects.
        reason = self.guard.url_refusal(url)
        if reason is not None:
            raise _FetchError(ErrorKind.BLOCKED_URL, f"{reason} ({url})")

    async def _fetch(self, url: str, *, etag: str | None, last_modified: str | None) -> FetchResult:
        headers: dict[str, str] = {}
        # Validators are sent back exactly as the server gave them (RFC 9110 13.1).
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url.strip()
        for _hop in range(self._max_redirects + 1):
            self._check_hop(current)
            async with self._client.stream("GET", current, headers=headers) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    try:
                        current = urljoin(str(response.url), location.strip())
                    except ValueError as exc:
                        raise _FetchError(
                            ErrorKind.BLOCKED_URL,
                            f"bad redirect location {location!r}",
                            response.status_code,
                        ) from exc
                    continue
                return await self._read(response, etag=etag, last_modified=last_modified)
        raise _FetchError(
            ErrorKind.TOO_MANY_REDIRECTS,
            f"more than {self._max_redirects} redirects, last to {current}",
        )

    async def _read(
        self, response: httpx.Response, *, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        status = response.status_code
        new_etag = response.headers.get("etag")
        new_last_modified = response.headers.get("last-modified")
        content_type = response.headers.get("content-type")
        cache_control = response.headers.get("cache-control")
        retry_after = response.headers.get("retry-after")
        if status == 304:
            # A 304 may omit the validators; the stored ones are still the current ones.
            return FetchResult(
                not_modified=True,
                etag=new_etag or etag,
                last_modified=new_last_modified or last_modified,
                content_type=content_type,
                status=status,
                cache_control=cache_control,
            )
        if 400 <= status < 500:
            raise _FetchError(
                ErrorKind.HTTP_4XX, f"HTTP {status} {response.reason_phrase}", status, retry_after
            )
        if status >= 500:
            raise _FetchError(
                ErrorKind.HTTP_5XX, f"HTTP {status} {response.reason_phrase}", status, retry_after
            )
        if not 200 <= status < 300:
            raise _FetchError(ErrorKind.NETWORK, f"unexpected HTTP {status} without a body", status)
        declared = response.headers.get("content-length", "")
        # ASCII digits, and few: int() refuses "²" and any number of over 4,300 digits.
        if declared.isascii() and declared.isdigit() and int(declared[:19]) > self._max_bytes:
            raise _FetchError(
                ErrorKind.TOO_LARGE,
                f"Content-Length {declared} exceeds {self._max_bytes} bytes",
                status,
            )
        body = await self._body(response)
        if not body.strip():
            raise _FetchError(ErrorKind.EMPTY, f"HTTP {status} with an empty body", status)
        return FetchResult(
            body=bytes(body),
            etag=new_etag,
            last_modified=new_last_modified,
            content_type=content_type,
            status=status,
            cache_control=cache_control,
        )

    async def _body(self, response: httpx.Response) -> bytes:
        too_large = _FetchError(
            ErrorKind.TOO_LARGE, f"body exceeds {self._max_bytes} bytes", response.status_code
        )
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        # Only what we asked for in Accept-Encoding is undone; anything else is kept as sent
        # (as httpx does), and the parser will name what it finds.
        inflater = BoundedInflater(encoding, self._max_bytes) if encoding in ENCODINGS else None
        body = bytearray()
        try:
            # aiter_raw: the bytes as sent; inflating them here keeps the cap in force inside
            # every chunk (see bot/pipeline/inflate.py).
            async for chunk in response.aiter_raw():
                body += inflater.feed(chunk) if inflater else chunk
                if len(body) > self._max_bytes:
                    raise too_large
            if inflater:
                body += inflater.finish()
        except BodyTooLargeError:
            raise too_large from None
        except CorruptBodyError as exc:
            raise _FetchError(ErrorKind.NETWORK, str(exc), response.status_code) from exc
        return bytes(body)


def make_fetcher(
    settings: Settings, client: httpx.AsyncClient, guard: UrlGuard | None = None
) -> Fetcher:
    """Build the fetcher the settings describe, on a client the caller owns."""
    return Fetcher(
        client,
        allow_private=settings.allow_private_sources,
        max_bytes=settings.max_response_bytes,
        total_timeout=settings.fetch_deadline,
        guard=guard,
    )
