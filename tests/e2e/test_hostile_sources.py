"""Sources written by an adversary, end to end: the real application against the sandbox Bot
API, sources served locally, a real SQLite file.

Each test is one way a source once silenced, spoofed or flooded the alerts (issue 21), and
checks that a source now affects only its own reports: a run of dots, links claimed before
their owner publishes them, links joining only within the story window, a feed joining a
verified update or an announcement, a flood of items, a story edited once per joining report, a lone
surrogate, and a channel whose name changed hands.
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta

from bot.admin.intake import add_source
from bot.context import Core
from bot.models import Source, SourceKind
from bot.pipeline.cycle import run_cycle
from bot.pipeline.parse.text import MAX_TEXT_CHARS
from bot.pipeline.stories import WINDOW as STORY_WINDOW
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SentMessage, SourceServer
from sandbox.hostile import json_feed_item
from tests.helpers.chat import ALICE, BOB, post_conversation, say, tap
from tests.helpers.settings import ADMIN_ID
from tests.helpers.sources import EMPTY_CHANNEL, EMPTY_RSS, rss

JSON_FEED = "application/feed+json"
EMPTY_JSON = json.dumps(
    {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": []}
).encode()


async def sources(
    core: Core, server: SourceServer, *specs: tuple[str, str, SourceKind, bytes, str]
) -> list[Source]:
    """Add sources while empty and let their silent first poll pass: (path, name, kind,
    empty body, content type) each. What they serve afterwards arrives as news."""
    added = []
    for path, name, kind, empty, content_type in specs:
        url = server.add(path, empty, content_type=content_type)
        added.append(
            await add_source(
                core.db, url, now=core.clock.now(), allow_private=True, name=name, kind=kind
            )
        )
    primed = await run_cycle(core.pipeline, all_sources=True)
    assert primed.failed == 0
    return added


def feed(path: str, name: str) -> tuple[str, str, SourceKind, bytes, str]:
    return (path, name, SourceKind.RSS, EMPTY_RSS, "application/rss+xml")


def alerts(sandbox: SandboxBotAPI, chat_id: int) -> list[SentMessage]:
    """The alerts and digests a chat received (not the replies to its commands)."""
    return [
        message
        for message in sandbox.messages_to(chat_id)
        if "🕒" in message.visible_text or message.visible_text.startswith("Digest")
    ]


async def test_a_run_of_dots_costs_only_its_own_item(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    await sources(
        core,
        source_server,
        feed("good.rss", "Good"),
        ("hostile.json", "Hostile", SourceKind.RSS, EMPTY_JSON, JSON_FEED),
    )
    # 40,000 dots after a military word once took the summariser 18 s of the event loop.
    dots = "Учения войск у Ельска " + "." * 40_000
    source_server.add("hostile.json", json_feed_item(dots), content_type=JSON_FEED)
    source_server.add("good.rss", rss(("g1", "Учения войск у Мозыря начались")))

    cycle = asyncio.create_task(run_cycle(core.pipeline, all_sources=True))
    assert "/subscribe" in await say(sandbox, BOB, "/help")  # commands are answered meanwhile
    report = await cycle
    assert (report.failed, report.new_events) == (0, 2)
    await core.dispatcher.drain()
    assert any("Мозыря" in m.visible_text for m in alerts(sandbox, ALICE))
    stored = {event.title: event for event in await core.db.events.recent()}
    assert len(stored) == 2
    text = await core.db.fetchone("SELECT MAX(LENGTH(text)) FROM events")
    assert text is not None and text[0] <= MAX_TEXT_CHARS


async def test_links_claimed_by_another_source_do_not_silence_their_owner(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    channel, claims = await sources(
        core,
        source_server,
        ("s/hajun_watch", "Hajun", SourceKind.TELEGRAM, EMPTY_CHANNEL, "text/html"),
        feed("claims.rss", "Claims"),
    )
    # Bland items linking to the channel's next posts, published before the channel.
    claimed = "".join(
        f"<item><guid>c{post}</guid><title>Новости дня {post}</title>"
        f"<link>https://t.me/hajun_watch/{post}</link><description>Обзор</description></item>"
        for post in range(101, 106)
    )
    source_server.add(
        "claims.rss",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>{claimed}'
        "</channel></rss>".encode(),
    )
    await run_cycle(core.pipeline, all_sources=True)
    places = ["Ельска", "Мозыря", "Орши", "Бреста", "Лиды"]
    posts = [
        (101 + index, f"Учения войск у {place} начались") for index, place in enumerate(places)
    ]
    source_server.add("s/hajun_watch", channel_page("hajun_watch", posts))
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.new_events == 5
    await core.dispatcher.drain()

    received = alerts(sandbox, ALICE)
    assert len(received) == 5  # 5 real reports, 5 alerts
    for message, place in zip(received, places, strict=True):
        assert place in message.visible_text
        assert "(t.me/hajun_watch)" in message.visible_text  # each link shows its domain
        assert "Claims" not in message.visible_text
    assert channel.id != claims.id


async def test_a_link_joins_a_story_only_within_the_story_window(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    # Two feeds of one site (one origin): their reports of one link are one story.
    await sources(core, source_server, feed("a.rss", "A"), feed("b.rss", "B"))
    source_server.add("a.rss", rss(("a1", "Учения войск у Ельска начались")))
    await run_cycle(core.pipeline, all_sources=True)
    await core.dispatcher.drain()
    assert len(alerts(sandbox, ALICE)) == 1

    def linking(*items: tuple[str, str]) -> bytes:
        body = "".join(
            f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<link>https://n.example.org/a1</link><description>{title}</description></item>"
            for guid, title in items
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'.encode()

    clock.advance(timedelta(hours=1))
    source_server.add("b.rss", linking(("b1", "Новости дня")))
    assert (await run_cycle(core.pipeline, all_sources=True)).new_events == 1
    await core.dispatcher.drain()
    assert len(alerts(sandbox, ALICE)) == 1  # joined the story by its link: no second alert

    # Past the story window an old link claims nothing: the report is news of its own.
    clock.advance(STORY_WINDOW + timedelta(hours=1))
    source_server.add(
        "b.rss", linking(("b1", "Новости дня"), ("b2", "Учения войск у Мозыря начались"))
    )
    assert (await run_cycle(core.pipeline, all_sources=True)).new_events == 1
    await core.dispatcher.drain()
    received = alerts(sandbox, ALICE)
    assert len(received) == 2
    assert "Мозыря" in received[1].visible_text


async def test_a_feed_cannot_join_a_verified_update(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    await say(sandbox, ALICE, "/subscribe drills")
    await sources(core, source_server, feed("copycat.rss", "Copycat"))
    preview = await post_conversation(
        sandbox, ADMIN_ID, "/post Учения войск у Ельска начались", severity=None
    )
    assert preview.reply_markup is not None
    await tap(sandbox, ADMIN_ID, preview.reply_markup["inline_keyboard"][0][0]["callback_data"])
    await core.dispatcher.drain()
    [verified] = alerts(sandbox, ALICE)
    assert "Verified update" in verified.visible_text

    # The same topic and place from a feed once joined the admins' story and edited every
    # subscriber's verified update to show the feed's link and "Reported by 2 sources".
    source_server.add("copycat.rss", rss(("x1", "Учения войск у Ельска начались")))
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.new_events == 1
    await core.dispatcher.drain()
    assert verified.edits == []
    assert "Reported by" not in verified.visible_text
    assert "n.example.org" not in verified.visible_text
    copy = [m for m in alerts(sandbox, ALICE) if m is not verified]
    assert len(copy) == 1  # the feed's report is its own story, under its own name
    assert "Copycat</a> (n.example.org)" in (copy[0].text or "")
    assert "Verified" not in copy[0].visible_text


async def test_a_feed_cannot_join_an_announcement(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    await say(sandbox, ALICE, "/subscribe drills")
    await sources(core, source_server, feed("copycat.rss", "Copycat"))
    await say(sandbox, ADMIN_ID, "/broadcast Учения войск у Ельска начались", replies=2)
    preview = sandbox.messages_to(ADMIN_ID)[-2]
    assert preview.reply_markup is not None
    await tap(sandbox, ADMIN_ID, preview.reply_markup["inline_keyboard"][0][0]["callback_data"])
    await core.dispatcher.drain()
    [announced] = [m for m in sandbox.messages_to(ALICE) if "Ельска" in m.visible_text]

    source_server.add("copycat.rss", rss(("x1", "Учения войск у Ельска начались")))
    assert (await run_cycle(core.pipeline, all_sources=True)).new_events == 1
    await core.dispatcher.drain()
    assert announced.edits == []
    assert "n.example.org" not in announced.visible_text
    [copy] = [m for m in alerts(sandbox, ALICE) if m is not announced]  # a story of its own
    assert "Copycat</a> (n.example.org)" in (copy.text or "")


async def test_a_flood_of_items_delays_only_its_own_source(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    await sources(core, source_server, feed("flood.rss", "Flood"), feed("good.rss", "Good"))
    # Each item a story of its own (another number), all about drills near Yelsk.
    flood = [(f"f{i}", f"Учения войск у Ельска, сообщение {i + 2}") for i in range(1_500)]
    source_server.add("flood.rss", rss(*flood))
    source_server.add("good.rss", rss(("g1", "Учения войск под Оршей начались")))

    report = await run_cycle(core.pipeline, all_sources=True)
    per_poll = core.settings.max_items_per_poll
    assert report.new_events == per_poll + 1  # the flood's oldest 100, the good report
    assert report.deferred == 1_500 - per_poll  # the rest wait for the flood's next polls
    drained = await core.dispatcher.drain()
    per_hour = core.settings.max_alerts_per_hour
    received = alerts(sandbox, ALICE)
    assert len(received) == per_hour + 1
    assert drained.folded == per_poll - per_hour
    good = [index for index, m in enumerate(received) if "Оршей" in m.visible_text]
    assert good and good[0] <= per_hour  # not behind the flood: within the first 21 sends

    # When the hour lets another message through, the folded alerts come as one digest.
    clock.advance(timedelta(hours=1))
    await core.dispatcher.drain()
    digest = alerts(sandbox, ALICE)[len(received) :]
    assert digest and digest[0].visible_text.startswith(f"Digest: {per_poll - per_hour} stories")
    assert "gathered here" in digest[0].visible_text

    # The flood's next poll reads its next oldest items.
    again = await run_cycle(core.pipeline, all_sources=True)
    assert (again.new_events, again.deferred) == (per_poll, 1_500 - 2 * per_poll)


async def test_a_growing_story_is_edited_once_per_interval_not_once_per_report(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, clock: ManualClock
) -> None:
    subscribers = list(range(3_001, 3_031))
    for chat in subscribers:
        await say(sandbox, chat, "/subscribe drills")
    await sources(core, source_server, *(feed(f"s{k}.rss", f"Source {k}") for k in range(7)))
    source_server.add("s0.rss", rss(("k0", "Учения войск у Ельска: 28 машин")))
    await run_cycle(core.pipeline, all_sources=True)
    await core.dispatcher.drain()
    first = [alerts(sandbox, chat) for chat in subscribers]
    assert all(len(received) == 1 for received in first)

    # Six more sources report it, a minute apart: once 6 edits each, 180 in all.
    for k in range(1, 7):
        clock.advance(timedelta(minutes=1))
        source_server.add(f"s{k}.rss", rss((f"k{k}", "Учения войск у Ельска: 28 машин")))
        report = await run_cycle(core.pipeline, all_sources=True)
        assert report.new_events == 1
        await core.dispatcher.drain()
    clock.advance(timedelta(minutes=10))
    await core.dispatcher.drain()

    edits = [call for call in sandbox.calls if call[0] == "editMessageText"]
    interval = timedelta(seconds=core.settings.edit_interval)
    assert len(edits) <= len(subscribers) * 2  # 6 reports within two intervals: 2 edits
    assert interval == timedelta(minutes=5)
    for received in first:
        assert "Reported by 7 sources" in received[0].visible_text
        assert 1 <= len(received[0].edits) <= 2


async def test_a_lone_surrogate_costs_only_its_item(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    [source] = await sources(
        core, source_server, ("j.json", "J", SourceKind.RSS, EMPTY_JSON, JSON_FEED)
    )
    items = [
        {
            "id": "1",
            "title": "Учения войск у Ельска начались",
            "content_text": "Учения войск у Ельска.",
        },
        {
            "id": "2",
            "title": "Учения войск у Мозыря \ud800",
            "content_text": "Учения \udfff у Мозыря.",
        },
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
    assert "\\ud800" in body  # as a hostile feed writes it
    source_server.add("j.json", body.encode(), content_type=JSON_FEED)
    report = await run_cycle(core.pipeline, all_sources=True)
    assert (report.failed, report.new_events) == (0, 2)
    health = await core.db.sources.get(source.id)
    assert health is not None and health.consecutive_failures == 0
    assert health.last_error_kind is None
    await core.dispatcher.drain()
    texts = [m.visible_text for m in alerts(sandbox, ALICE)]
    assert any("Ельска" in text for text in texts)
    assert any("Мозыря \ufffd" in text for text in texts)


async def test_a_channel_whose_name_changed_hands_is_paused(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    await say(sandbox, ALICE, "/subscribe drills")
    page = "s/belwatch_demo"
    source_server.add(page, channel_page("belwatch_demo", [(1, "Привет")], 1001, "Belarus Watch"))
    source = await add_source(
        core.db,
        source_server.url(page),
        now=core.clock.now(),
        allow_private=True,
        name="Belarus Watch",
        kind=SourceKind.TELEGRAM,
    )
    await run_cycle(core.pipeline, all_sources=True)
    known = await core.db.sources.get(source.id)
    assert known is not None
    assert (known.channel_title, known.channel_id) == ("Belarus Watch", 1001)

    # A new title is news for the admins; the posts go on.
    source_server.add(
        page,
        channel_page("belwatch_demo", [(2, "Учения войск у Ельска")], 1001, "Belarus Watch 24"),
    )
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.new_events == 1
    notices = [m.visible_text for m in sandbox.messages_to(ADMIN_ID)]
    assert any("changed its title from «Belarus Watch» to «Belarus Watch 24»" in n for n in notices)

    # Another channel under the name: paused, its posts not read, the admins told.
    source_server.add(
        page, channel_page("belwatch_demo", [(3, "Учения войск у Мозыря")], 2002, "Belarus Watch")
    )
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.new_events == 0
    paused = await core.db.sources.get(source.id)
    assert paused is not None and not paused.active
    assert paused.last_error_kind == "identity_changed"
    assert "now shows another channel: id 2002, not 1001" in sandbox.last_to(ADMIN_ID).visible_text
    assert (await run_cycle(core.pipeline, all_sources=True)).sources == 0  # not polled

    # An admin who checked it resumes it: the channel holding the name now is followed.
    await say(sandbox, ADMIN_ID, f"/resumesource {source.id}")
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.new_events == 1
    followed = await core.db.sources.get(source.id)
    assert followed is not None and followed.channel_id == 2002


def channel_page(
    name: str,
    posts: list[tuple[int, str]],
    channel_id: int | None = None,
    title: str | None = None,
) -> bytes:
    """A t.me/s page as t.me serves it: og:title, and each post's data-view carrying the
    channel's id ({"c": -ID, "p": POST} in base64url)."""
    head = f'<meta property="og:title" content="{title}">' if title else ""
    body = []
    for post, text in posts:
        view = ""
        if channel_id is not None:
            data = json.dumps({"c": -channel_id, "p": post, "t": 1, "h": "x"}).encode()
            view = f' data-view="{base64.urlsafe_b64encode(data).decode().rstrip("=")}"'
        body.append(
            f'<div class="tgme_widget_message" data-post="{name}/{post}"{view}>'
            f'<div class="tgme_widget_message_text">{text}</div>'
            '<a class="tgme_widget_message_date">'
            '<time datetime="2022-10-12T11:00:00+00:00"></time></a></div>'
        )
    return (
        f'<html><head>{head}</head><body><div class="tgme_channel_info"></div>'
        f"{''.join(body)}</body></html>"
    ).encode()
