"""WebSub subscriptions: one a source, from the request to the hub until its lease ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.runtime.clock import from_timestamp
from storage._base import Repository, Row

_COLUMNS = "source_id, hub, topic, secret, token, state, requested_at, expires_at"


@dataclass(frozen=True, slots=True)
class Subscription:
    """What is stored of one source's subscription."""

    source_id: int
    hub: str
    topic: str
    secret: str  # signs the hub's pushes
    token: str  # part of the callback URL
    state: str  # requested, active, failed
    requested_at: datetime
    expires_at: datetime | None = None


def _subscription(row: Row) -> Subscription:
    requested = from_timestamp(row["requested_at"])
    assert requested is not None  # noqa: S101 -- NOT NULL column
    return Subscription(
        source_id=row["source_id"],
        hub=row["hub"],
        topic=row["topic"],
        secret=row["secret"],
        token=row["token"],
        state=row["state"],
        requested_at=requested,
        expires_at=from_timestamp(row["expires_at"]),
    )


class WebSubRepository(Repository):
    """The `websub` table."""

    async def get(self, source_id: int) -> Subscription | None:
        """Return a source's subscription, if it has one."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM websub WHERE source_id = ?",  # noqa: S608 -- constant
            (source_id,),
        )
        return None if row is None else _subscription(row)

    async def save(self, sub: Subscription) -> None:
        """Store a subscription as requested (replacing the source's previous one)."""
        await self._db.execute(
            "INSERT INTO websub (source_id, hub, topic, secret, token, state, requested_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (source_id) DO UPDATE SET hub = excluded.hub, topic = excluded.topic,"
            " secret = excluded.secret, token = excluded.token, state = excluded.state,"
            " requested_at = excluded.requested_at, last_error = NULL",
            (
                sub.source_id,
                sub.hub,
                sub.topic,
                sub.secret,
                sub.token,
                sub.state,
                sub.requested_at.timestamp(),
                None if sub.expires_at is None else sub.expires_at.timestamp(),
            ),
        )

    async def activate(self, source_id: int, *, expires_at: datetime) -> None:
        """Record that the hub verified the subscription, until when it holds."""
        await self._db.execute(
            "UPDATE websub SET state = 'active', expires_at = ?, last_error = NULL"
            " WHERE source_id = ?",
            (expires_at.timestamp(), source_id),
        )

    async def failed(self, source_id: int, *, error: str) -> None:
        """Record that the hub refused or could not be asked (polling carries on)."""
        await self._db.execute(
            "UPDATE websub SET state = 'failed', last_error = ? WHERE source_id = ?",
            (error[:300], source_id),
        )

    async def pushed(self, source_id: int, *, at: datetime) -> None:
        """Record when the hub last pushed content."""
        await self._db.execute(
            "UPDATE websub SET last_push_at = ? WHERE source_id = ?", (at.timestamp(), source_id)
        )
