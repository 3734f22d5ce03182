"""Alive and not deaf: getUpdates errors never end polling, and a bot that stops hearing its
users while Telegram answers its other calls says so at ERROR and shows it to a probe."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import OutpostApp, build_application, notify_admins, running
from bot.delivery.pacer import ClockTimer
from bot.runtime.clock import ManualClock
from bot.runtime.updates import UpdatesHealth
from sandbox import SandboxBotAPI
from tests.helpers.chat import ALICE, say
from tests.helpers.settings import ADMIN_ID, make_settings


@pytest.mark.parametrize(
    ("code", "description"), [(404, "Not Found"), (401, "Unauthorized"), (502, "Bad Gateway")]
)
async def test_a_transient_error_on_get_updates_and_the_bot_answers_again(
    sandbox: SandboxBotAPI, outpost: OutpostApp, code: int, description: str
) -> None:
    assert "watches public sources" in await say(sandbox, ALICE, "/start")
    # Telegram's own incident: the next few getUpdates fail the way it answers then.
    sandbox.fail_next("getUpdates", error_code=code, description=description, count=3)
    await sandbox.wait_for(
        lambda: sum(1 for e in sandbox.errors_returned if e[0] == "getUpdates") == 3, timeout=15
    )
    sandbox.push_message(chat_id=ALICE, text="/help")
    await sandbox.wait_for_messages(ALICE, 2, timeout=20)
    assert "/topics" in (sandbox.last_to(ALICE).text or "")
    updates = outpost.bot_data.updates
    assert updates is not None
    assert updates.last_updates_ok is not None
    assert not outpost.bot_data.deaf


async def test_a_bot_that_stops_hearing_says_so_once_at_error(
    sandbox: SandboxBotAPI,
    outpost: OutpostApp,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await say(sandbox, ALICE, "/start")
    updates = outpost.bot_data.updates
    assert updates is not None
    heard = updates.last_updates_ok
    assert heard is not None
    sandbox.fail_next("getUpdates", error_code=404, description="Not Found", count=1_000_000)
    await sandbox.wait_for(lambda: any(e[0] == "getUpdates" for e in sandbox.errors_returned))
    sandbox.register_chat(ADMIN_ID)

    clock.advance(timedelta(minutes=6))
    # Telegram answers the bot's other calls (a notice to the admins)...
    settings = outpost.bot_data.core.settings
    assert await notify_admins(outpost, settings, lambda _ui: "still sending") == 1
    # ...while no update has come for longer than OUTPOST_DEAF_AFTER (five minutes).
    assert updates.check()
    assert updates.check()
    assert outpost.bot_data.deaf
    assert outpost.bot_data.last_updates_ok == heard  # what a readiness probe reads
    deaf = [r for r in caplog.records if "commands are not being read" in r.getMessage()]
    assert len(deaf) == 1
    assert deaf[0].levelno == logging.ERROR


def test_the_watch_judges_deafness_by_the_injected_clock(clock: ManualClock) -> None:
    updates = UpdatesHealth(clock, deaf_after=timedelta(minutes=5))
    clock.advance(timedelta(minutes=10))
    assert not updates.deaf()  # Telegram answers nothing at all: an outage, not deafness
    updates.other_ok()
    assert updates.deaf()  # it answers other calls, yet no update came since the start
    updates.updates_ok()
    assert not updates.deaf()
    clock.advance(timedelta(minutes=4))
    updates.other_ok()
    assert not updates.deaf()  # four minutes without updates is a quiet spell
    clock.advance(timedelta(minutes=2))
    updates.updates_failed("NetworkError")
    assert updates.deaf()
    assert updates.last_failure == "NetworkError"


async def test_readyz_fails_while_the_bot_is_deaf(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> None:
    settings = make_settings(
        sandbox, tmp_path, http_listen="127.0.0.1:0", stall_after=86_400.0, deaf_after=60.0
    )
    app = build_application(settings, clock=clock, poll_jobs=False, timer=ClockTimer(clock))
    async with running(app), httpx.AsyncClient(timeout=10) as http:
        readyz = f"http://127.0.0.1:{app.bot_data.http_port}/readyz"
        await say(sandbox, ALICE, "/start")
        assert (await http.get(readyz)).json()["checks"]["updates"] == "ok"
        sandbox.fail_next("getUpdates", error_code=404, description="Not Found", count=1_000_000)
        await sandbox.wait_for(lambda: any(e[0] == "getUpdates" for e in sandbox.errors_returned))
        clock.advance(timedelta(seconds=61))
        sandbox.register_chat(ADMIN_ID)
        await notify_admins(app, settings, lambda _ui: "still sending")  # other calls answered
        answer = await http.get(readyz)
        assert answer.status_code == 503
        assert answer.json()["reason"].startswith("updates: no updates from Telegram for over 60 s")
