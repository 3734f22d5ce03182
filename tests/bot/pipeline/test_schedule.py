"""Polling arithmetic: spread slots, server hints within bounds, backoff with jitter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.pipeline import schedule

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)


def test_slots_spread_sources_across_the_interval() -> None:
    interval = 300.0
    slots = [schedule.next_slot(NOW, interval, sid, minimum=60) for sid in range(1, 501)]
    delays = [(slot - NOW).total_seconds() for slot in slots]
    assert all(interval / 2 <= d < 1.5 * interval for d in delays)
    # 500 sources over a 300 s window: no 10-second bucket holds more than a small share.
    buckets: dict[int, int] = {}
    for slot in slots:
        bucket = int(slot.timestamp()) // 10
        buckets[bucket] = buckets.get(bucket, 0) + 1
    assert len(buckets) >= 25
    assert max(buckets.values()) < 50


def test_a_source_keeps_its_slot() -> None:
    first = schedule.next_slot(NOW, 300, 7, minimum=60)
    # Polled a little late (the cycle runs every 30 s), it comes back to the same grid.
    again = schedule.next_slot(first + timedelta(seconds=20), 300, 7, minimum=60)
    assert again - first == timedelta(seconds=300)
    exact = schedule.next_slot(first, 300, 7, minimum=60)
    assert exact - first == timedelta(seconds=300)


def test_slot_never_below_minimum() -> None:
    for sid in range(50):
        slot = schedule.next_slot(NOW, 60, sid, minimum=60)
        assert (slot - NOW).total_seconds() >= 60


def test_polite_interval_bounds() -> None:
    assert schedule.polite_interval(300, minimum=60, maximum=86400) == 300
    assert schedule.polite_interval(300, minimum=60, maximum=86400, max_age=1800) == 1800
    assert schedule.polite_interval(300, minimum=60, maximum=86400, max_age=10) == 300
    assert schedule.polite_interval(300, minimum=60, maximum=86400, ttl_minutes=90) == 5400
    assert schedule.polite_interval(300, minimum=60, maximum=86400, max_age=10**9) == 86400
    assert schedule.polite_interval(5, minimum=60, maximum=86400) == 60


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("max-age=600", 600.0),
        ("public, max-age=120, must-revalidate", 120.0),
        ('MAX-AGE="30"', 30.0),
        ("s-maxage=50", None),
        ("no-cache", None),
        (None, None),
    ],
)
def test_parse_max_age(header: str | None, seconds: float | None) -> None:
    assert schedule.parse_max_age(header) == seconds


def test_parse_retry_after() -> None:
    assert schedule.parse_retry_after("120", NOW) == 120.0
    assert schedule.parse_retry_after("Wed, 12 Oct 2022 12:30:00 GMT", NOW) == 1800.0
    assert schedule.parse_retry_after("Wed, 12 Oct 2022 11:00:00 GMT", NOW) == 0.0
    assert schedule.parse_retry_after("soon", NOW) is None
    assert schedule.parse_retry_after(None, NOW) is None


def test_error_delay_doubles_with_jitter_and_bounds() -> None:
    def at(value: float) -> Callable[[], float]:
        return lambda: value

    low = [
        schedule.error_delay(300, n, minimum=60, maximum=86400, rand=at(0.0)).total_seconds()
        for n in range(1, 6)
    ]
    assert low == [150, 300, 600, 1200, 2400]
    high = schedule.error_delay(300, 1, minimum=60, maximum=86400, rand=at(0.999))
    assert 449 < high.total_seconds() < 450
    capped = schedule.error_delay(300, 40, minimum=60, maximum=86400, rand=at(0.5))
    assert capped == timedelta(seconds=schedule.MAX_BACKOFF)
    floor = schedule.error_delay(60, 1, minimum=60, maximum=86400, rand=at(0.0))
    assert floor == timedelta(seconds=60)
    waited = schedule.error_delay(60, 1, minimum=60, maximum=86400, rand=at(0.0), retry_after=900)
    assert waited == timedelta(seconds=900)
    ceiling = schedule.error_delay(
        60, 1, minimum=60, maximum=86400, rand=at(0.0), retry_after=10**7
    )
    assert ceiling == timedelta(seconds=86400)


def test_stable_fraction_is_stable() -> None:
    assert schedule.stable_fraction(5) == schedule.stable_fraction(5)
    assert 0 <= schedule.stable_fraction(5) < 1
    assert schedule.stable_fraction(5) != schedule.stable_fraction(6)


def test_a_poll_a_moment_late_keeps_its_next_slot() -> None:
    due = schedule.next_slot(NOW, 60, 7, minimum=60)
    late = due + timedelta(seconds=2)
    assert schedule.next_slot(late, 60, 7, minimum=60, due=due) == due + timedelta(seconds=60)
    # Without the slot it was due at, "a minute ahead" counts from now: a period is lost.
    assert schedule.next_slot(late, 60, 7, minimum=60) == due + timedelta(seconds=120)
    # Much later than its slot (a slow server), it counts from now again.
    very_late = due + timedelta(seconds=30)
    assert schedule.next_slot(very_late, 60, 7, minimum=60, due=due) == due + timedelta(seconds=120)
