"""Ask a running bot's HTTP listener how it is, as `outpost health` and a HEALTHCHECK do."""

from __future__ import annotations

import httpx

TIMEOUT_S = 10.0  # /readyz itself waits at most 5 s for the database


def _url(address: tuple[str, int], path: str) -> str:
    """Return the URL to reach a listener bound to `address` from this machine."""
    host, port = address
    if host in {"", "0.0.0.0"}:  # noqa: S104 -- bound to every address: ask the loopback one
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


def probe(address: tuple[str, int] | None, *, path: str = "/readyz") -> tuple[bool, str]:
    """Return (healthy, one line saying why) for the listener at `address`.

    Healthy means a 200 answer; the line is the listener's own reason (/readyz says which
    check failed), or why nothing answered.
    """
    if address is None:
        return False, "down: OUTPOST_HTTP_LISTEN is not set, so there is no listener to ask"
    url = _url(address, path)
    try:
        response = httpx.get(url, timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        return False, f"down: no answer from {url} ({type(exc).__name__}: {exc})"
    reason = response.text.strip()
    if response.headers.get("content-type", "").startswith("application/json"):
        reason = str(response.json().get("reason", reason))
    if response.status_code == 200:
        return True, reason
    return False, f"not ready: {reason}" if response.status_code == 503 else (
        f"unhealthy: HTTP {response.status_code} from {url}"
    )
