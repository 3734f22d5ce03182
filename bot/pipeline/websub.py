"""WebSub (W3C): feeds that name a hub push their new items, so those alerts leave in seconds.

A poll that reads a feed naming a hub (`<link rel="hub">`) subscribes to it (`Subscriber.
ensure`): a POST to the hub with our callback URL, the feed's own URL as the topic, a lease
and a secret. The hub checks the callback with a GET carrying a challenge (`verify`), which
is echoed only for a subscription we asked for; then it POSTs new content to the callback
(`receive`), signed with the secret (X-Hub-Signature, HMAC over the body), and the body
goes through the same steps as a polled document (`cycle.ingest`). Polling goes on as a
safety net: a hub that never verifies, stops pushing or lets the lease run out changes
nothing but the speed, and the subscription is asked for again before the lease ends.

Hand-written: the protocol is three small HTTP exchanges, and the Python WebSub packages
are either bound to another web framework or unmaintained; httpx (the guarded client every
source request goes through, since a hub URL comes from a feed) and aiohttp (the listener)
do the HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx

from bot.models import FetchResult, Source
from bot.runtime.clock import Clock
from storage import Database
from storage.websub import Subscription

if TYPE_CHECKING:
    from bot.pipeline.cycle import Pipeline

log = logging.getLogger(__name__)

LEASE = timedelta(days=10)  # asked of the hub; hubs may grant less
RENEW_BEFORE = timedelta(days=1)  # ask again when the lease ends sooner than this
RETRY_AFTER = timedelta(hours=6)  # after a refusal or silence, ask again no sooner
PENDING_FOR = timedelta(hours=1)  # a request the hub has not verified by then is retried
_SIGNATURES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


class Subscriber:
    """Subscribes sources at their hubs and answers the hubs' verification requests."""

    def __init__(self, db: Database, http: httpx.AsyncClient, clock: Clock, callback: str) -> None:
        self._db = db
        self._http = http
        self._clock = clock
        self._callback = callback.rstrip("/")

    def callback_of(self, subscription: Subscription) -> str:
        """Return the URL the hub calls for one subscription."""
        return f"{self._callback}/websub/{subscription.source_id}/{subscription.token}"

    async def ensure(self, source: Source, *, hub: str, topic: str) -> bool:
        """Subscribe a source at its hub unless a live subscription stands; True if asked."""
        now = self._clock.now()
        known = await self._db.websub.get(source.id)
        if known is not None and known.hub == hub and known.topic == topic:
            if known.state == "active" and (
                known.expires_at is None or known.expires_at - now > RENEW_BEFORE
            ):
                return False
            if known.state == "requested" and now - known.requested_at < PENDING_FOR:
                return False
            if known.state == "failed" and now - known.requested_at < RETRY_AFTER:
                return False
        subscription = Subscription(
            source_id=source.id,
            hub=hub,
            topic=topic,
            secret=known.secret if known else secrets.token_hex(32),
            token=known.token if known else secrets.token_urlsafe(18),
            state="requested",
            requested_at=now,
            expires_at=known.expires_at if known else None,
        )
        await self._db.websub.save(subscription)
        try:
            answer = await self._http.post(
                hub,
                data={
                    "hub.mode": "subscribe",
                    "hub.topic": topic,
                    "hub.callback": self.callback_of(subscription),
                    "hub.lease_seconds": str(int(LEASE.total_seconds())),
                    "hub.secret": subscription.secret,
                },
            )
        except httpx.HTTPError as exc:
            await self._db.websub.failed(source.id, error=f"hub unreachable: {exc!r}"[:300])
            log.info("source %s: hub %s unreachable: %r", source.name, hub, exc)
            return True
        if not answer.is_success:
            await self._db.websub.failed(source.id, error=f"hub answered {answer.status_code}")
            log.info("source %s: hub %s answered %d", source.name, hub, answer.status_code)
        return True

    async def verify(self, source_id: int, token: str, query: Mapping[str, str]) -> str | None:
        """Answer a hub's verification GET: the challenge to echo, or None to refuse."""
        known = await self._db.websub.get(source_id)
        if known is None or not hmac.compare_digest(known.token, token):
            return None
        mode = query.get("hub.mode")
        if query.get("hub.topic") != known.topic:
            return None
        if mode == "denied":
            await self._db.websub.failed(source_id, error=query.get("hub.reason", "denied"))
            return ""
        challenge = query.get("hub.challenge")
        if mode != "subscribe" or not challenge or known.state == "failed":
            return None
        lease = query.get("hub.lease_seconds", "")
        seconds = int(lease) if lease.isdigit() else int(LEASE.total_seconds())
        await self._db.websub.activate(
            source_id, expires_at=self._clock.now() + timedelta(seconds=seconds)
        )
        log.info("source %d: WebSub subscription verified for %d s", source_id, seconds)
        return challenge

    async def authentic(
        self, source_id: int, token: str, body: bytes, signature: str | None
    ) -> Source | None:
        """Return the source a signed push is for, or None for anything else."""
        known = await self._db.websub.get(source_id)
        if known is None or not hmac.compare_digest(known.token, token) or not signature:
            return None
        method, _, digest = signature.partition("=")
        algorithm = _SIGNATURES.get(method.strip().lower())
        if algorithm is None:
            return None
        expected = hmac.new(known.secret.encode(), body, algorithm).hexdigest()
        if not hmac.compare_digest(expected, digest.strip().lower()):
            return None
        source = await self._db.sources.get(source_id)
        return source if source is not None and source.active else None


async def receive(
    pipe: Pipeline,
    source_id: int,
    token: str,
    body: bytes,
    *,
    signature: str | None,
    content_type: str | None,
) -> bool:
    """Store what a hub pushed for a source, as a poll would; False if it was not ours.

    The caller caps the body's size; an unsigned or wrongly signed push is dropped.
    """
    from bot.pipeline.cycle import CycleReport, ingest  # noqa: PLC0415 -- cycle imports this

    if pipe.websub is None:
        return False
    source = await pipe.websub.authentic(source_id, token, body, signature)
    if source is None:
        log.warning("dropped a WebSub push for source %d: not signed by its hub", source_id)
        return False
    await pipe.db.websub.pushed(source_id, at=pipe.clock.now())
    report = CycleReport(sources=1)
    await ingest(pipe, source, FetchResult(body=body, content_type=content_type), report)
    if report.queued and pipe.on_queued is not None:
        pipe.on_queued()
    log.info("source %s: pushed by its hub, %d new", source.name, report.new_events)
    return True
