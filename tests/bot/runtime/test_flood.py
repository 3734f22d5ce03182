"""The per-user command budget: a burst, a steady rate, one warning, then quiet."""

from __future__ import annotations

import pytest

from bot.runtime.flood import CommandBudget, Verdict


def test_a_burst_then_one_warning_then_quiet_until_the_mute_ends() -> None:
    budget = CommandBudget(burst=3, per_second=1.0, mute=60.0)
    verdicts = [budget.charge(7, 0.0) for _ in range(6)]
    assert verdicts == [Verdict.ADMIT] * 3 + [Verdict.WARN] + [Verdict.IGNORE] * 2
    assert budget.charge(7, 59.0) is Verdict.IGNORE
    assert budget.charge(8, 59.0) is Verdict.ADMIT  # others have their own budget
    assert budget.charge(7, 61.0) is Verdict.ADMIT  # heard again, the bucket refilled


def test_a_steady_user_within_the_rate_is_never_stopped() -> None:
    budget = CommandBudget(burst=3, per_second=0.5, mute=60.0)
    assert all(budget.charge(7, 2.0 * n) is Verdict.ADMIT for n in range(1_000))


def test_full_buckets_are_forgotten() -> None:
    budget = CommandBudget(burst=2, per_second=1.0, mute=10.0)
    for user in range(5_000):
        budget.charge(user, float(user) / 1_000)
    assert len(budget) < 5_000  # swept as it goes: a full bucket needs no memory


@pytest.mark.parametrize(("burst", "rate", "mute"), [(0, 1.0, 1.0), (1, 0.0, 1.0), (1, 1.0, -1.0)])
def test_a_budget_that_cannot_work_is_refused(burst: int, rate: float, mute: float) -> None:
    with pytest.raises(ValueError, match="command budget"):
        CommandBudget(burst=burst, per_second=rate, mute=mute)
