"""Drain the outbox: claim due rows, render, send, and record what Telegram said.

A row is marked sent only after Telegram accepted it; a crash between the two leaves the
row leased, and it is claimed again when the lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.delivery.render import render_alert, render_plain
from bot.delivery.sender import Sender, SendResult, SendStatus
from bot.i18n import pick_language
from bot.matching import Catalog
from bot.models import OutboxRow
from storage import Database

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DrainReport:
    """Counters of one drain."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before another try after a transient failure (doubling, capped)."""
    return timedelta(seconds=min(2 ** max(attempts, 1), 600))


class Dispatcher:
    """Sends outbox rows in priority order; wakes when new rows are queued."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        catalog: Catalog,
        clock: Clock,
        *,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 12,
    ) -> None:
        self._db = db
        self._sender = sender
        self._catalog = catalog
        self._clock = clock
        self._batch = batch
        self._lease = lease
        self._max_attempts = max_attempts
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Tell the running loop that rows were queued."""
        self._wake.set()

    async def drain(self) -> DrainReport:
        """Send every row that is due now and return; for tests, the CLI and the loop."""
        report = DrainReport()
        while True:
            rows = await self._db.outbox.claim(
                now=self._clock.now(), limit=self._batch, lease=self._lease
            )
            if not rows:
                return report
            for row in rows:
                await self._deliver(row, report)

    async def run(self) -> None:
        """Drain forever, sleeping until woken or until the next row is due."""
        while True:
            self._wake.clear()
            try:
                await self.drain()
            except Exception:
                log.exception("outbox drain failed; retrying shortly")
            due = await self._db.outbox.next_due()
            timeout = 30.0
            if due is not None:
                timeout = min(max((due - self._clock.now()).total_seconds(), 0.05), 30.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _deliver(self, row: OutboxRow, report: DrainReport) -> None:
        alert = await self._db.events.alert(row.story_id)
        if alert is None:
            await self._db.outbox.fail(row.id, error="story has no events")
            report.failed += 1
            return
        chat = await self._db.chats.get(row.chat_id)
        lang = pick_language(chat.language if chat else None)
        result = await self._sender.send(
            row.chat_id, render_alert(alert, self._catalog, lang=lang), html=True
        )
        if result.status is SendStatus.BAD_HTML:
            log.warning(
                "chat %d refused our HTML (%s); sending plain text", row.chat_id, result.error
            )
            result = await self._sender.send(
                row.chat_id, render_plain(alert, self._catalog, lang=lang), html=False
            )
        await self._record(row, result, report)

    async def _record(self, row: OutboxRow, result: SendResult, report: DrainReport) -> None:
        now = self._clock.now()
        match result.status:
            case SendStatus.SENT:
                await self._db.outbox.mark_sent(row.id, message_id=result.message_id or 0, now=now)
                report.sent += 1
            case SendStatus.RETRY if row.attempts < self._max_attempts:
                delay = (
                    timedelta(seconds=result.retry_after)
                    if result.retry_after is not None
                    else retry_delay(row.attempts)
                )
                await self._db.outbox.retry_at(row.id, not_before=now + delay, error=result.error)
                report.retried += 1
            case SendStatus.BLOCKED:
                log.info("chat %d blocked the bot; deactivating it", row.chat_id)
                async with self._db.transaction():
                    await self._db.chats.deactivate(row.chat_id)
                    await self._db.outbox.fail(row.id, error=result.error)
                    await self._db.outbox.cancel_chat(row.chat_id, reason=result.error)
                report.blocked += 1
            case _:
                log.warning(
                    "giving up on outbox row %d: %s %s", row.id, result.status, result.error
                )
                await self._db.outbox.fail(row.id, error=f"{result.status}: {result.error}")
                report.failed += 1
