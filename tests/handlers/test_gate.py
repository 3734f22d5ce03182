"""The front door (handlers.gate) through the real application and the sandbox Bot API:
other bots' commands, forwarded commands and edits never run; oversized, unreadable and
hostile arguments get a clear answer; a flooding user gets one "slow down"."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import OutpostApp
from bot.context import Core
from bot.delivery.split import utf16_units
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI
from tests.helpers.chat import ALICE, BOB, say
from tests.helpers.instance import instance
from tests.helpers.settings import ADMIN_ID, make_settings

GROUP = -100700


async def quiet_for(sandbox: SandboxBotAPI, chat_id: int, sent_before: int) -> None:
    """Let the bot fetch and handle what was pushed, then check it said nothing more.

    A /help sent after it is answered only once the earlier updates were handled (one chat's
    updates are handled in order), so its answer marks the end of the earlier ones.
    """
    sandbox.push_message(chat_id=chat_id, text="/help")
    await sandbox.wait_for_messages(chat_id, sent_before + 1)
    await asyncio.sleep(0)
    assert len(sandbox.messages_to(chat_id)) == sent_before + 1
    assert "/topics" in (sandbox.last_to(chat_id).text or "")


async def test_a_command_for_another_bot_is_not_ours(sandbox: SandboxBotAPI, core: Core) -> None:
    sandbox.register_chat(GROUP, "supergroup", "Watchers", admins=[ALICE])
    sandbox.push_message(
        chat_id=GROUP, user_id=ALICE, chat_type="supergroup", text="/start@other_bot"
    )
    sandbox.push_message(
        chat_id=GROUP, user_id=ALICE, chat_type="supergroup", text="/nonsense@Other_Bot"
    )
    await quiet_for(sandbox, GROUP, 0)
    assert await core.db.chats.get(GROUP) is None  # /start@other_bot registered nothing

    # Addressed to us (in any letter case), it is ours.
    sandbox.push_message(
        chat_id=GROUP, user_id=ALICE, chat_type="supergroup", text="/start@Outpost_Sandbox_Bot"
    )
    await sandbox.wait_for_messages(GROUP, 2)
    assert "watches public sources" in (sandbox.last_to(GROUP).text or "")


async def test_a_forwarded_command_never_runs(sandbox: SandboxBotAPI, core: Core) -> None:
    await say(sandbox, ALICE, "/start")
    sandbox.push_message(chat_id=ALICE, text="/subscribe drills", forwarded_from=BOB)
    await quiet_for(sandbox, ALICE, 1)
    assert await core.db.chats.topics_of(ALICE) == set()
    # An admin's forwarded /broadcast opens no draft either.
    await say(sandbox, ADMIN_ID, "/start")
    sandbox.push_message(chat_id=ADMIN_ID, text="/broadcast Hello all", forwarded_from=BOB)
    await quiet_for(sandbox, ADMIN_ID, 1)
    assert await core.db.admin.open_draft(ADMIN_ID) is None


async def test_an_edited_command_never_runs_again(sandbox: SandboxBotAPI, core: Core) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    sent = sandbox.push_message(chat_id=ADMIN_ID, text="/broadcast First text")
    await sandbox.wait_for_messages(ADMIN_ID, 3)  # the preview and its prompt
    first = await core.db.admin.open_draft(ADMIN_ID)
    assert first is not None

    sandbox.edit_message(chat_id=ADMIN_ID, message_id=sent["message_id"], text="/broadcast Again")
    sandbox.edit_message(chat_id=ADMIN_ID, message_id=sent["message_id"], text="/subscribe drills")
    await quiet_for(sandbox, ADMIN_ID, 3)
    assert await core.db.admin.open_draft(ADMIN_ID) == first  # no second draft
    assert await core.db.chats.topics_of(ADMIN_ID) == set()


@pytest.mark.parametrize("command", ["/subscribe", "/watch", "/exclude", "/near", "/timezone"])
async def test_a_10000_character_argument_is_answered_clearly(
    sandbox: SandboxBotAPI, core: Core, command: str
) -> None:
    answer = await say(sandbox, ALICE, f"{command} {'drills ' * 1430}")
    assert "too long" in answer
    assert "at most 1000 characters" in answer
    assert utf16_units(answer) < 200  # what was sent is not echoed back
    assert await core.db.chats.topics_of(ALICE) == set()


async def test_a_long_argument_within_the_cap_is_echoed_cut(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    words = " ".join(f"nonsense{n}" for n in range(80))  # under 1000 characters, none a topic
    answer = await say(sandbox, ALICE, f"/subscribe {words}")
    assert "Unknown topic" in answer
    assert "nonsense79" not in answer  # cut before it is echoed
    assert "…" in answer
    phrase = "x" * 300
    answer = await say(sandbox, ALICE, f"/watch {phrase}")
    assert "at most" in answer
    assert phrase not in answer


@pytest.mark.parametrize("zone", ["😀", "🇧🇾", "😀" * 200, "Europe", "../../etc/passwd", "UTC\x00"])
async def test_a_strange_time_zone_is_unknown_not_an_error(
    sandbox: SandboxBotAPI, core: Core, zone: str
) -> None:
    answer = await say(sandbox, ALICE, f"/timezone {zone}")
    assert "Unknown time zone" in answer
    assert "went wrong" not in answer
    assert (await core.db.chats.prefs(ALICE)).timezone != zone


async def test_a_time_zone_in_any_letter_case_is_the_zone(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/timezone europe/minsk")
    assert (await core.db.chats.prefs(ALICE)).timezone == "Europe/Minsk"


@pytest.mark.parametrize(
    "text", ["/watch \ud83d", "/subscribe drills\udc00", "/timezone \ud800Europe/Minsk"]
)
async def test_a_lone_surrogate_is_answered_clearly(
    sandbox: SandboxBotAPI, core: Core, text: str
) -> None:
    answer = await say(sandbox, ALICE, text)
    assert "cannot be read" in answer
    assert "went wrong" not in answer
    assert (await core.db.filters.get(ALICE)).watch == ()


async def test_a_lone_surrogate_in_a_group_title_is_stored_readably(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    sandbox.register_chat(GROUP, "supergroup", "Broken \ud83d title", admins=[ALICE])
    sandbox.push_message(chat_id=GROUP, user_id=ALICE, chat_type="supergroup", text="/start")
    await sandbox.wait_for_messages(GROUP, 1)
    stored = await core.db.chats.get(GROUP)
    assert stored is not None
    assert stored.title == "Broken \ufffd title"


@pytest.fixture
async def strict(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[OutpostApp]:
    """The application with a small command budget: five at once, one a second after."""
    settings = make_settings(sandbox, tmp_path).model_copy(
        update={"command_burst": 5, "command_rate": 1.0, "flood_mute": 60.0}
    )
    async with instance(sandbox, settings, clock) as app:
        yield app


async def test_a_flooding_user_gets_one_slow_down_and_others_are_answered(
    sandbox: SandboxBotAPI,
    strict: OutpostApp,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(200):
        sandbox.push_message(chat_id=ALICE, text="/help")
    sandbox.push_message(chat_id=BOB, text="/help")
    await sandbox.wait_for_messages(BOB, 1)  # BOB does not wait for ALICE's flood
    await sandbox.wait_for(lambda: sandbox.pending_updates == 0)
    answers = await sandbox.wait_for_messages(ALICE, 6)
    await say(sandbox, BOB, "/help")
    assert len(sandbox.messages_to(ALICE)) == 6  # five within the budget, then one "slow down"
    assert ["Slow down" in (answer.text or "") for answer in answers] == [False] * 5 + [True]
    floods = [r for r in caplog.records if "sends faster than" in r.getMessage()]
    assert len(floods) == 1  # logged once, not per message

    # Muted: ignored without a word until the mute is over, then heard again.
    sandbox.push_message(chat_id=ALICE, text="/help")
    await say(sandbox, BOB, "/help")
    assert len(sandbox.messages_to(ALICE)) == 6
    clock.advance(timedelta(seconds=61))
    assert "/topics" in await say(sandbox, ALICE, "/help")
    assert any("is heard again" in r.getMessage() for r in caplog.records)
