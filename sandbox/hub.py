"""A local WebSub hub: takes subscriptions, verifies the subscriber, pushes what is published.

It follows the W3C WebSub recommendation where a subscriber can tell: a subscription request
is answered 202 and verified afterwards with a GET to the callback carrying a challenge,
which must come back verbatim; `publish` then POSTs the topic's new content to every
verified subscriber, signed with its secret (`X-Hub-Signature: sha256=...`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

__all__ = ["WebSubHub"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Subscriber:
    callback: str
    secret: str
    lease_seconds: int


@dataclass(slots=True)
class WebSubHub:
    """The hub: `url` to advertise in a feed, `publish(topic, body)` to push."""

    subscribers: dict[str, dict[str, _Subscriber]] = field(default_factory=dict)  # topic ->
    refused: list[str] = field(default_factory=list)  # callbacks that failed verification
    pushes: int = 0
    _runner: web.AppRunner | None = None
    _port: int | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _session: aiohttp.ClientSession | None = None

    async def start(self, host: str = "127.0.0.1") -> None:
        """Serve the hub on a free port of host."""
        app = web.Application()
        app.router.add_post("/", self._subscribe)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, 0).start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Stop serving; verifications in progress are cancelled."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """Return the hub's URL, as a feed names it in <link rel="hub">."""
        return f"http://127.0.0.1:{self._port}/"

    def verified(self, topic: str) -> int:
        """Return how many subscribers a topic has."""
        return len(self.subscribers.get(topic, {}))

    async def _subscribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        mode, topic = str(form.get("hub.mode", "")), str(form.get("hub.topic", ""))
        callback = str(form.get("hub.callback", ""))
        if mode not in {"subscribe", "unsubscribe"} or not topic or not callback:
            return web.Response(status=400, text="hub.mode, hub.topic and hub.callback")
        lease = int(str(form.get("hub.lease_seconds", "86400")) or 86400)
        subscriber = _Subscriber(callback, str(form.get("hub.secret", "")), min(lease, 864_000))
        task = asyncio.create_task(self._verify(mode, topic, subscriber))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(status=202)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("WebSubHub is not started")
        return self._session

    async def _verify(self, mode: str, topic: str, subscriber: _Subscriber) -> None:
        challenge = secrets.token_hex(16)
        params = {
            "hub.mode": mode,
            "hub.topic": topic,
            "hub.challenge": challenge,
            "hub.lease_seconds": str(subscriber.lease_seconds),
        }
        try:
            async with self._client().get(subscriber.callback, params=params) as answer:
                echoed = await answer.text() if answer.status == 200 else None
        except aiohttp.ClientError:
            echoed = None
        if echoed != challenge:
            self.refused.append(subscriber.callback)
            return
        topics = self.subscribers.setdefault(topic, {})
        if mode == "subscribe":
            topics[subscriber.callback] = subscriber
        else:
            topics.pop(subscriber.callback, None)

    async def publish(
        self, topic: str, body: bytes, content_type: str = "application/atom+xml"
    ) -> int:
        """Push content to the topic's subscribers; return how many took it (2xx)."""
        taken = 0
        for subscriber in list(self.subscribers.get(topic, {}).values()):
            digest = hmac.new(subscriber.secret.encode(), body, hashlib.sha256).hexdigest()
            headers = {"Content-Type": content_type, "X-Hub-Signature": f"sha256={digest}"}
            async with self._client().post(subscriber.callback, data=body, headers=headers) as r:
                taken += int(200 <= r.status < 300)
            self.pushes += 1
        return taken
