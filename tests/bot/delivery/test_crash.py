"""The outbox survives SIGKILL: the bot runs as its own process and is killed mid fan-out.

The test process serves the sandbox Bot API (with a high overall limit so the fan-out
takes a couple of seconds); `outpost run` is started against it, killed with SIGKILL while
1,000 messages are going out, started again, and every chat must end up with the alert,
with no more duplicates than there were messages in flight (leased, not yet recorded as
sent) at the moment of the kill.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import pytest

from sandbox import RateLimits, SandboxBotAPI
from tests.helpers.bot_process import leased_now, queue_fan_out, start_bot

CHATS = 1000


def holding(folder: Path, pattern: str, secret: bytes) -> list[str]:
    """The names of the files matching pattern in folder whose bytes contain secret."""
    return [path.name for path in folder.glob(pattern) if secret in path.read_bytes()]


@pytest.mark.timeout(120)
async def test_sigkill_in_the_middle_of_a_fan_out_loses_nothing(tmp_path: Path) -> None:
    database = tmp_path / "outpost.sqlite3"
    await queue_fan_out(database, CHATS)
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
