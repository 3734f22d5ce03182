"""The per-user command budget: a short token bucket, then one "slow down", then quiet.

Each user may send `burst` updates at once and `per_second` more every second after
that. The first update past the budget gets one "slow down" (the caller sends it) and the
user is then ignored for `mute` seconds, silently: their updates cost a dictionary lookup
each, no handler, no reply and no log line. The flood is logged once when it starts, and
how much was ignored once when the user is heard again.

Pure: times are plain seconds on any clock the caller reads (the application's
injectable one).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

log = logging.getLogger(__name__)

# Buckets are forgotten once full again; the sweep runs every this many charges.
_SWEEP_EVERY = 1024


class Verdict(Enum):
    """What to do with one update of a user."""

    ADMIT = "admit"
    WARN = "warn"  # the first one past the budget: say "slow down", run nothing
    IGNORE = "ignore"  # muted: drop it without a word


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float  # when `tokens` was last brought up to date
    muted_until: float = float("-inf")
    ignored: int = 0  # updates dropped during the current or last mute


class CommandBudget:
    """Tokens per user; `charge` spends one per update."""

    def __init__(self, *, burst: int, per_second: float, mute: float) -> None:
        if burst < 1 or per_second <= 0 or mute < 0:
            raise ValueError("a command budget needs burst >= 1, a positive rate, mute >= 0")
        self._burst = float(burst)
        self._rate = per_second
        self._mute = mute
        self._buckets: dict[int, _Bucket] = {}
        self._charges = 0

    def charge(self, user_id: int, now: float) -> Verdict:
        """Spend one of a user's tokens on an update and say what to do with it."""
        self._charges += 1
        if self._charges % _SWEEP_EVERY == 0:
            self._sweep(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self._burst, now)
        if now < bucket.muted_until:
            bucket.ignored += 1
            return Verdict.IGNORE
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate)
        bucket.at = now
        if bucket.ignored:
            log.info("user %d is heard again; %d updates were ignored", user_id, bucket.ignored)
            bucket.ignored = 0
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ADMIT
        bucket.muted_until = now + self._mute
        log.warning(
            "user %d sends faster than %d at once and %.2f a second; ignoring them for %.0f s",
            user_id,
            int(self._burst),
            self._rate,
            self._mute,
        )
        return Verdict.WARN

    def _sweep(self, now: float) -> None:
        """Forget the users whose bucket has filled up again and who are not muted (any more)."""
        full_after = self._burst / self._rate
        for user_id in [
            user_id
            for user_id, bucket in self._buckets.items()
            if now >= bucket.muted_until and now - bucket.at >= full_after
        ]:
            del self._buckets[user_id]

    def __len__(self) -> int:
        return len(self._buckets)
