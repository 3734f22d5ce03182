"""Source leases with a limit: instances claiming a few due sources each share them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import SourceKind
from storage import Database, open_database

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=10)


@pytest.fixture
async def pair(database_target: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two connections to one database, as two instances have, both alive."""
    first = await open_database(database_target)
    second = await open_database(database_target)
    try:
        await first.leases.heartbeat("a", now=NOW, ttl=TTL)
        await second.leases.heartbeat("b", now=NOW, ttl=TTL)
        yield first, second
    finally:
        await second.close()
        await first.close()


async def add(db: Database, count: int) -> list[int]:
    """Add sources due one minute apart, the first due longest ago; return their ids."""
    ids = []
    for n in range(count):
        source = await db.sources.add(
            f"https://n{n}.example.org/feed",
            kind=SourceKind.RSS,
            name=f"n{n}",
            now=NOW,
            next_poll_at=NOW - timedelta(minutes=count - n),
        )
        ids.append(source.id)
    return ids


async def test_holders_claiming_with_a_limit_get_the_longest_due_and_disjoint_sets(
    pair: tuple[Database, Database],
) -> None:
    one, two = pair
    ids = await add(one, 6)
    # Never polled (no next poll time): due before all others, on both databases.
    await one.execute("UPDATE sources SET next_poll_at = NULL WHERE id = ?", (ids[5],))
    await one.execute(
        "UPDATE sources SET next_poll_at = ? WHERE id = ?",
        ((NOW + timedelta(hours=1)).timestamp(), ids[4]),
    )  # not due
    first = await one.sources.claim_due("a", now=NOW, limit=2)
    assert [source.id for source in first] == sorted([ids[5], ids[0]])
    second = await two.sources.claim_due("b", now=NOW, limit=2)
    assert [source.id for source in second] == [ids[1], ids[2]]
    assert await one.sources.claim_due("a", now=NOW, limit=0) == []
    rest = await one.sources.claim_due("a", now=NOW, exclude=[s.id for s in first], limit=5)
    assert [source.id for source in rest] == [ids[3]]  # the not-due one stays
    # What each holds is the other's to leave alone (and its own to exclude).
    assert await two.sources.claim_due("b", now=NOW, exclude=[s.id for s in second]) == []


async def test_holders_claiming_at_once_never_get_the_same_source(
    pair: tuple[Database, Database],
) -> None:
    one, two = pair
    ids = await add(one, 20)
    taken: dict[str, list[int]] = {"a": [], "b": []}

    async def claim(db: Database, holder: str) -> None:
        while batch := await db.sources.claim_due(holder, now=NOW, exclude=taken[holder], limit=3):
            taken[holder] += [source.id for source in batch]

    await asyncio.gather(claim(one, "a"), claim(two, "b"))
    assert not set(taken["a"]) & set(taken["b"])
    assert sorted(taken["a"] + taken["b"]) == ids
