"""Admin tools through the real application: drafts, broadcast, stats, audit, admins,
/latest paging, and the error handler."""

from __future__ import annotations

from pathlib import Path

from bot.context import Core
from bot.models import Severity
from bot.pipeline.cycle import run_cycle
from bot.ui.callbacks import (
    DraftCancel,
    DraftConfirm,
    DraftNext,
    DraftSeverity,
    DraftStep,
    DraftTopic,
    LatestPage,
    decode,
)
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import ALICE, BOB, last_buttons, post_conversation, say, tap
from tests.helpers.settings import ADMIN_ID
from tests.helpers.sources import add_samples

HELPER = 77  # a user an owner makes admin in chat


async def press(sandbox: SandboxBotAPI, chat_id: int, message_id: int, data: str) -> None:
    """Tap an inline button and wait until the bot answered the tap."""
    before = len(sandbox.callback_answers)
    sandbox.push_callback(chat_id=chat_id, user_id=chat_id, message_id=message_id, data=data)
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) > before)


async def draft(sandbox: SandboxBotAPI, admin: int, command: str) -> tuple[int, list[str]]:
    """Send a /post or /broadcast and return its preview's id and button data."""
    if command.startswith("/post"):
        preview = await post_conversation(sandbox, admin, command)
    else:
        await say(sandbox, admin, command, replies=2)
        preview = sandbox.messages_to(admin)[-2]
    assert preview.reply_markup is not None
    buttons = [b["callback_data"] for b in preview.reply_markup["inline_keyboard"][0]]
    return preview.message_id, buttons


async def test_cancelled_post_reaches_nobody_and_is_audited(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe mobilization")
    message_id, (_, cancel) = await draft(sandbox, ADMIN_ID, "/post Мобилизация резервистов")
    await press(sandbox, ADMIN_ID, message_id, cancel)
    # The note follows the answer to the tap.
    await sandbox.wait_for(lambda: sandbox.last_to(ADMIN_ID).text == "Cancelled.")
    await core.dispatcher.drain()
    assert len(sandbox.messages_to(ALICE)) == 1  # only the /subscribe reply
    # A second tap on the same preview does nothing.
    cancelled = decode(cancel)
    assert isinstance(cancelled, DraftCancel)
    await press(sandbox, ADMIN_ID, message_id, DraftConfirm(cancelled.draft).encode())
    await core.dispatcher.drain()
    assert len(sandbox.messages_to(ALICE)) == 1
    log = await say(sandbox, ADMIN_ID, "/audit")
    assert "post_cancelled" in log


async def test_broadcast_goes_to_every_chat_once(sandbox: SandboxBotAPI, core: Core) -> None:
    await say(sandbox, ALICE, "/start")
    await say(sandbox, BOB, "/subscribe drills")
    message_id, (confirm, _) = await draft(sandbox, ADMIN_ID, "/broadcast Maintenance <tonight>")
    assert "Announcement" in (sandbox.messages_to(ADMIN_ID)[-2].text or "")
    await press(sandbox, ADMIN_ID, message_id, confirm)
    await press(sandbox, ADMIN_ID, message_id, confirm)  # a double tap sends nothing more
    await core.dispatcher.drain()
    for chat in (ALICE, BOB):
        announcements = [m for m in sandbox.messages_to(chat) if "Announcement" in (m.text or "")]
        assert len(announcements) == 1
        assert "Maintenance &lt;tonight&gt;" in (announcements[0].text or "")
    await sandbox.wait_for(
        lambda: any(
            "Announcement sent to 2 chat" in (m.text or "") for m in sandbox.messages_to(ADMIN_ID)
        )
    )


async def test_admin_commands_refuse_other_users(sandbox: SandboxBotAPI, core: Core) -> None:
    for command in ("/post x", "/broadcast x", "/stats", "/audit"):
        assert "only Outpost admins" in await say(sandbox, BOB, command)
    assert "only Outpost owners" in await say(sandbox, BOB, "/admins add 5")
    await post_conversation(sandbox, ADMIN_ID, "/post Мобилизация резервистов")
    answers = len(sandbox.callback_answers)
    mine = sandbox.last_to(BOB).message_id
    sandbox.push_callback(chat_id=BOB, user_id=BOB, message_id=mine, data=DraftConfirm(1).encode())
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) == answers + 1)
    assert "only Outpost admins" in sandbox.callback_answers[-1].get("text", "")
    assert await core.db.admin.recent_audit() == []


async def test_owner_adds_an_admin_who_can_then_post(sandbox: SandboxBotAPI, core: Core) -> None:
    assert "only Outpost admins" in await say(sandbox, HELPER, "/stats")
    assert "is now an admin" in await say(sandbox, ADMIN_ID, f"/admins add {HELPER}")
    assert "figures" not in await say(sandbox, HELPER, "/stats")
    assert "Outpost statistics" in sandbox.last_to(HELPER).text  # type: ignore[operator]
    # An added admin is not an owner.
    assert "only Outpost owners" in await say(sandbox, HELPER, "/admins add 99")
    listing = await say(sandbox, ADMIN_ID, "/admins")
    assert f"<code>{HELPER}</code>" in listing
    assert "is no longer an admin" in await say(sandbox, ADMIN_ID, f"/admins remove {HELPER}")
    assert "only Outpost admins" in await say(sandbox, HELPER, "/stats")
    log = await say(sandbox, ADMIN_ID, "/audit")
    assert "admin_add" in log
    assert "admin_remove" in log


