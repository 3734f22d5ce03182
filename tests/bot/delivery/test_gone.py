"""A chat Telegram reports as "chat not found" is handled like one that blocked the bot:
marked, not written to again, and the admins are told once."""

from __future__ import annotations

from bot.admin.intake import add_source
from bot.context import Core
from bot.pipeline.cycle import run_cycle
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.settings import ADMIN_ID
from tests.helpers.sources import DRILLS, rss

GONE = -100900
STAYS = 3003


def sends_to(sandbox: SandboxBotAPI, chat_id: int) -> int:
    """How many times the bot tried to write to a chat."""
    return sum(
        1
        for method, params in sandbox.calls
        if method == "sendMessage" and int(params["chat_id"]) == chat_id
    )


async def test_a_chat_telegram_no_longer_knows_is_marked_and_admins_told_once(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    sandbox.register_chat(ADMIN_ID)
    sandbox.register_chat(STAYS)
    now = core.clock.now()
    await core.db.chats.register(
        GONE, chat_type="supergroup", title="Deleted <group>", language="en", now=now
    )
    await core.db.chats.register(STAYS, chat_type="private", title=None, language="en", now=now)
    for chat_id in (GONE, STAYS):
        await core.db.chats.subscribe(chat_id, "drills", now=now)
    url = source_server.add("feed.rss", rss(*DRILLS))
    await add_source(core.db, url, now=now, allow_private=True, name="N")
    await run_cycle(core.pipeline, all_sources=True)  # a new source's first poll is silent

    # The group was deleted while the bot was away; a report arrives for both chats.
    source_server.add("feed.rss", rss(("d6", "Учения войск у Мозыря"), *DRILLS))
    assert (await run_cycle(core.pipeline, all_sources=True)).queued == 2
    report = await core.dispatcher.drain()

    assert report.blocked == 1
    gone = await core.db.chats.get(GONE)
    assert gone is not None
    assert not gone.active
    assert sends_to(sandbox, GONE) == 1
    assert len(sandbox.messages_to(STAYS)) == 1  # the others carry on
    notices = [m.visible_text for m in sandbox.messages_to(ADMIN_ID)]
    assert len(notices) == 1
    assert "does not exist any more" in notices[0]
    assert "Deleted <group>" in notices[0]  # escaped in the HTML, shown as written

    # Not written to again: the next report goes to the others only, and nobody is told twice.
    source_server.add(
        "feed.rss",
        rss(("d8", "Мобилизация и учения у Бреста"), ("d6", "Учения войск у Мозыря"), *DRILLS),
    )
    assert (await run_cycle(core.pipeline, all_sources=True)).queued == 1
    await core.dispatcher.drain()
    assert sends_to(sandbox, GONE) == 1
    assert len(sandbox.messages_to(STAYS)) == 2
    assert len(sandbox.messages_to(ADMIN_ID)) == 1
