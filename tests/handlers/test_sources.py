"""Managing sources from the admin chat, end to end: commands, health, OPML documents."""

from __future__ import annotations

from pathlib import Path

from bot.context import Core
from bot.pipeline.cycle import run_cycle
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import say
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
