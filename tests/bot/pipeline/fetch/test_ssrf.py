"""SSRF checks: URLs and addresses that lead into the bot's own network are refused."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from bot.pipeline.fetch.ssrf import (
    UrlGuard,
    address_refusal,
    check_url,
    parse_ip_literal,
    parse_ipv4_loose,
    resolve_host,
)

REFUSED = [
    "http://127.0.0.1/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0/",
    "http://0x/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::]/",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://0.0.0.0/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 wrapping 169.254.169.254
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost:8080/",
    "http://user:pw@127.0.0.1:8080/x",
    "ftp://example.org/",
    "file:///etc/passwd",
    "gopher://example.org/",
    "javascript:alert(1)",
    "http:///nohost",
    "http://example.org:99999/",
    "not a url",
    "",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused(url: str) -> None:
    assert check_url(url, allow_private=False) is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/",
        "https://1.1.1.1/dns-query",
        "https://[2606:4700:4700::1111]/",
        "https://news.example.org/rss?x=1",
        "HTTPS://T.ME/s/belwatch_demo",
        "http://127.0.0.1.nip.io/",  # a name: judged by its DNS answer, not its spelling
    ],
)
def test_public_accepted(url: str) -> None:
    assert check_url(url, allow_private=False) is None


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/feed", "http://localhost/", "http://[::1]/", "http://10.1.2.3/"]
)
def test_allow_private_accepts_local(url: str) -> None:
    assert check_url(url, allow_private=True) is None


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "file:///etc/passwd", "http:///x"])
def test_allow_private_still_needs_http_and_host(url: str) -> None:
    assert check_url(url, allow_private=True) is not None


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.258", "10.1.1.2"),
        ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
        ("8.8.8.8.", "8.8.8.8"),
    ],
)
def test_loose_ipv4_forms(literal: str, expected: str) -> None:
    assert parse_ipv4_loose(literal) == ipaddress.IPv4Address(expected)


@pytest.mark.parametrize(
    "name", ["example.org", "1.2.3.4.5", "256.1.1.1", "08.0.0.1", "0xg", "4294967296", "1..2", ""]
)
def test_not_loose_ipv4(name: str) -> None:
    assert parse_ipv4_loose(name) is None


def test_ipv6_literal_parsed() -> None:
    assert parse_ip_literal("[::ffff:127.0.0.1]") == ipaddress.IPv6Address("::ffff:127.0.0.1")


def test_address_refusal_names_the_reason() -> None:
    reason = address_refusal(ipaddress.ip_address("::ffff:169.254.169.254"))
    assert reason is not None
    assert "169.254.169.254" in reason
    assert address_refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert address_refusal(ipaddress.ip_address("2606:4700:4700::1111")) is None


async def test_the_guard_refuses_localhost_in_every_spelling() -> None:
    guard = UrlGuard()
    assert await guard.refusal("http://localhost/") is not None
    assert await guard.refusal("http://127.0.0.1/") is not None
    assert await guard.refusal("http://[::1]/") is not None


async def test_a_public_literal_needs_no_dns() -> None:
    assert await UrlGuard().refusal("https://8.8.8.8/") is None


async def test_allowing_private_sources_allows_localhost() -> None:
    assert await UrlGuard(allow_private=True).refusal("http://localhost/") is None


async def test_the_guard_resolves_names_with_the_system_resolver() -> None:
    # The machine's own name resolves through the system resolver (usually /etc/hosts)
    # to a loopback or private address; that answer, not the name, gets it refused.
    name = socket.gethostname()
    try:
        addresses = await resolve_host(name, 80)
    except OSError:
        pytest.skip("the host name does not resolve here")
    if all(address_refusal(a) is None for a in addresses):
        pytest.skip("the host name resolves to a public address here")
    reason = await UrlGuard().refusal(f"http://{name}/feed")
    assert reason is not None
    assert "resolves to" in reason


async def test_a_name_that_does_not_resolve_now_is_left_to_polling() -> None:
    # Polling fails to connect to it (and would refuse whatever it resolves to later).
    assert await UrlGuard().refusal("http://no-such-host.invalid/feed") is None
