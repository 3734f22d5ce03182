"""The outbox survives SIGKILL: the bot runs as its own process and is killed mid fan-out.

The test process serves the sandbox Bot API (with a high overall limit so the fan-out
takes a couple of seconds); `outpost run` is started against it, killed with SIGKILL while
1,000 messages are going out, started again, and every chat must end up with the alert,
with no more duplicates than there were messages in flight (leased, not yet recorded as
sent) at the moment of the kill.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.runtime.clock import SystemClock
from sandbox import RateLimits, SandboxBotAPI
from storage import open_database
from storage.events import NewEvent

CHATS = 1000


async def queue_fan_out(database: Path) -> None:
    """Store 1,000 chats and one alert queued for all of them."""
    db = await open_database(database)
    now = SystemClock().now()
    try:
        for chat_id in range(1, CHATS + 1):
            await db.chats.register(
                chat_id, chat_type="private", title=None, language="en", now=now
            )
        recorded = await db.events.record(
            NewEvent(
                source_id=None,
                source_name="Crash test",
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
        await db.outbox.enqueue(recorded.story_id, range(1, CHATS + 1), priority=2, now=now)
    finally:
        await db.close()


async def leased_now(database: Path) -> int:
    """Return how many rows were claimed but not recorded as sent (in flight)."""
    db = await open_database(database)
    try:
        row = await db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND lease_until IS NOT NULL"
        )
        return int(row[0]) if row else 0
    finally:
        await db.close()


def start_bot(api: SandboxBotAPI, database: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start `outpost run` as a separate process pointed at the sandbox."""
    env = {
        **os.environ,
        "OUTPOST_BOT_TOKEN": api.token,
        "OUTPOST_TELEGRAM_API_URL": api.base_url,
        "OUTPOST_DATABASE": str(database),
        "OUTPOST_GLOBAL_RATE": "400",
        "OUTPOST_DELIVERY_LEASE": "3",
        "OUTPOST_POLL_INTERVAL": "3600",
        "OUTPOST_LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=database.parent,  # no developer's .env here
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def holding(folder: Path, pattern: str, secret: bytes) -> list[str]:
    """The names of the files matching pattern in folder whose bytes contain secret."""
    return [path.name for path in folder.glob(pattern) if secret in path.read_bytes()]


@pytest.mark.timeout(120)
async def test_sigkill_in_the_middle_of_a_fan_out_loses_nothing(tmp_path: Path) -> None:
    database = tmp_path / "outpost.sqlite3"
    await queue_fan_out(database)
    log = tmp_path / "bot.log"
    async with SandboxBotAPI(limits=RateLimits(global_per_s=500)) as api:
        for chat_id in range(1, CHATS + 1):
            api.register_chat(chat_id, "private")

        bot = start_bot(api, database, log)
        try:
            await api.wait_for(lambda: len(api.sent) >= 300, timeout=60)
        finally:
            bot.send_signal(signal.SIGKILL)
            await asyncio.to_thread(bot.wait)
        at_kill = len(api.sent)
        in_flight = await leased_now(database)
        assert at_kill < CHATS, "the fan-out finished before the kill; nothing was tested"

        bot = start_bot(api, database, log)
        try:
            await api.wait_for(lambda: len({m.chat_id for m in api.sent}) == CHATS, timeout=60)
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.to_thread(bot.wait, 20)

    per_chat = Counter(message.chat_id for message in api.sent)
    assert set(per_chat) == set(range(1, CHATS + 1))
    duplicates = sum(count - 1 for count in per_chat.values())
    assert duplicates <= in_flight, (duplicates, in_flight, at_kill)
    written = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in written
    # Nothing the bot wrote holds its token: not the log, not the database or its journal.
    secret = api.token.split(":")[1]
    assert secret not in written
    assert holding(tmp_path, "outpost.sqlite3*", secret.encode()) == []
