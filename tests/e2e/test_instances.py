"""Two `outpost run` processes on one database: one sends at a time, a standby takes over.

The test process serves the sandbox Bot API (it counts every send per chat and every
429); two bots share one database. A fan-out to 1,000 chats is queued; the instance
holding the sender lease is killed with SIGKILL in the middle of it and the standby must
finish it: every chat gets the alert, with no more duplicates than the messages in flight
at the kill, and no 429 (both instances' sends together stay within the limits); it then
reads updates too. Then the
standby is killed and restarted while the holder sends: the holder keeps the lease and
finishes alone, without a duplicate. And with sources: each is polled once per interval
across both instances, never by both.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.admin.intake import add_source
from bot.models import SourceKind
from bot.runtime.clock import SystemClock
from sandbox import RateLimits, SandboxBotAPI, SourceServer
from storage import open_database
from tests.helpers.bot_process import (
    leased_now,
    live_instances,
    queue_fan_out,
    sender_lease,
    start_bot,
)
from tests.helpers.sources import rss

CHATS = 1000
SANDBOX_LIMIT = 500.0  # messages a second overall; the bots are set to 400
USER = 7_000_001  # someone who writes to the bot


async def until(condition: Callable[[], object], *, within: float, what: str) -> None:
    """Poll `condition` (a database or a process, which nothing signals) until it holds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {within:g} s")
        await asyncio.sleep(0.1)


async def holder_among(
    database: Path | str, bots: list[subprocess.Popen[bytes]], *, within: float = 30
) -> tuple[subprocess.Popen[bytes], int]:
    """Wait until one of `bots` holds the sender lease; return it and its epoch."""
    deadline = time.monotonic() + within
    while True:
        pid, epoch = await sender_lease(database)
        for bot in bots:
            if bot.pid == pid and bot.poll() is None:
                return bot, epoch
        if time.monotonic() > deadline:
            raise TimeoutError("no instance took the sender lease")
        await asyncio.sleep(0.1)


async def until_alive(
    database: Path | str, bot: subprocess.Popen[bytes], within: float = 60
) -> None:
    """Wait until a bot's heartbeat is in the database (it runs its lease's steps)."""
    deadline = time.monotonic() + within
    while bot.pid not in await live_instances(database):
        if time.monotonic() > deadline:
            raise TimeoutError("the restarted instance did not come up")
        await asyncio.sleep(0.1)


@asynccontextmanager
async def instances(
    api: SandboxBotAPI, database: Path | str, log: Path, count: int = 2, **settings: str
) -> AsyncIterator[list[subprocess.Popen[bytes]]]:
    """Run `count` bots on one database; stop whichever are still running at the end."""
    bots = [start_bot(api, database, log, **settings) for _ in range(count)]
    try:
        yield bots
    finally:
        for bot in bots:
            if bot.poll() is None:
                bot.send_signal(signal.SIGTERM)
        for bot in bots:
            await asyncio.to_thread(bot.wait, 30)


def kill(bot: subprocess.Popen[bytes]) -> None:
    bot.send_signal(signal.SIGKILL)
    bot.wait()


def check_log(log: Path) -> None:
    written = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in written


@pytest.mark.timeout(180)
async def test_the_standby_finishes_a_fan_out_when_the_sender_is_killed(
    database_target: Path, tmp_path: Path
) -> None:
    await queue_fan_out(database_target, CHATS)
    log = tmp_path / "bots.log"
    async with SandboxBotAPI(limits=RateLimits(global_per_s=SANDBOX_LIMIT)) as api:
        for chat_id in range(1, CHATS + 1):
            api.register_chat(chat_id, "private")
        async with instances(api, database_target, log) as bots:
            await api.wait_for(lambda: len(api.sent) >= 300, timeout=60)
            holder, epoch = await holder_among(database_target, bots)
            standby = next(bot for bot in bots if bot is not holder)
            # The standby is paused over the kill, so the rows in flight are counted before
            # it can take the lease and free them (it would, within a lease's length).
            standby.send_signal(signal.SIGSTOP)
            try:
                await asyncio.to_thread(kill, holder)
                at_kill = len(api.sent)
                in_flight = await leased_now(database_target)
            finally:
                standby.send_signal(signal.SIGCONT)
            assert at_kill < CHATS, "the fan-out finished before the kill; nothing was tested"
            await api.wait_for(lambda: len({m.chat_id for m in api.sent}) == CHATS, timeout=60)
            now_holder, now_epoch = await holder_among(database_target, [standby])
            assert now_holder is standby
            assert now_epoch == epoch + 1
            # The new holder reads updates too: a command is answered.
            api.push_message(chat_id=USER, text="/help")
            await api.wait_for(lambda: bool(api.messages_to(USER)), timeout=60)

    per_chat = Counter(message.chat_id for message in api.sent if message.chat_id != USER)
    assert set(per_chat) == set(range(1, CHATS + 1))
    duplicates = sum(count - 1 for count in per_chat.values())
    assert duplicates <= in_flight, (duplicates, in_flight, at_kill)
    assert api.stats.http_429 == 0  # together they stayed within Telegram's limits
    check_log(log)


