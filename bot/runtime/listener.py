"""The opt-in HTTP listener: /healthz, /readyz and, when asked for, /metrics.

It is an aiohttp server running in the bot's own event loop, not a thread beside it: an
answer from /healthz then proves that the loop the bot runs on still turns, and /readyz
can await the database the way the bot does. (prometheus-client's own server runs in a
thread, so it would answer for a wedged loop; starlette would need uvicorn as well, which
wants to own the process's signals.)

- `/healthz`: 200 `ok` while the process answers.
- `/readyz`: 200 when `bot.runtime.health.check` says ready, else 503; a JSON body with
  `status`, a one-line `reason` and each check's line.
- `/metrics`: the Prometheus text format, 404 unless metrics are on.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from bot.runtime.health import Readiness
from bot.runtime.metrics import CONTENT_TYPE_LATEST, Metrics

log = logging.getLogger(__name__)

ReadyCheck = Callable[[], Awaitable[Readiness]]
Refresh = Callable[[], Awaitable[None]]
# Adds more routes (the WebSub callback).
Routes = Callable[[web.Application], None]  # brings the database-read gauges up to date


def make_app(
    ready: ReadyCheck,
    metrics: Metrics | None,
    refresh: Refresh | None,
    *,
    routes: Routes | None = None,
    max_body: int = 1024**2,
) -> web.Application:
    """Build the aiohttp application serving the three endpoints (and any `routes` added).

    `max_body` caps what a request may send (the WebSub callback takes a feed's size).
    """

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        answer = await ready()
        return web.json_response(answer.as_json(), status=200 if answer.ready else 503)

    async def exposition(_: web.Request) -> web.Response:
        if metrics is None:
            raise web.HTTPNotFound(text="metrics are off (OUTPOST_METRICS=true turns them on)\n")
        if refresh is not None:
            await refresh()
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app = web.Application(client_max_size=max_body)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", exposition)
    if routes is not None:
        routes(app)
    return app


@contextlib.asynccontextmanager
async def serving(
    host: str,
    port: int,
    ready: ReadyCheck,
    *,
    metrics: Metrics | None = None,
    refresh: Refresh | None = None,
    routes: Routes | None = None,
    max_body: int = 1024**2,
) -> AsyncIterator[int]:
    """Serve the endpoints on host:port inside the block; yield the port bound (for port 0)."""
    app = make_app(ready, metrics, refresh, routes=routes, max_body=max_body)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = int(runner.addresses[0][1]) if runner.addresses else port
        log.info(
            "HTTP listener on %s:%d (/healthz, /readyz%s)",
            host,
            bound,
            ", /metrics" if metrics else "",
        )
        yield bound
    finally:
        await runner.cleanup()
