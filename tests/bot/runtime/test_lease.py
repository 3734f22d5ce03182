"""The sender lease between instances: gained, renewed, lost, taken over, refused by epoch.

Each "instance" is its own connection to one database file (two processes would have
nothing more between them than that file), with a manual clock for the lease's time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import SourceKind
from bot.runtime.clock import ManualClock
from bot.runtime.lease import LeaseTimings, SenderLease
from storage import Database, open_database
from storage.leases import LeaseLostError
from tests.helpers.outbox import LEASE, add_chats, add_story

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TIMINGS = LeaseTimings(timedelta(seconds=10))  # renew every 2.5 s, stop 2 s early


@pytest.fixture
async def pair(database_target: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two connections to one database: the two instances' own."""
    first = await open_database(database_target)
    second = await open_database(database_target)
    try:
        yield first, second
    finally:
        await second.close()
        await first.close()


class Events:
    """What an instance's lease told it, in order."""

    def __init__(self) -> None:
        self.said: list[str] = []

    async def gain(self) -> None:
        self.said.append("gain")

    async def loss(self) -> None:
        self.said.append("loss")


def keeper(db: Database, clock: ManualClock, name: str, events: Events) -> SenderLease:
    return SenderLease(
        db, clock, instance=name, timings=TIMINGS, on_gain=events.gain, on_loss=events.loss
    )


async def queue(db: Database, chats: int) -> None:
    await add_chats(db, range(1, chats + 1), START)
    story = await add_story(db, "a", START)
    await db.outbox.enqueue(story, range(1, chats + 1), priority=1, now=START)


async def test_a_lone_instance_holds_the_lease_at_once_and_renews_it(
    pair: tuple[Database, Database],
) -> None:
    db, _ = pair
    clock = ManualClock(START)
    events = Events()
    lease = keeper(db, clock, "a", events)
    assert await lease.step()
    assert events.said == ["gain"]
    assert lease.epoch == 1
    for _ in range(10):  # a minute of renewals keeps the same epoch and no new gain
        clock.advance(TIMINGS.renew)
        assert await lease.step()
    assert lease.epoch == 1
    assert events.said == ["gain"]
    stored = await db.leases.get()
    assert stored is not None
    assert stored.holder == "a"
    assert stored.expires_at == clock.now() + TIMINGS.ttl


async def test_only_the_holder_claims_outbox_rows(pair: tuple[Database, Database]) -> None:
    one, two = pair
    clock = ManualClock(START)
    await queue(one, 3)
    first, second = keeper(one, clock, "a", Events()), keeper(two, clock, "b", Events())
    assert await first.step()
    assert not await second.step()
    assert await two.outbox.claim(now=START, limit=10, lease=LEASE) == []
    with pytest.raises(LeaseLostError):
        await two.outbox.claim_digest(1, now=START, before=START, lease=LEASE)
    with pytest.raises(LeaseLostError):
        await two.outbox.claim_folded(1, now=START, lease=LEASE)
    claimed = await one.outbox.claim(now=START, limit=10, lease=LEASE)
    assert {row.chat_id for row in claimed} == {1, 2, 3}


async def test_a_standby_takes_over_after_expiry_and_frees_the_claimed_rows(
    pair: tuple[Database, Database],
) -> None:
    one, two = pair
    clock = ManualClock(START)
    await queue(one, 3)
    said_a, said_b = Events(), Events()
    first, second = keeper(one, clock, "a", said_a), keeper(two, clock, "b", said_b)
    assert await first.step()
    assert not await second.step()
    assert len(await one.outbox.claim(now=START, limit=2, lease=LEASE)) == 2
    # The holder dies (it steps no more). Its own deadline passes first, two seconds
    # before the stored expiry: it would have stopped sending by then.
    clock.advance(TIMINGS.ttl - TIMINGS.margin)
    assert not first.held
    assert await one.outbox.claim(now=clock.now(), limit=10, lease=LEASE) == []
    assert not await second.step()  # the stored lease has not run out yet
    clock.advance(TIMINGS.margin)
    assert await second.step()  # now it has: taken, at the next epoch
    assert second.epoch == 2
    assert said_b.said == ["gain"]
    # The two rows the dead holder had claimed were freed: the new holder takes all three
    # (their row leases had two minutes to run).
    claimed = await two.outbox.claim(now=clock.now(), limit=10, lease=LEASE)
    assert {row.chat_id for row in claimed} == {1, 2, 3}
    # The old holder comes back: refused, it is told it lost the lease.
    assert not await first.step()
    assert said_a.said == ["gain", "loss"]
    assert await one.outbox.claim(now=clock.now(), limit=10, lease=LEASE) == []


