"""Managing sources from the admin chat, end to end: commands, health, OPML documents."""

from __future__ import annotations

from pathlib import Path

from bot.context import Core
from bot.models import SourceKind
from bot.pipeline.cycle import run_cycle
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import say, tap
from tests.helpers.paths import SAMPLES
from tests.helpers.settings import ADMIN_ID

BOB = 1002


async def test_non_admins_are_refused_politely(sandbox: SandboxBotAPI, core: Core) -> None:
    for command in (
        "/sources",
        "/addsource https://example.org/feed.xml",
        "/removesource 1",
        "/pausesource 1",
        "/resumesource 1",
    ):
        assert "only Outpost admins" in await say(sandbox, BOB, command)
    sandbox.push_document(
        chat_id=BOB, user_id=BOB, file_name="feeds.opml", content=b"<opml><body/></opml>"
    )
    await sandbox.wait_for_messages(BOB, 6)
    assert "only Outpost admins" in (sandbox.last_to(BOB).text or "")
    assert await core.db.sources.all() == []


async def test_add_list_pause_resume_remove(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    feeds = data_dir / "feeds"
    source_server.add_file("rss/news_ru.rss", SAMPLES / "news_ru.rss")
    source_server.add_file("atom/analysis_en.atom", SAMPLES / "analysis_en.atom")
    site = source_server.add_file("index.html", feeds / "site.html")

    assert "No sources yet" in await say(sandbox, ADMIN_ID, "/sources")
    assert "Usage: /addsource" in await say(sandbox, ADMIN_ID, "/addsource")
    added = await say(sandbox, ADMIN_ID, f"/addsource {site} Полесье <news>")
    assert "Added source #1: Полесье <news> (rss)" in added
    assert source_server.url("rss/news_ru.rss") in added  # the site's advertised feed
    again = await say(sandbox, ADMIN_ID, f"/addsource {source_server.url('rss/news_ru.rss')}")
    assert "Already a source" in again
    refused = await say(sandbox, ADMIN_ID, "/addsource file:///etc/passwd")
    assert "Not added" in refused
    missing = source_server.url("gone.rss")
    assert "Added source #2" in await say(sandbox, ADMIN_ID, f"/addsource {missing} Gone")

    await run_cycle(core.pipeline, all_sources=True)
    board = await say(sandbox, ADMIN_ID, "/sources")
    assert "<b>#1</b> Полесье &lt;news&gt; (rss) ✅ ok" in board  # escaped, as sent
    assert "items 24 h: 6" in board
    assert "last success: just now" in board
    assert "last error: http_4xx" in board
    assert "failing (1×)" in board
    assert "next poll: in" in board

    assert "Paused" in await say(sandbox, ADMIN_ID, "/pausesource 1")
    assert "⏸ paused" in await say(sandbox, ADMIN_ID, "/sources")
    assert (await run_cycle(core.pipeline, all_sources=True)).sources == 1
    assert "Resumed" in await say(sandbox, ADMIN_ID, "/resumesource #1")
    assert "Usage: /pausesource ID" in await say(sandbox, ADMIN_ID, "/pausesource x")
    assert "No source #99" in await say(sandbox, ADMIN_ID, "/removesource 99")
    events_before = len(await core.db.events.recent(limit=100))
    assert "Removed source #1" in await say(sandbox, ADMIN_ID, "/removesource 1")
    assert [s.id for s in await core.db.sources.all()] == [2]
    assert len(await core.db.events.recent(limit=100)) == events_before  # events stay


async def test_admin_sends_an_opml_file(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    opml = (data_dir / "sources.opml").read_text().replace("{base}", source_server.url(""))
    sandbox.push_document(
        chat_id=ADMIN_ID,
        user_id=ADMIN_ID,
        file_name="feeds.opml",
        content=opml.encode(),
        mime_type="text/x-opml",
    )
    (reply,) = await sandbox.wait_for_messages(ADMIN_ID, 1)
    text = reply.text or ""
    assert "OPML import: <b>3</b> added, 0 already known, 1 refused" in text
    assert "file:///etc/passwd" in text
    names = {s.name for s in await core.db.sources.all()}
    assert names == {"Новости Полесья", "Posture Notes", "Belarus Watch"}

    # The same file again adds nothing; a hostile one is refused without touching anything.
    sandbox.push_document(
        chat_id=ADMIN_ID, user_id=ADMIN_ID, file_name="feeds.opml", content=opml.encode()
    )
    await sandbox.wait_for_messages(ADMIN_ID, 2)
    assert "<b>0</b> added, 3 already known" in (sandbox.last_to(ADMIN_ID).text or "")
    bomb = b'<!DOCTYPE o [<!ENTITY a "x">]><opml><body><outline xmlUrl="&a;"/></body></opml>'
    sandbox.push_document(chat_id=ADMIN_ID, user_id=ADMIN_ID, file_name="b.opml", content=bomb)
    await sandbox.wait_for_messages(ADMIN_ID, 3)
    assert "Could not import b.opml: refused" in (sandbox.last_to(ADMIN_ID).text or "")
    assert len(await core.db.sources.all()) == 3


async def test_many_sources_page_in_place_and_the_board_stays_one_message(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    now = core.clock.now()
    for n in range(1, 101):
        await core.db.sources.add(
            f"https://feeds.example.org/{n}.rss",
            kind=SourceKind.RSS,
            name=f"Источник номер {n} с очень длинным названием",
            now=now,
        )
    await core.db.sources.record_failure(
        57, now=now, next_poll_at=now, kind="http_5xx", detail="down"
    )
    before = len(sandbox.messages_to(ADMIN_ID))
    first = await say(sandbox, ADMIN_ID, "/sources")
    assert len(sandbox.messages_to(ADMIN_ID)) == before + 1  # one page, not a burst of them
    assert "1–8 of 100" in first
    assert "<b>#57</b>" in first  # the failing one comes first
    page = sandbox.last_to(ADMIN_ID)
    await tap(sandbox, ADMIN_ID, "sr:8")
    edited = sandbox.last_to(ADMIN_ID)
    assert edited.message_id == page.message_id  # turned in place
    assert "9–16 of 100" in edited.edits[-1]
    # Someone else's tap on forged data is refused.
    sandbox.push_callback(chat_id=ADMIN_ID, user_id=BOB, message_id=page.message_id, data="sr:16")
    await sandbox.wait_for(lambda: "only Outpost admins" in str(sandbox.callback_answers[-1]))

    # /status: subscribers see no source at all; admins one line; one message either way.
    board = await say(sandbox, BOB, "/status")
    assert "Источник" not in board
    assert len(board) < 4096
    admin_board = await say(sandbox, ADMIN_ID, "/status")
    assert "📡 0 of 100 sources answering" in admin_board


async def test_a_reply_refused_with_429_is_sent_again(sandbox: SandboxBotAPI, core: Core) -> None:
    sandbox.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests", retry_after=1, chat_id=BOB
    )
    reply = await say(sandbox, BOB, "/status")
    assert "What is going on" in reply
    assert any(code == 429 for _, code, _ in sandbox.errors_returned)
