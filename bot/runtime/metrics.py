"""Prometheus metrics (prometheus-client), opt-in with OUTPOST_METRICS=true.

Every application gets its own `CollectorRegistry`, not the library's process-wide default,
so tests and benchmarks that start several applications in one process count apart.
Names follow Prometheus' conventions: `outpost_` first, counters end in `_total`, times in
`_seconds`; labels carry the few values a result or an error kind can take.

What the outbox holds (backlog, the age of its oldest due row) is read from the database
when /metrics is scraped (`Metrics.observe_outbox`), not kept up to date on every write.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "SEND_RESULTS", "Metrics"]

# Labels of outpost_telegram_sends_total: accepted, retried after a 5xx or network error,
# refused with 429 (flood control), the chat blocked the bot, refused for good.
SEND_RESULTS = ("ok", "retry", "429", "blocked", "failed")
POLL_RESULTS = ("ok", "not_modified", "failed")


class Metrics:
    """The metric objects of one application, registered on its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.sends = Counter(
            "outpost_telegram_sends",
            "Requests to send or edit a message, by Telegram's answer.",
            ["result"],
            registry=r,
        )
        self.retry_after = Histogram(
            "outpost_telegram_retry_after_seconds",
            "The waits Telegram asked for in its 429 answers.",
            buckets=(1, 3, 5, 10, 30, 60, 300, 1800, 3600),
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "outpost_outbox_backlog",
            "Outbox rows due now and not yet sent (held digests and quiet hours excluded).",
            registry=r,
        )
        self.outbox_oldest_age = Gauge(
            "outpost_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row that is due and not yet sent (0 when none).",
            registry=r,
        )
        self.polls = Counter(
            "outpost_polls",
            "Source polls, by result and, for failures, the error kind.",
            ["result", "error_kind"],
            registry=r,
        )
        self.cycle_duration = Histogram(
            "outpost_poll_cycle_duration_seconds",
            "How long one polling cycle took, from its first fetch to its last store.",
            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
            registry=r,
        )
        self.events_stored = Counter(
            "outpost_events_stored", "New events stored from the sources.", registry=r
        )
        self.stories_joined = Counter(
            "outpost_stories_joined",
            "New events that joined a story another report had started.",
            registry=r,
        )
        self.alerts_queued = Counter(
            "outpost_alerts_queued", "Alerts written to the outbox.", registry=r
        )
        self.lease_held = Gauge(
            "outpost_sender_lease_held",
            "1 while this instance holds the sending lease (a lone instance always does).",
            registry=r,
        )
        for result in SEND_RESULTS:
            self.sends.labels(result=result)  # shown as 0 before the first send
        for result in POLL_RESULTS:
            if result != "failed":
                self.polls.labels(result=result, error_kind="")

    def observe_cycle(
        self,
        *,
        seconds: float,
        ok: int,
        not_modified: int,
        errors: list[str],
        new_events: int,
        queued: int,
        joined: int = 0,
    ) -> None:
        """Count one polling cycle's figures: its polls, events, joins, alerts and duration."""
        self.cycle_duration.observe(seconds)
        self.polls.labels(result="ok", error_kind="").inc(ok)
        self.polls.labels(result="not_modified", error_kind="").inc(not_modified)
        for kind in errors:
            self.polls.labels(result="failed", error_kind=kind).inc()
        self.events_stored.inc(new_events)
        self.stories_joined.inc(joined)
        self.alerts_queued.inc(queued)

    def observe_send(self, result: str, retry_after: float | None = None) -> None:
        """Count one answer of Telegram (a `SEND_RESULTS` label) and its 429 wait."""
        self.sends.labels(result=result).inc()
        if retry_after is not None:
            self.retry_after.observe(retry_after)

    def observe_outbox(self, backlog: int, oldest: datetime | None, now: datetime) -> None:
        """Set the outbox gauges from a fresh count."""
        self.outbox_backlog.set(backlog)
        age = 0.0 if oldest is None else max((now - oldest).total_seconds(), 0.0)
        self.outbox_oldest_age.set(age)

    def exposition(self) -> bytes:
        """Return every metric in the Prometheus text format."""
        return generate_latest(self.registry)
