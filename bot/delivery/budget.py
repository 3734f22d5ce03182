"""How many alerts one source may send one chat in an hour; the rest are folded into a digest.

A source that floods (by mistake, or written to drown the others) must not fill a chat
with its alerts, nor push the alerts of other sources behind its own: each (chat, source)
pair has `per_hour` messages in any hour. An alert over that waits, marked folded, until
the hour lets another message through; then every folded alert of the chat goes in that
one message, as a digest. Other sources keep their own budgets, so their alerts go on at
once. An admin's update and an announcement have no source and are never held.

The count is kept in memory by the one process that sends (the outbox's sender), for the
sends it made: a restart starts counting afresh, which at worst lets one more hour's worth
through. Memory is bounded by the sends of the last hour: expired times are dropped as a
pair is read, and every so often all pairs are swept.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

HOUR = timedelta(hours=1)
_SWEEP_EVERY = 4_096  # sends between two sweeps of pairs no one read since


class AlertBudget:
    """Sends per (chat, source) in the last hour, and when the next one may go."""

    def __init__(self, per_hour: int) -> None:
        if per_hour < 1:
            raise ValueError("per_hour must be at least 1")
        self.per_hour = per_hour
        self._sent: dict[tuple[int, int], deque[datetime]] = {}
        self._until_sweep = _SWEEP_EVERY
        # Chats with alerts held folded: their next message gathers them (after a restart,
        # the folded alerts go when their own wait ends).
        self.folding: set[int] = set()

    def __len__(self) -> int:
        """Return how many (chat, source) pairs have sends in memory."""
        return len(self._sent)

    def next_slot(self, chat_id: int, source_id: int, now: datetime) -> datetime | None:
        """Return when a chat may next get an alert of this source; None: now."""
        sent = self._recent(chat_id, source_id, now)
        if sent is None or len(sent) < self.per_hour:
            return None
        return sent[0] + HOUR

    def spend(self, chat_id: int, source_id: int, now: datetime) -> None:
        """Count a message sent to a chat for a source's alert (or digest of them)."""
        sent = self._recent(chat_id, source_id, now)
        if sent is None:
            sent = self._sent[(chat_id, source_id)] = deque()
        sent.append(now)
        while len(sent) > self.per_hour:
            sent.popleft()
        self._until_sweep -= 1
        if self._until_sweep <= 0:
            self._sweep(now)

    def _recent(self, chat_id: int, source_id: int, now: datetime) -> deque[datetime] | None:
        """Return a pair's sends within the hour (older ones dropped), if it has any."""
        sent = self._sent.get((chat_id, source_id))
        if sent is None:
            return None
        while sent and sent[0] <= now - HOUR:
            sent.popleft()
        if not sent:
            del self._sent[(chat_id, source_id)]
            return None
        return sent

    def _sweep(self, now: datetime) -> None:
        """Drop every pair whose sends are all older than an hour."""
        self._until_sweep = _SWEEP_EVERY
        for chat_id, source_id in list(self._sent):
            self._recent(chat_id, source_id, now)
