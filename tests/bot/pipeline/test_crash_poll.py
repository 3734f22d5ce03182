"""Ingest survives SIGKILL: the bot runs as its own process and is killed while it polls.

The test process serves the sandbox Bot API and six slow sources (each answers over about
a second and a half, two polled at a time), whose twelve items are all news to the chats
that follow drills. `outpost run` is started, killed with SIGKILL once the first source's
alerts are going out while other sources are still being fetched or stored, and started
again. Every item must then be stored once and each chat alerted about each story once,
with no more duplicates than there were messages in flight at the kill.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from bot.admin.intake import add_source
from bot.models import SourceKind
from bot.runtime.clock import SystemClock
from sandbox import RateLimits, SandboxBotAPI, SourceServer
from storage import open_database
from tests.helpers.bot_process import start_bot as start_process
from tests.helpers.sources import rss

CHATS = range(5001, 5041)
TOWNS = [
    "Мозыря", "Ельска", "Бреста", "Гомеля", "Пинска", "Лиды",
    "Орши", "Барановичей", "Борисова", "Речицы", "Слуцка", "Калинковичей",
]  # fmt: skip
SOURCES = 6
ITEMS = [
    (f"s{n}-{i}", f"Учения у {TOWNS[2 * n + i]}: колонна {10 * n + i} на марше")
    for n in range(SOURCES)
    for i in range(2)
]


async def prepare(database: Path, server: SourceServer) -> None:
    """Chats following drills, and six sources already read once (their items are news)."""
    db = await open_database(database)
    now = SystemClock().now()
    try:
        for chat_id in CHATS:
            await db.chats.register(
                chat_id, chat_type="private", title=None, language="ru", now=now
            )
            await db.chats.subscribe(chat_id, "drills", now=now)
        for n in range(SOURCES):
            document = rss(*ITEMS[2 * n : 2 * n + 2])
            cut = len(document) // 4
            chunks = [document[i : i + cut] for i in range(0, len(document), cut)]
            url = server.add_slow(f"feed{n}.rss", chunks, 0.4)
            await add_source(
                db, url, now=now, allow_private=True, name=f"S{n}", kind=SourceKind.RSS
            )
        # Their first poll is behind them: what they serve now alerts.
        await db.execute("UPDATE sources SET backfilled = 1")
    finally:
        await db.close()


async def state(database: Path) -> tuple[int, int, int, dict[str, int]]:
    """Return (events, stories, rows in flight, outbox counts) as the database holds them."""
    db = await open_database(database)
    try:
        events = await db.fetchone("SELECT COUNT(*), COUNT(DISTINCT story_id) FROM events")
        leased = await db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND lease_until IS NOT NULL"
        )
        counts = await db.outbox.counts()
    finally:
        await db.close()
    assert events is not None and leased is not None
    return int(events[0]), int(events[1]), int(leased[0]), counts


def start_bot(api: SandboxBotAPI, database: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start `outpost run` pointed at the sandbox and the sources."""
    return start_process(
        api,
        database,
        log,
        allow_private_sources="true",
        poll_concurrency="2",
        parse_workers="1",
    )


def fetched(server: SourceServer) -> int:
    """How many of the sources were asked for their feed."""
    return sum(bool(server.requests_to(f"feed{n}.rss")) for n in range(SOURCES))


@pytest.mark.timeout(180)
async def test_sigkill_while_polling_loses_no_item_and_doubles_none(
    tmp_path: Path, source_server: SourceServer
) -> None:
    database = tmp_path / "outpost.sqlite3"
    await prepare(database, source_server)
    log = tmp_path / "bot.log"
    async with SandboxBotAPI(limits=RateLimits(global_per_s=500)) as api:
        for chat_id in CHATS:
            api.register_chat(chat_id, "private")

        bot = start_bot(api, database, log)
        try:
            await api.wait_for(lambda: len(api.sent) >= 1, timeout=60)
            polled_at_kill = fetched(source_server)
        finally:
            bot.send_signal(signal.SIGKILL)
            await asyncio.to_thread(bot.wait)
        stored_at_kill, _, in_flight, _ = await state(database)
        assert 0 < stored_at_kill < len(ITEMS), "the kill came before or after the polls"
        assert polled_at_kill < SOURCES or stored_at_kill < len(ITEMS)

        bot = start_bot(api, database, log)
        try:

            def caught_up() -> bool:
                per_chat = Counter(m.chat_id for m in api.sent)
                return fetched(source_server) == SOURCES and all(
                    per_chat[chat_id] >= len(ITEMS) for chat_id in CHATS
                )

            await api.wait_for(caught_up, timeout=120)
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.to_thread(bot.wait, 30)

    events, stories, _, counts = await state(database)
    assert events == stories == len(ITEMS)  # every item stored, once (each its own story)
    assert counts == {"sent": stories * len(CHATS)}  # every story queued once for every chat
    per_chat = Counter(m.chat_id for m in api.sent)
    assert all(per_chat[chat_id] >= stories for chat_id in CHATS)  # none lost
    duplicates = sum(per_chat.values()) - stories * len(CHATS)
    assert duplicates <= in_flight, (duplicates, in_flight)
    written = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in written
