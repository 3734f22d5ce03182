"""Is the bot still hearing its users? The record of getUpdates answers, and the verdict.

A bot whose update loop stopped keeps sending alerts while it never reads a command again;
nothing else shows it. `UpdatesHealth` notes when getUpdates last answered and when any
other call to Telegram last did (`bot.delivery.sender` tells it), and calls the bot deaf
when the first is older than `deaf_after` while the second is recent: Telegram answers,
only the updates do not come. `check` says so once at ERROR (and once when it hears
again); `problem` is what /readyz says while it lasts (`bot.runtime.health`), and
`last_updates_ok` the time a probe can read.

Times are the injectable clock's, so tests move them by hand.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.runtime.clock import Clock

log = logging.getLogger(__name__)


class UpdatesHealth:
    """When getUpdates and the other calls last got an answer; whether the bot is deaf."""

    def __init__(self, clock: Clock, *, deaf_after: timedelta) -> None:
        self._clock = clock
        self._deaf_after = deaf_after
        self._since = clock.now()  # the start counts as the last time all was well
        self.last_updates_ok: datetime | None = None  # the last getUpdates that answered 200
        self.last_other_ok: datetime | None = None  # the last answer to any other call
        self.last_failure: str | None = None  # why the last getUpdates failed, if it did
        self._said_deaf = False
        self.listening = True  # False on an instance that leaves reading updates to another

    def listen(self, on: bool) -> None:
        """Say whether this instance reads updates at all (only the sender-lease holder does).

        An instance that does not read them is not deaf; one that starts to is given
        `deaf_after` from then.
        """
        if on and not self.listening:
            self._since = self._clock.now()
            self.last_updates_ok = None
        self.listening = on

    def updates_ok(self) -> None:
        """Note a getUpdates that Telegram answered."""
        self.last_updates_ok = self._clock.now()
        self.last_failure = None

    def updates_failed(self, reason: str) -> None:
        """Note a getUpdates that failed (an error answer or no answer)."""
        self.last_failure = reason

    def other_ok(self) -> None:
        """Note that Telegram answered some other call."""
        self.last_other_ok = self._clock.now()

    def deaf(self, now: datetime | None = None) -> bool:
        """Tell whether updates stopped coming for `deaf_after` while Telegram answers."""
        if not self.listening:
            return False
        now = now or self._clock.now()
        heard = self.last_updates_ok or self._since
        if now - heard <= self._deaf_after:
            return False
        return self.last_other_ok is not None and now - self.last_other_ok <= self._deaf_after

    def problem(self) -> str | None:
        """Say what is wrong for a readiness probe, or None while updates arrive."""
        if not self.deaf():
            return None
        heard = self.last_updates_ok.isoformat() if self.last_updates_ok else "never"
        return (
            f"no updates from Telegram for over {self._deaf_after.total_seconds():.0f} s "
            f"while it answers other calls (last: {heard})"
        )

    def check(self) -> bool:
        """Log, once each way, that the bot went deaf or hears again; return `deaf()`."""
        deaf = self.deaf()
        if deaf and not self._said_deaf:
            heard = self.last_updates_ok.isoformat() if self.last_updates_ok else "never"
            log.error(
                "no updates from Telegram for over %d s while it answers other calls "
                "(last getUpdates answer: %s; last failure: %s): commands are not being read",
                self._deaf_after.total_seconds(),
                heard,
                self.last_failure or "none",
            )
        elif not deaf and self._said_deaf:
            log.info("updates from Telegram arrive again")
        self._said_deaf = deaf
        return deaf
