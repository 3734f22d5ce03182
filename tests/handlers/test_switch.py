"""What a chat is in the middle of survives a switch of instance (issue 13).

Two real Applications, one after the other, on the same database file and the same
sandbox Bot API: what the first was asked, the second answers, as when a standby takes
over from an instance that stopped.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.models import Prompt
from bot.runtime.clock import ManualClock
from bot.ui.callbacks import AskKeywords, AskPlace, Section, SetNear, Show, WhyAlert
from handlers.menu import WAIT_FOR
from sandbox import SandboxBotAPI
from tests.handlers.test_feedback import YELSK, alert_of, post, press
from tests.helpers.chat import ALICE, say, tap
from tests.helpers.instance import instance
from tests.helpers.settings import make_settings


async def test_a_settings_prompt_asked_by_one_instance_is_answered_through_another(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, database_target: str
) -> None:
    settings = make_settings(sandbox, tmp_path, database=database_target)
    async with instance(sandbox, settings, clock) as first:
        await say(sandbox, ALICE, "/settings")
        await tap(sandbox, ALICE, Show(Section.KEYWORDS))
        await tap(sandbox, ALICE, AskKeywords())
        waiting = await first.bot_data.core.db.chat_state.awaiting(ALICE)
        assert waiting is not None
        assert (waiting.prompt, waiting.user_id) == (Prompt.KEYWORDS, ALICE)
        assert not first.chat_data.get(ALICE)  # nothing about it in the process

    async with instance(sandbox, settings, clock) as second:
        shown = await say(sandbox, ALICE, "танки, эшелон")
        assert "танки" in shown
        db = second.bot_data.core.db
        assert (await db.filters.get(ALICE)).watch == ("танки", "эшелон")
        assert await db.chat_state.awaiting(ALICE) is None

        # A place named through this instance, its radius tapped through the next one.
        await tap(sandbox, ALICE, Show(Section.MAIN))
        await tap(sandbox, ALICE, Show(Section.PLACES))
        await tap(sandbox, ALICE, AskPlace())
        assert "How far" in await say(sandbox, ALICE, "Mazyr")

    async with instance(sandbox, settings, clock) as third:
        await tap(sandbox, ALICE, SetNear(30))
        db = third.bot_data.core.db
        mazyr = third.bot_data.core.matcher.places.resolve("Mazyr")
        assert mazyr is not None
        assert (await db.filters.get(ALICE)).near == ((mazyr.id, 30.0),)


async def test_a_prompt_left_too_long_is_not_taken_by_the_next_instance(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, database_target: str
) -> None:
    settings = make_settings(sandbox, tmp_path, database=database_target)
    async with instance(sandbox, settings, clock):
        await say(sandbox, ALICE, "/settings")
        await tap(sandbox, ALICE, Show(Section.KEYWORDS))
        await tap(sandbox, ALICE, AskKeywords())

    clock.advance(WAIT_FOR + timedelta(seconds=1))
    async with instance(sandbox, settings, clock) as second:
        await say(sandbox, ALICE, "/mysubs")  # a command is answered as ever
        sandbox.push_message(chat_id=ALICE, text="танки")
        await sandbox.wait_for(lambda: sandbox.pending_updates == 0)
        await say(sandbox, ALICE, "/filters")  # handled after the plain text, in order
        assert (await second.bot_data.core.db.filters.get(ALICE)).watch == ()


async def test_a_repeated_why_after_a_switch_points_at_the_answer(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, database_target: str
) -> None:
    settings = make_settings(sandbox, tmp_path, database=database_target)
    async with instance(sandbox, settings, clock) as first:
        core = first.bot_data.core
        await say(sandbox, ALICE, "/subscribe drills")
        story = await post(core, "y1", YELSK)
        await core.dispatcher.drain()
        alert = alert_of(sandbox, ALICE, story)
        before = len(sandbox.messages_to(ALICE))
        await press(sandbox, ALICE, alert.message_id, WhyAlert(story).encode())
        await sandbox.wait_for_messages(ALICE, before + 1)

    async with instance(sandbox, settings, clock):
        answer = await press(sandbox, ALICE, alert.message_id, WhyAlert(story).encode())
        assert "see above" in answer["text"]
        assert len(sandbox.messages_to(ALICE)) == before + 1
