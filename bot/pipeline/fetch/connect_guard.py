"""Vet a source's addresses where the connection is made, so DNS rebinding cannot slip past.

Checking a host name before the request and letting the HTTP client resolve it again when it
connects leaves a window: a hostile DNS server can answer with a public address for the check
and with 127.0.0.1 or 169.254.169.254 a moment later (DNS rebinding). Here the name is resolved
once, inside httpcore's `connect_tcp`, every address is judged by `ssrf.address_refusal`, and
the socket is opened to exactly the address that was judged. TLS is unaffected: httpcore starts
TLS on the returned stream with the URL's host name as SNI and for certificate checks.

httpx has no public switch for the network backend (encode/httpx#1319, #1444: custom resolution
"requires customising the transport layer"), so `GuardedTransport` builds the same httpcore pool
that `httpx.AsyncHTTPTransport` builds, with this backend in it. No proxy is used for sources:
a proxy resolves names itself, which would make the check meaningless.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from bot.pipeline.fetch.ssrf import Policy, Resolver, UrlGuard, address_refusal, resolve_host


class AddressRefusedError(Exception):
    """A source's host resolved to an address the poller must not reach.

    Deliberately not an httpcore/httpx error: httpx would turn it into a ConnectError, and the
    fetcher must tell "refused for safety" (blocked_url) from "could not connect".
    """


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, vets and connects to the vetted address.

    `resolve` and `policy` are seams for tests: a test's resolver can play a rebinding DNS
    server, and its policy can admit the loopback test server while refusing everything else.
    """

    def __init__(
        self,
        *,
        resolve: Resolver = resolve_host,
        policy: Policy = address_refusal,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._resolve = resolve
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host!r} resolves to no address")
        for address in addresses:
            # Refuse the name if any answer is private, not just the one we would try first:
            # a resolver mixing one public and one internal answer is an attack, not a mirror.
            reason = self._policy(address)
            if reason is not None:
                raise AddressRefusedError(f"{host} resolves to {reason}")
        failure = httpcore.ConnectError(f"no address of {host!r} accepted a connection")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:  # try the next address, as getaddrinfo users do
                failure = exc
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("sources are never fetched over a Unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport whose connections go through a `GuardedBackend`."""

    def __init__(self, *, limits: httpx.Limits, backend: GuardedBackend | None = None) -> None:
        super().__init__(limits=limits, trust_env=False)
        # Replace the pool httpx built with the same pool on our backend (see module doc).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend or GuardedBackend(),
        )


def guarded_transport(
    limits: httpx.Limits,
    *,
    allow_private: bool,
    backend: GuardedBackend | None = None,
    guard: UrlGuard | None = None,
) -> httpx.AsyncBaseTransport:
    """The transport for source fetches: guarded unless private sources are allowed.

    The guard's resolver and policy are the connections' (unless a test hands a backend).
    """
    if allow_private:
        return httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    if backend is None and guard is not None:
        backend = GuardedBackend(resolve=guard.resolve, policy=guard.policy)
    return GuardedTransport(limits=limits, backend=backend)
