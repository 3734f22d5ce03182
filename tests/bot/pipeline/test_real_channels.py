"""Real sources end to end on the running application: a pinned service notice that
repeats an old post's words never becomes an event or a second alert, while a poll does
become one and its alert says it is a poll. The pages are the real 2023 excerpt in
tests/data/channels (see its README); only the posts this story needs are added to it."""

from __future__ import annotations

from bot.admin.intake import add_source
from bot.context import Core
from bot.models import SourceKind
from bot.pipeline.cycle import run_cycle
from bot.pipeline.parse.telegram_channel import POLL_MARK
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import say
from tests.helpers.paths import DATA

ALICE = 1001
WRAP = '<div class="tgme_widget_message_wrap'


def _real_blocks() -> list[str]:
    """The real page's message blocks: posts 1 (created), 62, 89 and 92 (pinned notice)."""
    page = (DATA / "channels" / "tchantest_2023.html").read_text(encoding="utf-8")
    blocks = [WRAP + block for block in page.split(WRAP)[1:]]
    assert len(blocks) == 4
    return blocks


def _post(pid: int, inner: str) -> str:
    return (
        f'{WRAP} js-widget_message_wrap"><div class="tgme_widget_message js-widget_message" '
        f'data-post="tchantest/{pid}">{inner}<a class="tgme_widget_message_date">'
        f'<time datetime="2023-02-25T0{pid % 10}:00:00+00:00"></time></a></div></div>'
    )


def _poll(question: str, *options: str) -> str:
    # Class names as real pages give them (no licensed real poll was found to copy).
    rows = "".join(
        '<div class="tgme_widget_message_poll_option">'
        f'<div class="tgme_widget_message_poll_option_text">{option}</div></div>'
        for option in options
    )
    return (
        '<div class="tgme_widget_message_poll js-poll">'
        f'<div class="tgme_widget_message_poll_question">{question}</div>'
        '<div class="tgme_widget_message_poll_type">Anonymous Poll</div>'
        f'<a class="tgme_widget_message_poll_options">{rows}</a></div>'
    )


async def test_pinned_notice_never_alerts_and_a_poll_alerts_as_a_poll(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    created, multiline, forward, pinned = _real_blocks()
    report_post = _post(
        100,
        '<div class="tgme_widget_message_text js-message_text">'
        "Учения войск у Ельска: колонна</div>",
    )
    await say(sandbox, ALICE, "/subscribe drills")
    url = source_server.add(
        "s/tchantest", "\n".join([created, multiline, forward, report_post]).encode()
    )
    await add_source(
        core.db, url, now=core.clock.now(), allow_private=True, kind=SourceKind.TELEGRAM
    )
    first = await run_cycle(core.pipeline, all_sources=True)
    assert first.new_events == 3  # 62, 89 and the report; "Channel created" is no event
    await core.dispatcher.drain()
    assert len(sandbox.messages_to(ALICE)) == 1  # the first poll backfills silently

    # Days later the channel pins that report (the real notice, pointed at its words) and
    # asks its readers a question.
    pin = pinned.replace("tchantest/92", "tchantest/101").replace(
        "Going to pin this message", "Учения войск у Ельска: колонна"
    )
    poll = _post(
        102, _poll("Учения войск у Мозыря: видели колонну на М1?", "Да, у Калинкович", "Нет")
    )
    page = [created, multiline, forward, report_post, pin, poll]
    source_server.add("s/tchantest", "\n".join(page).encode())
    second = await run_cycle(core.pipeline, all_sources=True)
    assert second.new_events == 1
    assert second.queued == 1
    await core.dispatcher.drain()
    alerts = [message.text or "" for message in sandbox.messages_to(ALICE)[1:]]
    assert len(alerts) == 1
    assert POLL_MARK in alerts[0]
    assert "Мозыря" in alerts[0]
    stored = " ".join(event.title for event in await core.db.events.recent())
    assert "pinned" not in stored
    assert "Channel created" not in stored


async def test_a_real_feed_with_whitespace_before_its_declaration_is_healthy(
    core: Core, source_server: SourceServer
) -> None:
    # The real OSW feed as many servers' templates send it: a blank line first.
    body = b"\n\n" + (DATA / "feeds" / "real" / "osw_en.xml").read_bytes()
    url = source_server.add("osw.xml", body, content_type="application/rss+xml")
    source = await add_source(core.db, url, now=core.clock.now(), allow_private=True)
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.new_events == 10
    (stored,) = [s for s in await core.db.sources.all() if s.id == source.id]
    assert stored.last_error_kind is None
    assert stored.last_error_detail in {None, ""}
    assert stored.consecutive_failures == 0
