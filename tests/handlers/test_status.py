"""/status: today against the usual level, narrowing to a topic or a place, the chart."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from bot.context import Core
from bot.pipeline.store import record_post
from bot.runtime.clock import ManualClock
from bot.ui import maps
from bot.ui.callbacks import StatusChart, StatusMap, decode
from bot.ui.texts import TopicFigures
from sandbox import SandboxBotAPI
from tests.helpers.posts import source_post

CHAT = 4000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def report(core: Core, key: str, text: str) -> None:
    """Store one report as if a source had just published it."""
    await record_post(
        core.db,
        source_post(
            core.matcher,
            key,
            text,
            text,
            link=f"https://news.example.org/{key}",
            canonical_link=f"https://news.example.org/{key}",
            published=core.clock.now(),
            source_name="News",
        ),
        matcher=core.matcher,
        catalog=core.catalog,
        now=core.clock.now(),
    )


async def ask(sandbox: SandboxBotAPI, text: str) -> str:
    before = len(sandbox.messages_to(CHAT))
    sandbox.push_message(chat_id=CHAT, text=text)
    return (await sandbox.wait_for_messages(CHAT, before + 1))[-1].text or ""


def test_a_spike_is_at_least_three_stories_and_twice_the_usual() -> None:
    assert TopicFigures(day=3, week=3, usual=0.0, latest=None).above_normal
    assert not TopicFigures(day=2, week=2, usual=0.0, latest=None).above_normal
    assert not TopicFigures(day=5, week=20, usual=3.0, latest=None).above_normal
    assert TopicFigures(day=6, week=20, usual=3.0, latest=None).above_normal


async def test_board_marks_a_spike_against_the_usual_level(
    sandbox: SandboxBotAPI, core: Core, clock: ManualClock
) -> None:
    start = clock.now()
    # A quiet month: one drills story every fourth day...
    for day in range(30, 2, -4):
        clock.set(start - timedelta(days=day))
        await report(core, f"old-{day}", "Военные учения на полигоне под Борисовом")
    # ...then four in one day, and one mobilization story.
    clock.set(start)
    for n, town in enumerate(("Ельск", "Мозырь", "Пинск", "Брест")):
        # Four towns: four happenings, not one story told four times.
        await report(core, f"new-{n}", f"Учения у границы, {town}")
    await report(core, "mob", "Военкоматы рассылают повестки резервистам")
    board = await ask(sandbox, "/status")
    drills_line = next(line for line in board.splitlines() if "Drills" in line)
    assert "<b>4</b> / 5" in drills_line
    assert "above normal" in drills_line
    mobilization = next(line for line in board.splitlines() if "Mobilization" in line)
    assert "above normal" not in mobilization
    assert "Yelsk (1)" in board

    only = await ask(sandbox, "/status drills")
    assert "Drills" in only
    assert "Mobilization" not in only
    place = await ask(sandbox, "/status Мозырь")
    assert "Mazyr" in place
    assert place.count("• ") == 1


@pytest.fixture
def render_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture the pictures' "rendered" records, which carry the thread that drew them."""
    caplog.set_level(logging.DEBUG, logger="bot.ui.charts")
    caplog.set_level(logging.DEBUG, logger="bot.ui.maps")
    return caplog


def rendered_off_the_loop(log: pytest.LogCaptureFixture, name: str) -> bool:
    """Tell whether a picture was drawn, and never on the event loop's thread."""
    records = [r for r in log.records if r.name == name and "rendered" in r.getMessage()]
    return bool(records) and all(r.threadName != threading.main_thread().name for r in records)


async def test_chart_is_a_png_rendered_off_the_loop(
    sandbox: SandboxBotAPI, core: Core, clock: ManualClock, render_log: pytest.LogCaptureFixture
) -> None:
    start = clock.now()
    for day in range(10):
        clock.set(start - timedelta(days=day))
        await report(core, f"d{day}", "Учения у границы")
        await report(core, f"e{day}", "Эшелон с танками ушёл в Россию")
    clock.set(start)
    await ask(sandbox, "/status")
    board = sandbox.last_to(CHAT)
    assert board.reply_markup is not None
    button = board.reply_markup["inline_keyboard"][0][0]
    sandbox.push_callback(
        chat_id=CHAT, user_id=CHAT, message_id=board.message_id, data=button["callback_data"]
    )
    await sandbox.wait_for(lambda: sandbox.last_to(CHAT).kind == "photo", timeout=20)
    photo = sandbox.last_to(CHAT)
    assert photo.content is not None
    assert photo.content.startswith(PNG_SIGNATURE)
    assert len(photo.content) > 10_000
    assert rendered_off_the_loop(render_log, "bot.ui.charts")


async def test_map_of_located_stories_is_a_png_rendered_off_the_loop(
    sandbox: SandboxBotAPI, core: Core, clock: ManualClock, render_log: pytest.LogCaptureFixture
) -> None:
    start = clock.now()
    clock.set(start - timedelta(days=5))  # too old for the map
    await report(core, "old", "Учения под Гродно")
    clock.set(start - timedelta(hours=3))
    for n, town in enumerate(("Ельск", "Мозырь", "Пинск", "Брест")):
        await report(core, f"new-{n}", f"Учения у границы, {town}")
    clock.set(start)
    await ask(sandbox, "/status")
    board = sandbox.last_to(CHAT)
    assert board.reply_markup is not None
    buttons = [b["callback_data"] for b in board.reply_markup["inline_keyboard"][0]]
    assert [decode(data) for data in buttons] == [StatusChart(), StatusMap()]
    sandbox.push_callback(
        chat_id=CHAT, user_id=CHAT, message_id=board.message_id, data=StatusMap().encode()
    )
    await sandbox.wait_for(lambda: sandbox.last_to(CHAT).kind == "photo", timeout=20)
    photo = sandbox.last_to(CHAT)
    assert photo.content is not None
    assert photo.content.startswith(PNG_SIGNATURE)
    assert len(photo.content) > 20_000
    assert "4 places" in (photo.text or "")  # Grodno's story is older than 48 hours
    assert rendered_off_the_loop(render_log, "bot.ui.maps")


def test_outline_ships_with_the_package_and_names_every_neighbour() -> None:
    shape = maps.outline()
    assert 300 <= len(shape.points) <= 600
    assert {code for _, _, code in shape.points} >= {"ua", "pl", "lt", "lv", "ru"}
    lons = [lon for lon, _, _ in shape.points]
    lats = [lat for _, lat, _ in shape.points]
    assert 23.0 < min(lons) < 24.0 and 32.5 < max(lons) < 33.0
    assert 51.0 < min(lats) < 51.5 and 56.0 < max(lats) < 56.5
