"""`outpost run` as processes of their own, against the sandbox: started, found, killed.

The crash tests (one instance killed and restarted) and the instance tests (two on one
database, the sender killed) start the bot the same way: the test process serves the
sandbox Bot API, and each bot is `python -m bot.cli run` with its settings in the
environment, run in the database's folder (no developer's .env there).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bot.runtime.clock import SystemClock
from sandbox import SandboxBotAPI
from storage import Database, open_database
from storage.events import NewEvent

# Fast enough that a fan-out of a thousand takes a couple of seconds; a short row lease
# so that a killed lone instance's claims come back soon.
BASE_ENV = {
    "OUTPOST_GLOBAL_RATE": "400",
    "OUTPOST_DELIVERY_LEASE": "3",
    "OUTPOST_POLL_INTERVAL": "3600",
    "OUTPOST_LOG_LEVEL": "WARNING",
}


def start_bot(
    api: SandboxBotAPI, database: Path | str, log: Path, **settings: str
) -> subprocess.Popen[bytes]:
    """Start `outpost run` pointed at the sandbox; `settings` are extra OUTPOST_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTPOST_")}
    env.update(BASE_ENV)
    env.update(
        {
            "OUTPOST_BOT_TOKEN": api.token,
            "OUTPOST_TELEGRAM_API_URL": api.base_url,
            "OUTPOST_DATABASE": str(database),
        }
    )
    env.update({f"OUTPOST_{name.upper()}": value for name, value in settings.items()})
    with log.open("ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=log.parent,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


async def queue_fan_out(database: Path | str, chats: int) -> None:
    """Store `chats` private chats and one alert queued for all of them."""
    db = await open_database(database)
    try:
        await enqueue_fan_out(db, range(1, chats + 1), SystemClock().now())
    finally:
        await db.close()


async def enqueue_fan_out(
    db: Database, chat_ids: Iterable[int], now: datetime, *, source_name: str = "Crash test"
) -> None:
    """Store these private chats and one alert queued for all of them, in an open database."""
    chats = list(chat_ids)
    for chat_id in chats:
        await db.chats.register(chat_id, chat_type="private", title=None, language="en", now=now)
    recorded = await db.events.record(
        NewEvent(
            source_id=None,
            source_name=source_name,
            item_key="column",
            title="Column near Mazyr",
            text="A column moves toward Mazyr.",
            summary="A column moves toward Mazyr.",
            link="https://news.example.org/column",
            canonical_link="https://news.example.org/column",
            lang="en",
            topics=("deployments",),
            places=(),
            published_at=None,
            seen_at=now,
        )
    )
    assert recorded is not None
    await db.outbox.enqueue(recorded.story_id, chats, priority=2, now=now)


async def leased_now(database: Path | str) -> int:
    """Return how many rows were claimed but not recorded as sent (in flight)."""
    db = await open_database(database)
    try:
        row = await db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND lease_until IS NOT NULL"
        )
        return int(row[0]) if row else 0
    finally:
        await db.close()


async def sender_lease(database: Path | str) -> tuple[int | None, int]:
    """Return the pid of the instance holding the sender lease (None: nobody) and its epoch.

    An instance's id is `host-pid-random` (`bot.runtime.lease.instance_id`).
    """
    db = await open_database(database)
    try:
        lease = await db.leases.get()
    finally:
        await db.close()
    if lease is None or lease.holder is None:
        return None, 0
    return int(lease.holder.rsplit("-", 2)[1]), lease.epoch


async def live_instances(database: Path | str) -> set[int]:
    """Return the pids of the instances whose heartbeat is current."""
    db = await open_database(database)
    try:
        rows = await db.fetchall(
            "SELECT id FROM instances WHERE expires_at > ?", (SystemClock().now().timestamp(),)
        )
    finally:
        await db.close()
    return {int(str(row[0]).rsplit("-", 2)[1]) for row in rows}
