"""Refuse source URLs that point into the bot's own network (SSRF protection).

Sources are added by admins, and every redirect is chosen by a remote server, so a URL could
lead the poller to a cloud metadata service, a database port or an admin panel on localhost.
`check_url` rejects what can be seen in the URL itself (scheme, host names, IP literals in
every form a resolver accepts); `resolve_and_check` resolves a host name and rejects it if
any of its addresses is not a public one.

`resolve_and_check` gives an admin a clear answer when a source is added; the polls themselves
are vetted where the connection is made (`connect_guard`), with the same `address_refusal`, so
a DNS server that answers differently later (DNS rebinding) cannot slip past.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

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
    """Return why a URL must not be fetched, judging only what the URL says, or None if OK."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as exc:
        return f"malformed URL: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        return f"scheme {scheme or '(none)'!r} is not http or https"
    host = parts.hostname
    if not host:
        return "URL has no host"
    return None if allow_private else _host_refusal(host)


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


async def resolve_and_check(host: str, port: int, *, allow_private: bool) -> str | None:
    """Resolve host and return why it must not be fetched if any address is not public."""
    if allow_private:
        return None
    host = host.strip("[]")
    if _is_local_name(host):
        return f"host {host!r} is local"
    try:
        addresses = await resolve_host(host, port)
    except (OSError, UnicodeError) as exc:
        # Fail closed: a name we cannot vet must not be handed to the HTTP client.
        return f"cannot resolve {host!r}: {exc}"
    if not addresses:
        return f"{host!r} resolves to no address"
    return addresses_refusal(addresses)
