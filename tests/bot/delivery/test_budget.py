"""The hourly budget of alerts per chat and source: counted, freed as the hour rolls on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.budget import HOUR, AlertBudget

NOW = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)


def test_a_source_gets_its_hour_and_the_next_slot_frees_an_hour_after_the_first() -> None:
    budget = AlertBudget(3)
    for minute in range(3):
        when = NOW + timedelta(minutes=minute)
        assert budget.next_slot(1, 7, when) is None
        budget.spend(1, 7, when)
    assert budget.next_slot(1, 7, NOW + timedelta(minutes=5)) == NOW + HOUR
    # Another source, another chat: budgets of their own.
    assert budget.next_slot(1, 8, NOW) is None
    assert budget.next_slot(2, 7, NOW) is None
    assert budget.next_slot(1, 7, NOW + HOUR) is None


def test_memory_holds_only_the_last_hour() -> None:
    budget = AlertBudget(2)
    for chat in range(5_000):
        budget.spend(chat, 1, NOW)
    assert len(budget) == 5_000
    later = NOW + HOUR + timedelta(seconds=1)
    for chat in range(5_000, 9_100):  # enough sends to sweep
        budget.spend(chat, 1, later)
    assert len(budget) <= 4_100


def test_a_budget_needs_room_for_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AlertBudget(0)
