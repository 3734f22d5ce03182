"""Refuse source URLs that point into the bot's own network (SSRF protection).

Sources are added by admins, and every redirect is chosen by a remote server, so a URL could
lead the poller to a cloud metadata service, a database port or an admin panel on localhost.
`check_url` rejects what can be seen in the URL itself (scheme, host names, IP literals in
every form a resolver accepts); `resolve_and_check` resolves a host name and rejects it if
any of its addresses is not a public one.

`UrlGuard` is the one check of a source URL, made when a source is added and at every poll:
what the URL says (`check_url`), then every address its host resolves to, judged by
`address_refusal`. At add time the guard resolves the name itself; at poll time the same
resolver and the same judgement run where the connection is made (`connect_guard`), so a DNS
server that answers differently later (DNS rebinding) cannot slip past, and the two checks
can never disagree about what is refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
Policy = Callable[[IPAddress], str | None]

# How long an admin waits for a new source's host name to resolve.
RESOLVE_AT_ADD_S = 10.0
# Characters no host name is spelled with: percent-escapes, spaces, controls, backslashes.
_ODD_HOST = frozenset("%\\ \t\r\n\x00")

_ALLOWED_SCHEMES = frozenset({"http", "https"})
# 64:ff9b::/96 embeds an IPv4 address for NAT64 gateways; the embedded one is what is reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _parse_ipv4_part(part: str) -> int | None:
    # inet_aton rules: 0x.. is hexadecimal, a leading 0 is octal, anything else decimal.
    try:
        if part[:2].lower() == "0x":
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10) if part.isdigit() else None
    except ValueError:
        return None


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """Parse an IPv4 literal the way libc's inet_aton does: 0x7f000001, 2130706433, 127.1."""
    parts = host.split(".")
    if parts and parts[-1] == "":  # a trailing dot is allowed, as in a fully qualified name
        parts.pop()
    if not 1 <= len(parts) <= 4 or any(not p for p in parts):
        return None
    numbers = [_parse_ipv4_part(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    # The last part fills all the bytes the earlier ones did not: "127.1" is 127.0.0.1.
    last_bits = 8 * (5 - len(values))
    if any(v > 255 for v in values[:-1]) or values[-1] >= 1 << last_bits:
        return None
    value = 0
    for v in values[:-1]:
        value = value << 8 | v
    value = value << last_bits | values[-1]
    return ipaddress.IPv4Address(value)


def parse_ip_literal(host: str) -> IPAddress | None:
    """Return the address if host is an IP literal in any accepted notation, else None."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    return parse_ipv4_loose(bare)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client: the address the traffic ends up at
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Return why an address is not a public unicast one, or None if it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = address_refusal(embedded)
            return f"{address} embeds {inner}" if inner else None
        if address.scope_id is not None:
            return f"{address} has a zone id"
    checks = (
        (address.is_loopback, "loopback"),
        (address.is_unspecified, "unspecified"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        # is_global is also False for CGNAT 100.64.0.0/10 and other special-purpose blocks.
        (not address.is_global, "not globally routable"),
    )
    for refused, why in checks:
        if refused:
            return f"{address} is {why}"
    return None


def _is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def check_url(url: str, *, allow_private: bool) -> str | None:
    """Return why a URL must not be fetched, judging only what the URL says, or None if OK.

    The host is judged as the HTTP client will connect to it (`source_host`), so no
    spelling means one host here and another there. Besides the scheme and the host, the
    spelling: a URL with a user name or password (`trusted.example@127.0.0.1`), a backslash
    before the host or a host spelled with percent-escapes (`127.0.0.1%2e`) is refused
    whatever it points at, since parsers disagree about where such a host ends, and no feed
    needs them.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError for a port that is not a number in range
        parsed = httpx.URL(text)
    except (ValueError, httpx.InvalidURL) as exc:
        return f"malformed URL: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        return f"scheme {scheme or '(none)'!r} is not http or https"
    if parsed.userinfo or "@" in parts.netloc or "\\" in parts.netloc:
        return "the URL names a user (user@host), which no source needs and which can hide the host"
    host = source_host(parsed)
    if not host:
        return "URL has no host"
    if _ODD_HOST.intersection(host):
        return f"host {host!r} is spelled with characters no host name has"
    return None if allow_private else _host_refusal(host)


def source_host(url: httpx.URL) -> str:
    """Return the host the HTTP client connects to for a URL (IDNA-encoded, lower case)."""
    return url.raw_host.decode("ascii", errors="replace").lower()


def _host_refusal(host: str) -> str | None:
    if _is_local_name(host):
        return f"host {host!r} is local"
    address = parse_ip_literal(host)
    return None if address is None else address_refusal(address)


def addresses_refusal(addresses: Iterable[IPAddress]) -> str | None:
    """Return why any of the addresses is not public, or None if all are."""
    for address in addresses:
        reason = address_refusal(address)
        if reason is not None:
            return reason
    return None


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Resolve a host name to its addresses; raises OSError or UnicodeError on failure."""
    literal = parse_ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass(frozen=True, slots=True)
class UrlGuard:
    """The one check of a source URL: when it is added, and at every poll.

    `resolve` and `policy` are what the poller's connections use (`GuardedBackend` is built
    from them), so adding a source refuses exactly what polling it would refuse.
    """

    allow_private: bool = False
    resolve: Resolver = resolve_host
    policy: Policy = address_refusal

    def url_refusal(self, url: str) -> str | None:
        """Return why the URL must not be fetched, judging only what it says."""
        return check_url(url, allow_private=self.allow_private)

    async def refusal(self, url: str) -> str | None:
        """Return why the URL must not be a source: what it says, then where its host points.

        A name that does not resolve now is not refused here (polling will report it); a
        name any of whose addresses the policy refuses is.
        """
        reason = self.url_refusal(url)
        if reason is not None or self.allow_private:
            return reason
        parsed = httpx.URL(url.strip())
        host = source_host(parsed)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            async with asyncio.timeout(RESOLVE_AT_ADD_S):
                addresses = await self.resolve(host, port)
        except (OSError, UnicodeError, TimeoutError) as exc:
            log.info("cannot resolve %s now (%s); polling will tell", host, exc)
            return None
        for address in addresses:
            why = self.policy(address)
            if why is not None:
                return f"{host} resolves to {why}"
        return None