async def test_a_holder_whose_epoch_has_passed_claims_nothing(
    pair: tuple[Database, Database],
) -> None:
    # The old holder's clock lags the standby's by 12 s: by its own clock it still holds
    # the lease, but the stored epoch moved on, and every claim checks it.
    one, two = pair
    lagging, ahead = ManualClock(START), ManualClock(START + timedelta(seconds=12))
    await queue(one, 2)
    first, second = keeper(one, lagging, "a", Events()), keeper(two, ahead, "b", Events())
    assert await first.step()
    assert await second.step()
    assert (first.epoch, second.epoch) == (1, 2)
    assert first.held  # it thinks so
    assert await one.outbox.claim(now=START, limit=10, lease=LEASE) == []
    with pytest.raises(LeaseLostError):
        await one.outbox.claim_folded(1, now=START, lease=LEASE)
    assert len(await two.outbox.claim(now=START, limit=10, lease=LEASE)) == 2


async def test_a_clean_stop_hands_the_lease_over_at_once(pair: tuple[Database, Database]) -> None:
    one, two = pair
    clock = ManualClock(START)
    said_a = Events()
    first, second = keeper(one, clock, "a", said_a), keeper(two, clock, "b", Events())
    assert await first.step()
    await first.close()
    assert said_a.said == ["gain", "loss"]
    assert await second.step()  # no wait for the expiry
    assert second.epoch == 2


async def test_a_lease_not_renewed_in_time_stops_sending_before_its_expiry(
    pair: tuple[Database, Database],
) -> None:
    db, _ = pair
    clock = ManualClock(START)
    said = Events()
    lease = keeper(db, clock, "a", said)
    assert await lease.step()
    clock.advance(TIMINGS.ttl - TIMINGS.margin - timedelta(milliseconds=1))
    assert lease.held
    clock.advance(timedelta(milliseconds=1))
    assert not lease.held  # two seconds before anyone else may take it
    stored = await db.leases.get()
    assert stored is not None and stored.expires_at is not None
    assert stored.expires_at - clock.now() == TIMINGS.margin
    # Renewed late but before anyone took it: the same epoch, held again, but as a new
    # tenure (the rows whose sends were refused meanwhile are freed).
    assert await lease.step()
    assert lease.epoch == 1
    assert said.said == ["gain", "loss", "gain"]


async def test_sources_are_leased_to_one_instance_until_its_heartbeat_stops(
    pair: tuple[Database, Database],
) -> None:
    one, two = pair
    clock = ManualClock(START)
    for n in range(3):
        await one.sources.add(
            f"https://n{n}.example.org/feed", kind=SourceKind.RSS, name=f"n{n}", now=START
        )
    first, second = keeper(one, clock, "a", Events()), keeper(two, clock, "b", Events())
    await first.step()
    await second.step()
    taken = await one.sources.claim_due("a", now=clock.now())
    assert [source.name for source in taken] == ["n0", "n1", "n2"]
    assert await two.sources.claim_due("b", now=clock.now()) == []
    # To b, the sources a polls are due when a's heartbeat would run out.
    assert await two.sources.next_due(holder="b", now=clock.now()) == clock.now() + TIMINGS.ttl
    # a records one poll: that source is free, and due again at its next poll time.
    later = clock.now() + timedelta(minutes=5)
    await one.sources.record_success(
        taken[0].id, now=clock.now(), next_poll_at=later, etag=None, last_modified=None
    )
    # a dies; once its heartbeat runs out, b takes what a was polling, and nothing else.
    clock.advance(TIMINGS.ttl)
    await second.step()
    again = await two.sources.claim_due("b", now=clock.now())
    assert [source.name for source in again] == ["n1", "n2"]
    assert await one.leases.others_alive("a", now=clock.now())
    assert not await two.leases.others_alive("b", now=clock.now())
