"""Composing: a claimed row becomes the message its chat asked for, or waits, on a real outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery.compose import Composer
from bot.delivery.sender import SendOptions
from bot.delivery.split import utf16_units
from bot.matching import load_catalog
from bot.models import Delivery, DeliveryChange, QuietMode
from bot.runtime.clock import ManualClock
from bot.ui.texts import alert_buttons
from sandbox.telegram_html import parse_telegram_html
from storage import Database, open_database
from tests.helpers.outbox import LEASE, add_chats, add_empty_story, add_story, claim_one


@pytest.fixture
async def db(database_target: Path | str) -> AsyncIterator[Database]:
    """A fresh outbox in a SQLite file."""
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def composer(db: Database, clock: ManualClock) -> Composer:
    """The composer under test, with the shipped catalog."""
    return Composer(db, load_catalog(), clock, lease=LEASE)


async def test_an_alert_goes_now_with_the_chats_choices(
    db: Database, clock: ManualClock, composer: Composer
) -> None:
    await add_chats(db, [-7], clock.now())
    await db.chats.update_prefs(-7, DeliveryChange(link_previews=True, thread_id=12))
    await db.outbox.enqueue(
        await add_story(db, "a", clock.now()), [-7], priority=2, now=clock.now()
    )
    row = await claim_one(db, clock.now(), -7)

    composed = await composer.send(row, paid=True)

    message = composed.message
    assert message is not None
    assert (composed.hold_until, composed.missing) == (None, ())
    assert message.rows == (row,)
    buttons = alert_buttons("en", row.story_id, flagged=False)
    assert message.options == SendOptions(previews=True, thread_id=12, paid=True, buttons=buttons)
    assert message.parts == (message.html,)
    assert message.html.startswith("<b>🎯 Drills</b>\nDrills a near the border.")
    assert not message.in_digest


async def test_a_long_alert_is_split_and_its_plain_form_keeps_where_it_goes(
    db: Database, clock: ManualClock, composer: Composer
) -> None:
    await add_chats(db, [-7], clock.now())
    await db.chats.update_prefs(-7, DeliveryChange(link_previews=True, thread_id=12))
    long = "A column a < b & c moved. " * 300
    story = await add_story(db, "long", clock.now(), summary=long)
    await db.outbox.enqueue(story, [-7], priority=0, now=clock.now())

    message = (await composer.send(await claim_one(db, clock.now(), -7), paid=False)).message

    assert message is not None
    assert len(message.parts) > 1
    assert all(parse_telegram_html(part).length <= 4096 for part in message.parts)
    plain = message.as_plain()
    # Without markup and without previews (Telegram refused the HTML), still in its topic
    # and with its buttons.
    buttons = alert_buttons("en", story, flagged=False)
    assert plain.options == SendOptions(html=False, thread_id=12, buttons=buttons)
    assert all("<b>" not in part and "&amp;" not in part for part in plain.parts)
    assert "A column a < b & c moved." in plain.parts[1]
    assert all(utf16_units(part) <= 4096 for part in plain.parts)
    assert plain.rows == message.rows


@pytest.mark.parametrize("mode", [QuietMode.HOLD, QuietMode.SILENT])
async def test_quiet_hours_hold_a_row_or_send_it_silently(
    db: Database, clock: ManualClock, composer: Composer, mode: QuietMode
) -> None:
    await add_chats(db, [1], clock.now())
    await db.chats.update_prefs(1, DeliveryChange(quiet_start=10, quiet_end=14, quiet_mode=mode))
    await db.outbox.enqueue(await add_story(db, "a", clock.now()), [1], priority=0, now=clock.now())

    composed = await composer.send(await claim_one(db, clock.now(), 1), paid=False)

    if mode is QuietMode.HOLD:
        assert composed.message is None
        assert composed.hold_until == datetime(2022, 10, 12, 14, 0, tzinfo=UTC)
    else:
        assert composed.message is not None
        assert composed.message.options.silent


async def test_a_digest_waits_for_its_hour_then_gathers_the_rows_before_it(
    db: Database, clock: ManualClock, composer: Composer
) -> None:
    await add_chats(db, [1], clock.now())
    await db.chats.update_prefs(1, DeliveryChange(delivery=Delivery.DAILY, digest_hour=8))
    stories = [await add_story(db, key, clock.now()) for key in "abc"]
    gone = await add_empty_story(db, clock.now())
    for story in [*stories, gone]:
        await db.outbox.enqueue(story, [1], priority=0, now=clock.now())

    held = await composer.send(await claim_one(db, clock.now(), 1), paid=False)
    assert held.hold_until == datetime(2022, 10, 13, 8, 0, tzinfo=UTC)

    clock.advance(timedelta(days=1))
    composed = await composer.send(await claim_one(db, clock.now(), 1), paid=False)

    message = composed.message
    assert message is not None
    assert message.in_digest
    assert [row.story_id for row in message.rows] == stories
    assert [row.story_id for row in composed.missing] == [gone]  # nothing to show for it
    assert message.html.startswith("<b>Digest: 3 stories</b>")
    assert message.options.buttons == ()  # many stories in one message: no buttons


async def test_a_row_whose_story_is_gone_has_no_message(
    db: Database, clock: ManualClock, composer: Composer
) -> None:
    await add_chats(db, [1], clock.now())
    await db.outbox.enqueue(
        await add_empty_story(db, clock.now()), [1], priority=0, now=clock.now()
    )
    row = await claim_one(db, clock.now(), 1)

    composed = await composer.send(row, paid=False)

    assert composed.message is None
    assert composed.missing == (row,)


async def test_an_edit_carries_the_first_part_of_the_new_text(
    db: Database, clock: ManualClock, composer: Composer
) -> None:
    await add_chats(db, [1], clock.now())
    await db.chats.update_prefs(1, DeliveryChange(link_previews=True, thread_id=12))
    story = await add_story(db, "long", clock.now(), summary="A column moved. " * 400)
    await db.outbox.enqueue(story, [1], priority=0, now=clock.now())
    row = await claim_one(db, clock.now(), 1)
    whole = (await composer.send(row, paid=False)).message
    assert whole is not None

    edit = await composer.edit(row)

    assert edit is not None
    assert edit.parts == (whole.parts[0],)
    # An edit stays where the message is, and keeps its buttons as the chat left them.
    assert edit.options == SendOptions(previews=True, buttons=whole.options.buttons)
    report = await db.feedback.report(story)
    assert report is not None
    await db.feedback.flag(report, chat_id=1, user_id=1, now=clock.now())
    flagged = await composer.edit(row)
    assert flagged is not None
    assert flagged.options.buttons == alert_buttons("en", story, flagged=True)
    await db.execute("DELETE FROM events WHERE story_id = ?", (story,))
    assert await composer.edit(row) is None
