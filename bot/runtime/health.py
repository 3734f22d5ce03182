"""Liveness and readiness: is the database reachable, and do the loops still come round?

Each long-running loop (the polling job, the outbox dispatcher) is registered with
`Heartbeats.expect` and calls `tick` every time it comes round; `check` then answers
ready only if the database answers a query and every loop ticked within `stall_after` of
now (and, if its task was given, the task is still running). A condition that is not a
loop (updates from Telegram stopped coming: `bot.runtime.updates`) is registered with
`Heartbeats.watch` and judged the same way. Time is the injectable clock's, so a test
moves it instead of waiting for a loop to look stalled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.runtime.clock import Clock

DB_TIMEOUT_S = 5.0  # a database that takes longer than this to answer SELECT 1 is not ready


@dataclass(slots=True)
class _Loop:
    last: datetime
    task: asyncio.Task[None] | None = None


@dataclass(frozen=True, slots=True)
class Readiness:
    """The answer of one readiness check: ready or not, why, and each check's own line."""

    ready: bool
    reason: str  # one line: "ready" or what is wrong
    checks: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """Return the JSON body /readyz answers with."""
        return {
            "status": "ready" if self.ready else "not ready",
            "reason": self.reason,
            "checks": self.checks,
        }


class Heartbeats:
    """When each registered loop last came round."""

    def __init__(self, clock: Clock, stall_after: timedelta) -> None:
        self._clock = clock
        self._stall_after = stall_after
        self._loops: dict[str, _Loop] = {}
        self._watched: dict[str, Callable[[], str | None]] = {}

    def expect(self, name: str, task: asyncio.Task[None] | None = None) -> None:
        """Register a loop (as ticked now); if `task` ends, the loop counts as stalled."""
        self._loops[name] = _Loop(self._clock.now(), task)

    def forget(self, name: str) -> None:
        """Stop expecting a loop (one that runs only at times: the sender's dispatcher)."""
        self._loops.pop(name, None)

    def watch(self, name: str, problem: Callable[[], str | None]) -> None:
        """Register a condition: `problem()` says what is wrong, or None when all is well."""
        self._watched[name] = problem

    def conditions(self) -> dict[str, str | None]:
        """Return {condition: what is wrong, or None when it is fine}."""
        return {name: problem() for name, problem in self._watched.items()}

    def tick(self, name: str) -> None:
        """Note that a loop came round; a loop never registered is ignored."""
        loop = self._loops.get(name)
        if loop is not None:
            loop.last = self._clock.now()

    def problems(self) -> dict[str, str | None]:
        """Return {loop: what is wrong with it, or None when it is fine}."""
        now = self._clock.now()
        found: dict[str, str | None] = {}
        for name, loop in self._loops.items():
            age = (now - loop.last).total_seconds()
            if loop.task is not None and loop.task.done():
                found[name] = "its task ended"
            elif age > self._stall_after.total_seconds():
                found[name] = f"no tick for {age:.0f} s"
            else:
                found[name] = None
        return found

    def ages(self) -> dict[str, float]:
        """Return {loop: seconds since it last came round}."""
        now = self._clock.now()
        return {name: (now - loop.last).total_seconds() for name, loop in self._loops.items()}


async def check(heartbeats: Heartbeats, ping: Callable[[], Awaitable[None]]) -> Readiness:
    """Check the database (with `ping`) and the loops; say what is wrong in one line."""
    checks: dict[str, str] = {}
    wrong: list[str] = []
    try:
        await asyncio.wait_for(ping(), DB_TIMEOUT_S)
    except TimeoutError:
        checks["database"] = f"no answer within {DB_TIMEOUT_S:.0f} s"
    except Exception as exc:  # noqa: BLE001 -- any failure to answer means not ready
        checks["database"] = f"{type(exc).__name__}: {exc}"[:200]
    else:
        checks["database"] = "ok"
    if checks["database"] != "ok":
        wrong.append(f"database: {checks['database']}")
    ages = heartbeats.ages()
    for name, problem in heartbeats.problems().items():
        if problem is None:
            checks[name] = f"ticked {ages[name]:.0f} s ago"
        else:
            checks[name] = problem
            wrong.append(f"{name}: {problem}")
    for name, problem in heartbeats.conditions().items():
        checks[name] = problem or "ok"
        if problem is not None:
            wrong.append(f"{name}: {problem}")
    if wrong:
        return Readiness(False, "; ".join(wrong), checks)
    return Readiness(True, "ready: " + "; ".join(f"{k} {v}" for k, v in checks.items()), checks)
