"""End to end: the real PTB Application over HTTP against the sandbox Bot API, sources
served locally, a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from bot.admin.intake import add_source
from bot.app import OutpostApp
from bot.context import Core
from bot.pipeline.cycle import run_cycle
from bot.ui.callbacks import TopicToggle
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import ALICE, BOB, YELSK_LINK, post_conversation, say
from tests.helpers.settings import ADMIN_ID
from tests.helpers.sources import add_samples


async def drain(core: Core) -> None:
    """Send everything queued, now."""
    await core.dispatcher.drain()


async def test_subscribe_by_command_and_by_button(sandbox: SandboxBotAPI, core: Core) -> None:
    welcome = await say(sandbox, ALICE, "/start")
    assert "<b>Outpost</b> watches" in welcome  # in two lines, the commands are in /help
    reply = await say(sandbox, ALICE, "/subscribe drills учения nonsense")
    assert "Subscribed to" in reply
    assert "Unknown topic: nonsense" in reply
    assert await core.db.chats.topics_of(ALICE) == {"drills"}

    await say(sandbox, ALICE, "/topics")
    keyboard = sandbox.last_to(ALICE)
    assert keyboard.reply_markup is not None
    buttons = [row[0] for row in keyboard.reply_markup["inline_keyboard"]]
    equipment, drills = TopicToggle("equipment").encode(), TopicToggle("drills").encode()
    assert any(b["callback_data"] == equipment for b in buttons)
    assert any(b["text"].startswith("✅") and b["callback_data"] == drills for b in buttons)

    sandbox.push_callback(
        chat_id=ALICE, user_id=ALICE, message_id=keyboard.message_id, data=equipment
    )
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) == 1)
    assert await core.db.chats.topics_of(ALICE) == {"drills", "equipment"}
    await sandbox.wait_for(
        lambda: any(
            b[0]["text"].startswith("✅") and b[0]["callback_data"] == equipment
            for b in (sandbox.last_to(ALICE).reply_markup or {}).get("inline_keyboard", [])
        )
    )
    mine = await say(sandbox, ALICE, "/mysubs")
    assert "Drills" in mine
    assert "equipment" in mine.lower()
    assert "Mobilization" not in mine

    await say(sandbox, ALICE, "/unsubscribe drills")
    assert await core.db.chats.topics_of(ALICE) == {"equipment"}


async def test_matching_post_reaches_only_subscribed_chat_once(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    await say(sandbox, BOB, "/subscribe missiles")
    await add_samples(core, source_server)

    first = await run_cycle(core.pipeline, all_sources=True)
    assert first.failed == 0
    assert first.new_events == 15
    await drain(core)
    alerts = sandbox.messages_to(ALICE)[1:]
    yelsk = [m for m in alerts if YELSK_LINK in (m.text or "")]
    assert len(yelsk) == 1
    assert "Drills" in (yelsk[0].text or "")
    assert all("Drills" in (m.text or "") for m in alerts)
    assert not any(YELSK_LINK in (m.text or "") for m in sandbox.messages_to(BOB))

    # The same posts polled again (the server answers 304, and even a full re-read would
    # find the items stored) are not delivered again.
    again = await run_cycle(core.pipeline, all_sources=True)
    assert again.new_events == 0
    assert again.not_modified == 3
    await drain(core)
    assert sandbox.messages_to(ALICE)[1:] == alerts


async def test_republished_item_joins_its_story(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await say(sandbox, ALICE, "/subscribe equipment")
    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    await drain(core)
    echelon = [m for m in sandbox.messages_to(ALICE) if "t72-echelon" in (m.text or "")]
    assert len(echelon) == 1  # the ?ref=mainpage copy is the same story


async def test_hostile_title_arrives_escaped(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await say(sandbox, ALICE, "/subscribe mobilization")
    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    await drain(core)
    hostile = [m for m in sandbox.messages_to(ALICE) if "hostile-title" in (m.text or "")]
    assert len(hostile) == 1
    text = hostile[0].text or ""
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text
    assert "javascript:" not in text
    assert "onerror" not in text
    assert hostile[0].parse_mode == "HTML"  # and the sandbox accepted it as valid HTML


async def test_status_shows_latest_and_source_health_to_admins_only(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    board = await say(sandbox, ALICE, "/status")
    assert "Drills" in board
    assert "latest" in board
    # Subscribers see what is happening, not the operator's sources...
    assert "Новости Полесья" not in board
    assert "sources answering" not in board
    # ...admins get the sources' health in one line.
    admin_board = await say(sandbox, ADMIN_ID, "/status")
    assert "📡 3 of 3 sources answering" in admin_board


async def test_admin_post_reaches_subscribers_and_non_admin_is_refused(
    sandbox: SandboxBotAPI, live_outpost: OutpostApp
) -> None:
    # The dispatcher loop runs here: confirming the post wakes it, nobody drains by hand.
    core = live_outpost.bot_data.core
    await say(sandbox, ALICE, "/subscribe mobilization")
    refused = await say(sandbox, BOB, "/post Мобилизация объявлена")
    assert "only Outpost admins" in refused
    assert await core.db.events.recent() == []

    preview = await post_conversation(
        sandbox, ADMIN_ID, "/post Военкоматы рассылают повестки резервистам: мобилизация"
    )
    assert preview.reply_markup is not None
    confirm = preview.reply_markup["inline_keyboard"][0][0]["callback_data"]
    sandbox.push_callback(
        chat_id=ADMIN_ID, user_id=ADMIN_ID, message_id=preview.message_id, data=confirm
    )
    alert = (await sandbox.wait_for_messages(ALICE, 2))[-1]
    assert "Verified update" in (alert.text or "")
    assert "повестки" in (alert.text or "")
    assert alert.text == preview.text  # the preview was exactly what subscribers see


async def test_unknown_command_gets_help(sandbox: SandboxBotAPI, core: Core) -> None:
    reply = await say(sandbox, ALICE, "/frobnicate")
    assert "don't know that command" in reply
    assert "/subscribe" in reply
    empty = await say(sandbox, ALICE, "/subscribe")
    assert "Which topic?" in empty


async def test_broken_source_does_not_stop_the_others(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    await add_samples(core, source_server)
    bomb = source_server.add_file("bad/bomb.xml", data_dir / "bad" / "billion_laughs.xml")
    await add_source(core.db, bomb, now=core.clock.now(), allow_private=True, name="Bomb")
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.errors == {"Bomb": "xml_entities"}
    assert report.new_events == 15
    sources = {s.name: s for s in await core.db.sources.all()}
    assert sources["Bomb"].last_error_kind == "xml_entities"
    assert sources["Bomb"].consecutive_failures == 1
    await drain(core)
    assert any(YELSK_LINK in (m.text or "") for m in sandbox.messages_to(ALICE))