async def test_stats_counts_audience_deliveries_and_failing_sources(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    await say(sandbox, BOB, "/subscribe drills")
    sandbox.block(BOB)
    await add_samples(core, source_server)
    source_server.add("broken.xml", b"<html><body>502</body></html>", content_type="text/html")
    from bot.admin.intake import add_source  # noqa: PLC0415 -- only this test adds a broken source

    await add_source(
        core.db,
        source_server.url("broken.xml"),
        now=core.clock.now(),
        allow_private=True,
        name="Broken",
    )
    await run_cycle(core.pipeline, all_sources=True)
    await core.dispatcher.drain()
    figures = await say(sandbox, ADMIN_ID, "/stats")
    assert "1</b> active, 1 blocked" in figures
    assert "Drills 1" in figures or "Drills 2" in figures
    assert "sent" in figures
    assert "Broken – not_a_feed ×1" in figures


async def test_latest_pages_with_buttons(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    first = await say(sandbox, ALICE, "/latest")
    assert first.count("\n1. ") + first.count("\n2. ") == 2
    page = sandbox.last_to(ALICE)
    assert page.reply_markup is not None
    older = page.reply_markup["inline_keyboard"][0][0]
    assert decode(older["callback_data"]) == LatestPage(topic=None, offset=5)
    await press(sandbox, ALICE, page.message_id, older["callback_data"])
    await sandbox.wait_for(lambda: "\n6. " in (sandbox.last_to(ALICE).text or ""))
    drills = await say(sandbox, ALICE, "/latest вучэнні")
    assert "Latest stories</b> – 🎯 Drills" in drills
    assert "Unknown topic" in await say(sandbox, ALICE, "/latest nonsense")


async def test_a_failing_handler_apologises_and_tells_admins_once(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    for _ in range(2):
        # A refusal no handler expects (a chat that is gone is an answer, not a bug).
        sandbox.fail_next(
            "sendMessage",
            error_code=400,
            description="Bad Request: message thread not found",
            chat_id=ALICE,
        )
        sandbox.push_message(chat_id=ALICE, text="/help")
        await sandbox.wait_for(
            lambda: (
                len([m for m in sandbox.messages_to(ALICE) if "went wrong" in (m.text or "")]) >= 1
            )
        )
    await sandbox.wait_for(
        lambda: len([m for m in sandbox.messages_to(ALICE) if "went wrong" in (m.text or "")]) == 2
    )
    notices = [m for m in sandbox.messages_to(ADMIN_ID) if "hit an error" in (m.text or "")]
    assert len(notices) == 1  # rate-limited: the second failure did not notify again
    assert sandbox.token not in (notices[0].text or "")


async def test_post_conversation_lets_the_admin_choose_topics_places_and_severity(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe border")
    await say(sandbox, BOB, "/subscribe drills")
    asked = await say(sandbox, ADMIN_ID, "/post")
    assert "Send the text" in asked
    await say(sandbox, ADMIN_ID, "Учения войск у деревни возле леса")
    step = decode(last_buttons(sandbox, ADMIN_ID)[0])
    assert isinstance(step, DraftStep)
    draft = step.draft
    keyboard = sandbox.last_to(ADMIN_ID).reply_markup
    assert keyboard is not None
    ticked = [
        decode(b[0]["callback_data"])
        for b in keyboard["inline_keyboard"]
        if b[0]["text"][0] == "✅"
    ]
    assert ticked == [DraftTopic(draft, "drills")]  # found by the matcher, prefilled
    await tap(sandbox, ADMIN_ID, DraftTopic(draft, "drills"))  # untick drills...
    await tap(sandbox, ADMIN_ID, DraftTopic(draft, "border"))  # ...and choose border
    await tap(sandbox, ADMIN_ID, DraftNext(draft))
    assert "No place found" in (sandbox.last_to(ADMIN_ID).text or "")
    unknown = await say(sandbox, ADMIN_ID, "Нарния")
    assert "no place by that name" in unknown
    await say(sandbox, ADMIN_ID, "Мозырь")
    assert [decode(data) for data in last_buttons(sandbox, ADMIN_ID)] == [
        DraftSeverity(draft, Severity.HIGH),
        DraftSeverity(draft, Severity.MEDIUM),
        DraftSeverity(draft, Severity.LOW),
        DraftSeverity(draft, None),
    ]
    await tap(sandbox, ADMIN_ID, DraftSeverity(draft, Severity.HIGH), replies=2)
    preview = sandbox.messages_to(ADMIN_ID)[-2]
    assert "Border" in (preview.text or "")
    assert "Drills" not in (preview.text or "")
    assert "Mazyr" in (preview.text or "")
    await tap(sandbox, ADMIN_ID, DraftConfirm(draft))
    await core.dispatcher.drain()
    assert sandbox.last_to(ALICE).text == preview.text
    assert len(sandbox.messages_to(BOB)) == 1  # drills was unticked: Bob gets nothing
    rows = await core.db.fetchall("SELECT priority FROM outbox")
    assert [row["priority"] for row in rows] == [2]  # severity high


async def test_cancel_stops_a_post_half_way(sandbox: SandboxBotAPI, core: Core) -> None:
    await say(sandbox, ADMIN_ID, "/post")
    assert "Cancelled." in await say(sandbox, ADMIN_ID, "/cancel")
    # The next plain message is not taken as a post any more.
    sandbox.push_message(chat_id=ADMIN_ID, text="Учения")
    assert "Nothing to cancel." in await say(sandbox, ADMIN_ID, "/cancel")
    assert await core.db.admin.open_draft(ADMIN_ID) is None
