"""The WebSub callback on the bot's HTTP listener: hubs verify subscriptions and push here.

- `GET /websub/{source_id}/{token}`: a hub's verification; the challenge is echoed for a
  subscription we asked for, anything else gets 404.
- `POST /websub/{source_id}/{token}`: a hub's push; a body signed with the subscription's
  secret is stored as the source's document would be (`bot.pipeline.websub.receive`).
  Every push is answered 202 whatever became of it, as the spec asks, so a forger learns
  nothing; a body larger than OUTPOST_MAX_RESPONSE_BYTES is refused with 413.

`add_websub_routes` mounts the two routes on the HTTP listener (`bot.runtime.listener`),
whose application caps a request's body at OUTPOST_MAX_RESPONSE_BYTES.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.pipeline.cycle import Pipeline
from bot.pipeline.websub import receive

log = logging.getLogger(__name__)

ROUTE = r"/websub/{source_id:\d{1,18}}/{token:[A-Za-z0-9_-]{1,64}}"


def add_websub_routes(app: web.Application, *, pipe: Pipeline) -> None:
    """Add the WebSub callback's GET and POST routes to an aiohttp application."""

    async def verify(request: web.Request) -> web.Response:
        if pipe.websub is None:
            raise web.HTTPNotFound
        answer = await pipe.websub.verify(
            int(request.match_info["source_id"]), request.match_info["token"], request.query
        )
        if answer is None:
            raise web.HTTPNotFound
        return web.Response(text=answer)

    async def push(request: web.Request) -> web.Response:
        body = await request.read()  # capped by the application's client_max_size
        try:
            await receive(
                pipe,
                int(request.match_info["source_id"]),
                request.match_info["token"],
                body,
                signature=request.headers.get("X-Hub-Signature"),
                content_type=request.headers.get("Content-Type"),
            )
        except Exception:
            # A bug, not the hub's doing: logged; the source's polls still bring the news.
            log.exception("storing a WebSub push failed")
        return web.Response(status=202)

    app.router.add_get(ROUTE, verify)
    app.router.add_post(ROUTE, push)
