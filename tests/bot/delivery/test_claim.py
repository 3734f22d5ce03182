"""The claim loop: due rows get a task each, one per chat at a time, and `drain` returns.

A real outbox in SQLite and the test's manual clock; the handler stands where the
dispatcher's composing and sending would be, and sends through the admission it is given.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery.admission import Admission
from bot.delivery.claim import LOOKAHEAD_S, ClaimLoop
from bot.delivery.pacer import ClockTimer, Limits, PaceState
from bot.delivery.sender import SendResult, SendStatus
from bot.delivery.types import DeliveryConfig, DrainReport, Job
from bot.runtime.clock import ManualClock
from storage import Database, open_database
from tests.helpers.outbox import LEASE, add_chats, add_story, sent_then_grown, statuses


@pytest.fixture
async def db(database_target: Path | str) -> AsyncIterator[Database]:
    """A fresh outbox in a SQLite file."""
    database = await open_database(database_target)
    try:
        yield database
    finally:
        await database.close()


class Handler:
    """Sends each claimed row through the admission and marks it sent, noting what it saw."""

    def __init__(self, db: Database, clock: ManualClock) -> None:
        self._db = db
        self._clock = clock
        self.on_its_way: set[int] = set()
        self.overlaps: list[int] = []  # chats that had two rows on their way at once
        self.seen: list[tuple[int, bool, float]] = []  # (chat, paid, when sent)

    async def __call__(self, job: Job, admission: Admission, report: DrainReport) -> None:
        """Deliver one row."""
        chat = job.row.chat_id
        if chat in self.on_its_way:
            self.overlaps.append(chat)
        self.on_its_way.add(chat)
        try:

            async def request() -> SendResult:
                self.seen.append((chat, job.paid, self._clock.now().timestamp()))
                return SendResult(SendStatus.SENT, message_id=len(self.seen))

            result = await admission.send(job, request)
            if job.row.edit_of is None:
                await self._db.outbox.mark_sent(
                    job.row.id, message_id=result.message_id or 0, now=self._clock.now()
                )
                report.sent += 1
            else:
                await self._db.outbox.mark_edited(job.row.id, now=self._clock.now())
                report.edited += 1
        finally:
            self.on_its_way.discard(chat)


def loop_for(
    db: Database,
    clock: ManualClock,
    handler: Handler,
    *,
    pace: PaceState | None = None,
    config: DeliveryConfig | None = None,
) -> ClaimLoop:
    """A claim loop on the simulated clock."""
    config = config or DeliveryConfig()
    return ClaimLoop(
        db,
        clock,
        ClockTimer(clock),
        pace or PaceState(config.limits),
        config=config,
        handle=handler,
    )


async def test_a_chat_has_one_row_on_its_way_at_a_time(db: Database, clock: ManualClock) -> None:
    await add_chats(db, range(1, 6), clock.now())
    for key in "abc":  # a backlog for chat 1
        await db.outbox.enqueue(
            await add_story(db, key, clock.now()), [1], priority=0, now=clock.now()
        )
    news = await add_story(db, "news", clock.now())
    await db.outbox.enqueue(news, range(1, 6), priority=0, now=clock.now())
    handler = Handler(db, clock)
    start = clock.now().timestamp()

    report = await loop_for(db, clock, handler).drain()

    assert report.sent == 8
    assert handler.overlaps == []
    assert set((await statuses(db)).values()) == {"sent"}
    # Chat 1's four rows went one after another, each its gap after the one before.
    mine = [at - start for chat, _, at in handler.seen if chat == 1]
    assert len(mine) == 4
    assert all(b - a >= Limits().chat_gap(1) - 1e-5 for a, b in itertools.pairwise(mine))


async def test_drain_returns_at_once_when_nothing_is_due(db: Database, clock: ManualClock) -> None:
    await add_chats(db, [1], clock.now())
    await db.outbox.enqueue(await add_story(db, "a", clock.now()), [1], priority=0, now=clock.now())
    (row,) = await db.outbox.claim(now=clock.now(), limit=1, lease=timedelta(minutes=2))
    await db.outbox.retry_at(row.id, not_before=clock.now() + timedelta(hours=1), error="")
    handler = Handler(db, clock)
    start = clock.now()

    report = await loop_for(db, clock, handler).drain()

    assert report == DrainReport()
    assert handler.seen == []
    assert clock.now() == start


async def test_paid_broadcast_carries_urgent_sends_but_never_edits(
    db: Database, clock: ManualClock
) -> None:
    await add_chats(db, [1, 2, 3], clock.now())
    urgent = await add_story(db, "urgent", clock.now())
    await db.outbox.enqueue(urgent, [1, 3], priority=2, now=clock.now())
    await db.outbox.enqueue(
        await add_story(db, "routine", clock.now()), [2], priority=0, now=clock.now()
    )
    edit = await sent_then_grown(db, clock.now(), 3, 301)
    await db.outbox.retry_at(edit.id, not_before=clock.now(), error="")  # claimable again
    handler = Handler(db, clock)

    report = await loop_for(db, clock, handler, config=DeliveryConfig(paid_broadcast=True)).drain()

    assert (report.sent, report.edited) == (2, 1)
    assert sorted((chat, paid) for chat, paid, _ in handler.seen) == [
        (1, True),
        (2, False),
        (3, False),
    ]


async def test_a_chat_paused_for_long_is_claimed_when_its_pause_ends(
    db: Database, clock: ManualClock
) -> None:
    await add_chats(db, [1, 2], clock.now())
    await db.outbox.enqueue(
        await add_story(db, "a", clock.now()), [1, 2], priority=0, now=clock.now()
    )
    pace = PaceState(Limits())
    start = clock.now().timestamp()
    pace.started(1, start)
    pace.answered(1, start, retry_after=LOOKAHEAD_S * 6)  # a 429 for chat 1 alone
    handler = Handler(db, clock)

    report = await loop_for(db, clock, handler, pace=pace).drain()

    assert report.sent == 2
    when = {chat: at - start for chat, _, at in handler.seen}
    assert when[2] < 1.0  # the others carry on
    assert when[1] >= LOOKAHEAD_S * 6


async def test_a_new_alert_reaches_chats_that_had_the_last_one_without_waiting(
    db: Database,
) -> None:
    now = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)
    await add_chats(db, range(1, 51), now)
    first, second = await add_story(db, "first", now), await add_story(db, "second", now)
    await db.outbox.enqueue(first, range(1, 51), priority=0, now=now)
    for row in await db.outbox.claim(now=now, limit=5, lease=LEASE):  # five chats had it
        await db.outbox.mark_sent(row.id, message_id=row.id, now=now)
    later = now + timedelta(seconds=5)
    await db.outbox.enqueue(second, range(1, 51), priority=0, now=later)
    rows = await db.outbox.claim(now=later, limit=6, lease=LEASE)
    # The two fan-outs take turns: the new alert goes to the chats that already had the
    # first one at once, instead of after the 45 chats still waiting for the first.
    assert [row.story_id for row in rows].count(second) == 3
    assert {row.chat_id for row in rows if row.story_id == second} <= set(range(1, 6))
    assert [row.story_id for row in rows].count(first) == 3
