"""End to end: the real PTB Application over HTTP against the sandbox Bot API, sources
served locally, a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from bot.app import OutpostApp
from bot.context import Core
from bot.models import SourceKind
from bot.pipeline.cycle import run_cycle
from bot.sandbox import SandboxBotAPI, SourceServer
from bot.sandbox.botapi import SentMessage
from bot.sources import add_source
from tests.conftest import ADMIN_ID

ALICE = 1001
BOB = 1002
YELSK_LINK = "https://news.example.org/2022/10/11/yelsk-drills"


async def say(sandbox: SandboxBotAPI, chat_id: int, text: str, replies: int = 1) -> str:
    """Send a message as a user and return the bot's (last) reply."""
    before = len(sandbox.messages_to(chat_id))
    sandbox.push_message(chat_id=chat_id, text=text)
    messages = await sandbox.wait_for_messages(chat_id, before + replies)
    return messages[-1].text or ""


async def tap(sandbox: SandboxBotAPI, chat_id: int, data: str, replies: int = 0) -> None:
    """Tap a button of the bot's last message that has one with this data."""
    message = next(
        m
        for m in reversed(sandbox.messages_to(chat_id))
        if m.reply_markup
        and any(
            b["callback_data"] == data for row in m.reply_markup["inline_keyboard"] for b in row
        )
    )
    before = len(sandbox.callback_answers), len(sandbox.messages_to(chat_id))
    sandbox.push_callback(
        chat_id=chat_id, user_id=chat_id, message_id=message.message_id, data=data
    )
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) > before[0])
    await sandbox.wait_for(lambda: len(sandbox.messages_to(chat_id)) >= before[1] + replies)


def last_buttons(sandbox: SandboxBotAPI, chat_id: int) -> list[str]:
    """The callback data of the newest message with buttons."""
    for message in reversed(sandbox.messages_to(chat_id)):
        if message.reply_markup:
            rows = message.reply_markup["inline_keyboard"]
            return [b["callback_data"] for row in rows for b in row]
    return []


async def post_conversation(
    sandbox: SandboxBotAPI, admin: int, command: str, severity: str = "high"
) -> SentMessage:
    """Walk /post TEXT through topics, places and severity; return the preview."""
    await say(sandbox, admin, command)
    draft = last_buttons(sandbox, admin)[-1].split(":")[1]
    await tap(sandbox, admin, f"pd:{draft}:next")
    place_choice = "pk" if f"pd:{draft}:pk" in last_buttons(sandbox, admin) else "pn"
    await tap(sandbox, admin, f"pd:{draft}:{place_choice}")
    await tap(sandbox, admin, f"pd:{draft}:s:{severity}", replies=2)
    return sandbox.messages_to(admin)[-2]


EMPTY_RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
EMPTY_ATOM = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'
EMPTY_CHANNEL = b'<html><body><div class="tgme_channel_info"></div></body></html>'


async def add_samples(core: Core, server: SourceServer, data_dir: Path) -> None:
    """Store the three sample sources, let their (empty) first poll pass, then serve posts.

    A new source's first poll stores what it finds without alerting, so the sources are
    added while still empty: the sample posts then arrive as news.
    """
    feeds = data_dir / "feeds"
    samples = [
        ("rss/news_ru.rss", "news_ru.rss", SourceKind.RSS, "Новости Полесья", EMPTY_RSS),
        ("atom/analysis_en.atom", "analysis_en.atom", SourceKind.RSS, "Posture Notes", EMPTY_ATOM),
        ("s/belwatch_demo", "channel_be.html", SourceKind.TELEGRAM, "Belarus Watch", EMPTY_CHANNEL),
    ]
    for path, _, kind, name, empty in samples:
        url = server.add(path, empty)
        await add_source(
            core.db, url, now=core.clock.now(), allow_private=True, name=name, kind=kind
        )
    primed = await run_cycle(core.pipeline, all_sources=True)
    assert primed.new_events == 0
    for path, file_name, *_ in samples:
        server.add_file(path, feeds / file_name)


async def drain(core: Core) -> None:
    """Send everything queued, now."""
    await core.dispatcher.drain()


async def test_subscribe_by_command_and_by_button(sandbox: SandboxBotAPI, core: Core) -> None:
    welcome = await say(sandbox, ALICE, "/start")
    assert "Welcome" in welcome
    reply = await say(sandbox, ALICE, "/subscribe drills учения nonsense")
    assert "Subscribed to" in reply
    assert "Unknown topic: nonsense" in reply
    assert await core.db.chats.topics_of(ALICE) == {"drills"}

    await say(sandbox, ALICE, "/topics")
    keyboard = sandbox.last_to(ALICE)
    assert keyboard.reply_markup is not None
    buttons = [row[0] for row in keyboard.reply_markup["inline_keyboard"]]
    assert any(b["callback_data"] == "t:equipment" for b in buttons)
    assert any(b["text"].startswith("✅") and b["callback_data"] == "t:drills" for b in buttons)

    sandbox.push_callback(
        chat_id=ALICE, user_id=ALICE, message_id=keyboard.message_id, data="t:equipment"
    )
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) == 1)
    assert await core.db.chats.topics_of(ALICE) == {"drills", "equipment"}
    await sandbox.wait_for(
        lambda: any(
            b[0]["text"].startswith("✅") and b[0]["callback_data"] == "t:equipment"
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
    await add_samples(core, source_server, data_dir)

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
    await add_samples(core, source_server, data_dir)
    await run_cycle(core.pipeline, all_sources=True)
    await drain(core)
    echelon = [m for m in sandbox.messages_to(ALICE) if "t72-echelon" in (m.text or "")]
    assert len(echelon) == 1  # the ?ref=mainpage copy is the same story


async def test_hostile_title_arrives_escaped(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await say(sandbox, ALICE, "/subscribe mobilization")
    await add_samples(core, source_server, data_dir)
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


async def test_status_shows_latest_and_source_health(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await add_samples(core, source_server, data_dir)
    await run_cycle(core.pipeline, all_sources=True)
    board = await say(sandbox, ALICE, "/status")
    assert "Drills" in board
    assert "latest" in board
    assert "Новости Полесья – answered just now" in board
    assert "Belarus Watch" in board


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
    await add_samples(core, source_server, data_dir)
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
