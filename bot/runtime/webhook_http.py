"""Telegram's webhook on the bot's HTTP listener: an update is stored before it is answered.

`POST <the path of OUTPOST_WEBHOOK_URL>`: Telegram's `X-Telegram-Bot-Api-Secret-Token`
header must equal OUTPOST_WEBHOOK_SECRET (compared in constant time), else 403 and nothing
is stored. The body must be one JSON object with an integer `update_id`, at most
`MAX_UPDATE_BYTES`, else 413 or 400 and nothing is stored. The update is then written to
the database (`store`: unique by update_id, so a copy Telegram sends again is dropped)
and only then answered 200: a crash between receipt and handling loses nothing, since the
updates are handled from the table (`bot.runtime.inbox`). A database that cannot take the
row answers 503, and Telegram sends the update again later.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 -- a header's name
# Telegram's largest updates (a message with every entity and a long caption) are tens
# of KB; a MB is far above any of them and bounds what a forger can make the bot read.
MAX_UPDATE_BYTES = 1024**2

Store = Callable[[int, str], Awaitable[bool]]  # (update_id, JSON) -> whether it was new


def add_webhook_route(app: web.Application, *, path: str, secret: str, store: Store) -> None:
    """Add the webhook's POST route at `path` to an aiohttp application."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            # Logged without what was sent: a wrong header may be a neighbour's secret.
            log.warning("refused a webhook request without the right secret token")
            raise web.HTTPForbidden(text="forbidden\n")
        body = await _read_bounded(request, MAX_UPDATE_BYTES)
        parsed = _update_id(body)
        if parsed is None:
            log.warning("refused a webhook request that is not a Telegram update")
            raise web.HTTPBadRequest(text="expected a JSON object with an integer update_id\n")
        update_id, text = parsed
        try:
            new = await store(update_id, text)
        except Exception:
            # Not stored, so not acknowledged: Telegram sends it again.
            log.exception("storing update %d failed; Telegram will send it again", update_id)
            raise web.HTTPServiceUnavailable(text="try again\n") from None
        if not new:
            log.debug("update %d was received before; dropped", update_id)
        return web.Response(text="ok\n")

    app.router.add_post(path, receive)


async def _read_bounded(request: web.Request, limit: int) -> bytes:
    """Read a request's body, refusing one over `limit` bytes before reading it all."""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
        chunks.append(chunk)
    return b"".join(chunks)


def _update_id(body: bytes) -> tuple[int, str] | None:
    """Return (update_id, the JSON text) of a body that is a Telegram update, else None."""
    try:
        text = body.decode("utf-8")
        value = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    update_id = value.get("update_id")
    # bool is an int to Python, not to Telegram; ids are positive and fit a BIGINT.
    if isinstance(update_id, bool) or not isinstance(update_id, int):
        return None
    if not 0 <= update_id < 2**63:
        return None
    return update_id, text
