"""Every message the application sends goes through the one paced sender: command replies,
apologies and admin notices keep Telegram's limits beside the alerts, and a 429 is waited
out and sent again, never dropped. Through the real application and a sandbox Bot API that
enforces Telegram's limits on the test's clock."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import OutpostApp, build_application, notify_admins, running
from bot.delivery.pacer import ClockTimer
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI
from sandbox.botapi import RateLimits
from tests.helpers.locks import OtherWriter
from tests.helpers.settings import ADMIN_ID, make_settings

USERS = list(range(2001, 2013))


@pytest.fixture
async def limited(clock: ManualClock) -> AsyncIterator[SandboxBotAPI]:
    """A sandbox that answers 429 when Telegram's limits are broken, on the test's clock."""
    api = SandboxBotAPI(limits=RateLimits(), monotonic=lambda: clock.now().timestamp())
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def app(
    limited: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[OutpostApp]:
    """The application answering commands against the rate-limited sandbox."""
    built = build_application(
        make_settings(limited, tmp_path),
        clock=clock,
        poll_jobs=False,
        dispatch_loop=False,
        timer=ClockTimer(clock),
    )
    async with running(built):
        yield built


def helps(sandbox: SandboxBotAPI, chat_id: int) -> int:
    """How many help texts a chat got."""
    return sum("/topics" in (m.text or "") for m in sandbox.messages_to(chat_id))


async def test_replies_keep_each_chats_limit(limited: SandboxBotAPI, app: OutpostApp) -> None:
    for _ in range(4):
        limited.push_message(chat_id=USERS[0], text="/help")
    await limited.wait_for(lambda: helps(limited, USERS[0]) == 4)
    assert limited.stats.http_429 == 0  # paced a second apart, as Telegram wants
    times = [m.sent_at for m in limited.messages_to(USERS[0])]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


async def test_a_429_storm_over_command_replies_loses_none(
    limited: SandboxBotAPI, app: OutpostApp
) -> None:
    # Telegram refuses the next 40 messages whoever they are for, asking for 3 s each time.
    limited.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 3",
        retry_after=3,
        count=40,
    )
    for user in USERS:
        limited.push_message(chat_id=user, text="/help")
        limited.push_message(chat_id=user, text="/mysubs")
    await limited.wait_for(
        lambda: all(len(limited.messages_to(user)) == 2 for user in USERS), timeout=30
    )
    assert limited.stats.http_429 >= 40
    for user in USERS:
        first, second = limited.messages_to(user)
        assert "/topics" in (first.text or "")  # in the order they were asked
        assert "went wrong" not in (second.text or "")
    limited.register_chat(ADMIN_ID)
    await notify_admins(app, app.bot_data.core.settings, lambda _ui: "<b>notice</b> after a storm")
    assert "notice" in (limited.last_to(ADMIN_ID).text or "")


async def test_a_refused_reply_is_not_retried_as_flood_control(
    limited: SandboxBotAPI, app: OutpostApp
) -> None:
    # Any other refusal is an answer: no retry loop, one log line, the next command answered.
    limited.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )
    limited.push_message(chat_id=USERS[0], text="/help")
    limited.push_message(chat_id=USERS[0], text="/help")
    await limited.wait_for(lambda: helps(limited, USERS[0]) == 1)
    assert len(limited.messages_to(USERS[0])) == 1
    assert [e for e in limited.errors_returned if e[1] == 403] == [
        ("sendMessage", 403, "Forbidden: bot was blocked by the user")
    ]


async def test_the_apology_meets_a_429_and_is_waited_out(
    limited: SandboxBotAPI, app: OutpostApp, caplog: pytest.LogCaptureFixture
) -> None:
    # A command fails (another writer holds the database past the busy timeout), and
    # Telegram refuses the apology three times with flood control.
    core = app.bot_data.core
    await core.db.execute("PRAGMA busy_timeout = 100")
    user = USERS[0]
    limited.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 3",
        retry_after=3,
        chat_id=user,
        count=3,
    )
    writer = OtherWriter(core.settings.database)
    await writer.lock()
    try:
        limited.push_message(chat_id=user, text="/subscribe drills")
        await limited.wait_for(lambda: len(limited.messages_to(user)) == 1, timeout=30)
    finally:
        await writer.unlock()
        writer.close()
    assert "went wrong" in (limited.last_to(user).text or "")
    refused = [e for e in limited.errors_returned if e[1] == 429]
    assert len(refused) == 3
    # The handler's failure is logged once with its traceback; the refusals are one line
    # each, the apology never given up on, and the error handler itself did not fail.
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert [r.getMessage() for r in tracebacks] == ["handler failed"]
    assert not [r for r in caplog.records if "apology" in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r not in tracebacks]