@pytest.mark.timeout(180)
async def test_a_standby_killed_and_restarted_leaves_the_sender_alone(
    database_target: Path, tmp_path: Path
) -> None:
    await queue_fan_out(database_target, CHATS)
    log = tmp_path / "bots.log"
    # Slow bots (25 a second, the sandbox allows 30): the fan-out lasts about 40 s, well over
    # the standby's restart even on a loaded machine, however little CPU a message takes.
    async with SandboxBotAPI(limits=RateLimits(global_per_s=30)) as api:
        for chat_id in range(1, CHATS + 1):
            api.register_chat(chat_id, "private")
        async with instances(api, database_target, log, global_rate="25") as bots:
            await api.wait_for(lambda: len(api.sent) >= 50, timeout=60)
            holder, epoch = await holder_among(database_target, bots)
            standby = next(bot for bot in bots if bot is not holder)
            await asyncio.to_thread(kill, standby)
            again = start_bot(api, database_target, log, global_rate="25")
            bots.append(again)
            await until_alive(database_target, again)
            sent_before = len(api.sent)
            assert sent_before < CHATS, "the fan-out ended before the standby came back"
            await api.wait_for(lambda: len(api.sent) >= sent_before + 50, timeout=60)
            assert await holder_among(database_target, bots) == (holder, epoch)
            await api.wait_for(lambda: len({m.chat_id for m in api.sent}) == CHATS, timeout=120)
            assert await holder_among(database_target, bots) == (holder, epoch)

    per_chat = Counter(message.chat_id for message in api.sent)
    assert set(per_chat) == set(range(1, CHATS + 1))
    assert sum(per_chat.values()) == CHATS  # not one duplicate: the sender never changed
    assert api.stats.http_429 == 0
    check_log(log)


SOURCES = 6
INTERVAL = 4.0  # seconds between two polls of a source


async def add_feeds(database: Path | str, server: SourceServer) -> None:
    db = await open_database(database)
    try:
        for n in range(SOURCES):
            url = server.add(f"feed{n}.rss", rss((f"s{n}", f"Item {n}")))
            await add_source(
                db,
                url,
                now=SystemClock().now(),
                allow_private=True,
                name=f"S{n}",
                kind=SourceKind.RSS,
            )
    finally:
        await db.close()


@pytest.mark.timeout(180)
async def test_each_source_is_polled_once_per_interval_across_instances(
    database_target: Path, tmp_path: Path, source_server: SourceServer
) -> None:
    await add_feeds(database_target, source_server)
    log = tmp_path / "bots.log"
    fetched: dict[str, list[float]] = defaultdict(list)
    seen = 0

    def note() -> bool:
        """Stamp the requests that arrived since the last look; say when enough came."""
        nonlocal seen
        for request in source_server.requests[seen:]:
            fetched[request.path].append(time.monotonic())
        seen = len(source_server.requests)
        return len(fetched) == SOURCES and all(len(at) >= 4 for at in fetched.values())

    settings = {
        "allow_private_sources": "true",
        "poll_interval": str(INTERVAL),
        "min_poll_interval": str(INTERVAL),
        "parse_workers": "0",
    }
    async with SandboxBotAPI() as api, instances(api, database_target, log, **settings):
        await until(note, within=120, what="every source polled four times")

    for path, at in fetched.items():
        # The first poll comes at start; after that each source keeps to its slot on the
        # interval's grid. Two instances polling it would show two fetches close together.
        gaps = [b - a for a, b in itertools.pairwise(at[1:])]
        assert min(gaps) > INTERVAL / 2, (path, gaps)
    check_log(log)
