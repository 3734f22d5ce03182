"""The outcome handler: one answer means the same for a send and an edit, on a real outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery.outcome import Outcome, retry_delay
from bot.delivery.pacer import Limits, PaceState
from bot.delivery.sender import SendResult, SendStatus
from bot.delivery.types import DrainReport
from bot.runtime.clock import ManualClock
from storage import Database, open_database
from tests.helpers.outbox import (
    LEASE,
    add_chats,
    add_empty_story,
    add_story,
    claim_one,
    sent_then_grown,
    statuses,
)

MAX_AGE = timedelta(hours=24)


@pytest.fixture
async def db(database_target: Path | str) -> AsyncIterator[Database]:
    """A fresh outbox in a SQLite file."""
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def pace() -> PaceState:
    """The pacer's state the handler tells about chats that are gone."""
    return PaceState(Limits())


@pytest.fixture
def outcome(db: Database, clock: ManualClock, pace: PaceState) -> Outcome:
    """The handler under test."""
    return Outcome(db, clock, pace, max_age=MAX_AGE)


async def test_a_sent_row_is_marked_with_its_message(
    db: Database, clock: ManualClock, outcome: Outcome
) -> None:
    await add_chats(db, [1], clock.now())
    await db.outbox.enqueue(await add_story(db, "a", clock.now()), [1], priority=0, now=clock.now())
    row = await claim_one(db, clock.now(), 1)
    report = DrainReport()

    await outcome.record(row, SendResult(SendStatus.SENT, message_id=501), report)

    assert (report.sent, report.edited) == (1, 0)
    assert await statuses(db) == {row.id: "sent"}
    # The message id is kept: a grown story edits this very message.
    assert await db.outbox.request_edits(row.story_id, now=clock.now()) == 1


async def test_flood_control_is_waited_out_however_old_the_alert(
    db: Database, clock: ManualClock, outcome: Outcome
) -> None:
    await add_chats(db, [1, 2], clock.now())
    await db.outbox.enqueue(await add_story(db, "a", clock.now()), [1], priority=0, now=clock.now())
    clock.advance(MAX_AGE * 2)
    row = await claim_one(db, clock.now(), 1)
    report = DrainReport()

    await outcome.record(row, SendResult(SendStatus.RETRY, retry_after=30.0), report)

    assert report.retried == 1
    assert await statuses(db) == {row.id: "pending"}
    assert await db.outbox.next_due() == clock.now() + timedelta(seconds=30)


async def test_a_transient_error_backs_off_then_gives_up_on_an_old_alert(
    db: Database, clock: ManualClock, outcome: Outcome
) -> None:
    await add_chats(db, [1], clock.now())
    await db.outbox.enqueue(await add_story(db, "a", clock.now()), [1], priority=0, now=clock.now())
    row = await claim_one(db, clock.now(), 1)
    report = DrainReport()
    bad_gateway = SendResult(SendStatus.RETRY, error="Bad Gateway")

    await outcome.record(row, bad_gateway, report)
    assert await db.outbox.next_due() == clock.now() + retry_delay(row.attempts)

    clock.advance(MAX_AGE + timedelta(seconds=1))
    await outcome.record(await claim_one(db, clock.now(), 1), bad_gateway, report)
    assert (report.retried, report.failed) == (1, 1)
    assert await statuses(db) == {row.id: "failed"}


async def test_an_edit_is_recorded_as_edited_and_a_refused_one_left_as_it_was(
    db: Database, clock: ManualClock, outcome: Outcome
) -> None:
    await add_chats(db, [1, 2], clock.now())
    await db.outbox.enqueue(
        await add_story(db, "a", clock.now()), [1, 2], priority=0, now=clock.now()
    )
    edited = await sent_then_grown(db, clock.now(), 1, 501)
    refused = await sent_then_grown(db, clock.now(), 2, 502)
    report = DrainReport()

    await outcome.record(edited, SendResult(SendStatus.SENT, message_id=501), report)
    await outcome.record(refused, SendResult(SendStatus.FAILED, error="message to edit"), report)

    # A refused edit is not a failed alert: the message stays as first sent.
    assert (report.edited, report.failed, report.sent) == (1, 0, 0)
    assert await statuses(db) == {edited.id: "sent", refused.id: "sent"}
    assert await db.outbox.due_count(now=clock.now()) == 0


@pytest.mark.parametrize("edit", [False, True], ids=["send", "edit"])
async def test_a_blocked_chat_is_deactivated_whichever_request_met_it(
    db: Database, clock: ManualClock, outcome: Outcome, pace: PaceState, *, edit: bool
) -> None:
    await add_chats(db, [1], clock.now())
    await db.chats.subscribe(1, "drills", now=clock.now())
    for key in "abc":
        story = await add_story(db, key, clock.now())
        await db.outbox.enqueue(story, [1], priority=0, now=clock.now())
    row = await (
        sent_then_grown(db, clock.now(), 1, 501) if edit else claim_one(db, clock.now(), 1)
    )
    pace.started(1, 0.0)
    pace.answered(1, 0.1, retry_after=60)
    report = DrainReport()

    await outcome.record(row, SendResult(SendStatus.BLOCKED, error="Forbidden"), report)

    assert report.blocked == 1
    chat = await db.chats.get(1)
    assert chat is not None
    assert not chat.active
    assert await db.chats.subscribers(["drills"]) == []
    expected = {"sent": 1, "cancelled": 2} if edit else {"failed": 1, "cancelled": 2}
    assert await db.outbox.counts() == expected
    assert pace.paused_chats(0.2, 0.0) == set()  # the pacer forgot the chat


async def test_a_send_follows_a_migrated_group_and_an_edit_does_not(
    db: Database, clock: ManualClock, outcome: Outcome
) -> None:
    await add_chats(db, [-5, -6], clock.now())
    await db.outbox.enqueue(
        await add_story(db, "a", clock.now()), [-5, -6], priority=0, now=clock.now()
    )
    send = await claim_one(db, clock.now(), -5)
    edit = await sent_then_grown(db, clock.now(), -6, 601)
    moved = SendResult(SendStatus.MIGRATED, migrate_to=-1005, error="migrated")
    report = DrainReport()

    await outcome.record(send, moved, report)
    await outcome.record(edit, SendResult(SendStatus.MIGRATED, migrate_to=-1006), report)

    assert report.migrated == 1
    claimed = await db.outbox.claim(now=clock.now(), limit=10, lease=LEASE)
    assert [(row.id, row.chat_id) for row in claimed] == [(send.id, -1005)]
    old = await db.chats.get(-6)
    assert old is not None
    assert old.active  # the edit's chat was not followed
    assert await statuses(db) == {send.id: "pending", edit.id: "sent"}


async def test_rows_without_events_fail_a_send_and_settle_an_edit(
    db: Database, clock: ManualClock, outcome: Outcome
) -> None:
    await add_chats(db, [1, 2], clock.now())
    await db.outbox.enqueue(
        await add_empty_story(db, clock.now()), [1], priority=0, now=clock.now()
    )
    await db.outbox.enqueue(await add_story(db, "a", clock.now()), [2], priority=0, now=clock.now())
    send = await claim_one(db, clock.now(), 1)
    edit = await sent_then_grown(db, clock.now(), 2, 701)
    report = DrainReport()

    await outcome.missing(send, report)
    await outcome.missing(edit, report)

    assert report.failed == 1
    assert await statuses(db) == {send.id: "failed", edit.id: "sent"}
    assert await db.outbox.due_count(now=clock.now()) == 0


async def test_held_and_crashed_rows_go_back_for_later(
    db: Database, clock: ManualClock, outcome: Outcome
) -> None:
    await add_chats(db, [1, 2], clock.now())
    await db.outbox.enqueue(
        await add_story(db, "a", clock.now()), [1, 2], priority=0, now=clock.now()
    )
    held = await claim_one(db, clock.now(), 1)
    crashed = await claim_one(db, clock.now(), 2)
    report = DrainReport()

    await outcome.held(held, clock.now() + timedelta(hours=3), report)
    await outcome.crashed(crashed, report)

    assert (report.held, report.retried) == (1, 1)
    assert await statuses(db) == {held.id: "pending", crashed.id: "pending"}
    assert await db.outbox.next_due() == clock.now() + retry_delay(crashed.attempts)
