"""Outcomes: what Telegram's answer (or our own failure) makes of an outbox row.

One handler for sends and edits alike, so that a 429, a blocked chat or a dead server
means the same thing whichever request met it: sent or edited rows are marked so, flood
control and transient errors put the row back for later (flood control for as long as it
asks, other errors until the alert is too old to matter), a chat that blocked the bot is
deactivated with its queue cancelled, and so is one Telegram says does not exist ("chat
not found": the admins are told, once, since the chat is never written to again), a group
that became a supergroup is followed, and anything else is given up on. Every counter of a
drain is counted here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.delivery.pacer import PaceState
from bot.delivery.sender import SendResult, SendStatus
from bot.delivery.types import DrainReport
from bot.models import OutboxRow
from bot.runtime.clock import Clock
from storage import Database

log = logging.getLogger(__name__)

# Told that Telegram no longer knows a chat (it was deactivated): the chat's id.
GoneHook = Callable[[int], Awaitable[None]]


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before another try after a transient failure (doubling, capped)."""
    return timedelta(seconds=min(2 ** max(attempts, 1), 600))


class Outcome:
    """Records each row's answer in the outbox and the drain's report."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        pace: PaceState,
        *,
        max_age: timedelta,
        on_gone: GoneHook | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._pace = pace  # told to forget a chat that is gone or has a new id
        self._max_age = max_age
        self._on_gone = on_gone

    async def record(
        self, row: OutboxRow, result: SendResult, report: DrainReport, *, in_digest: bool = False
    ) -> None:
        """Record Telegram's answer to a row's send or edit."""
        now = self._clock.now()
        match result.status:
            case SendStatus.SENT:
                await self._done(row, result, report, now=now, in_digest=in_digest)
            case SendStatus.RETRY if result.retry_after is not None or not self._too_old(row, now):
                # Flood control is never a reason to give up; other transient errors are
                # retried with backoff until the alert is too old to matter.
                await self._db.outbox.retry_at(
                    row.id, not_before=now + _delay(row, result), error=result.error
                )
                report.retried += 1
            case SendStatus.BLOCKED | SendStatus.GONE:
                await self._blocked(row, result, report)
            case SendStatus.MIGRATED if result.migrate_to is not None and row.edit_of is None:
                log.info(
                    "chat %d moved to %d; following it",
                    row.chat_id,
                    result.migrate_to,
                    extra={"chat_id": row.chat_id},
                )
                await self._db.chats.migrate(row.chat_id, result.migrate_to, now=now)
                await self._db.outbox.retry_at(row.id, not_before=now, error=result.error)
                self._pace.forget(row.chat_id)
                report.migrated += 1
            case _ if row.edit_of is not None:
                # The message stays as first sent: a failed edit is not worth a retry.
                log.info(
                    "could not edit message %d in chat %d: %s",
                    row.edit_of,
                    row.chat_id,
                    result.error,
                )
                await self._db.outbox.mark_edited(row.id, now=now)
            case _:
                log.warning(
                    "giving up on outbox row %d: %s %s",
                    row.id,
                    result.status,
                    result.error,
                    extra={"chat_id": row.chat_id, "outbox_row": row.id},
                )
                await self._db.outbox.fail(row.id, error=f"{result.status}: {result.error}")
                report.failed += 1

    async def held(
        self, row: OutboxRow, until: datetime, report: DrainReport, *, folded: bool = False
    ) -> None:
        """Put back a row that waits for its chat's digest or the end of quiet hours.

        `folded`: it waits because its source's alerts to the chat used up their hour; it
        then goes with the chat's other such rows, as one digest.
        """
        reason = "over its source's hourly budget" if folded else "held for digest or quiet hours"
        await self._db.outbox.defer(row.id, not_before=until, reason=reason, folded=folded)
        report.held += 1
        report.folded += int(folded)

    async def missing(self, row: OutboxRow, report: DrainReport) -> None:
        """Settle a row whose story has no events left: nothing to send, nothing to edit."""
        if row.edit_of is not None:
            await self._db.outbox.mark_edited(row.id, now=self._clock.now())
            return
        await self._db.outbox.fail(row.id, error="story has no events")
        report.failed += 1

    async def crashed(self, row: OutboxRow, report: DrainReport) -> None:
        """Put back a row whose delivery raised (a bug, not an answer): try again later."""
        await self._db.outbox.retry_at(
            row.id,
            not_before=self._clock.now() + retry_delay(row.attempts),
            error="internal error",
        )
        report.retried += 1

    async def _done(
        self,
        row: OutboxRow,
        result: SendResult,
        report: DrainReport,
        *,
        now: datetime,
        in_digest: bool,
    ) -> None:
        if row.edit_of is not None:
            await self._db.outbox.mark_edited(row.id, now=now)
            report.edited += 1
            return
        await self._db.outbox.mark_sent(
            row.id, message_id=result.message_id or 0, now=now, in_digest=in_digest
        )
        report.sent += 1

    def _too_old(self, row: OutboxRow, now: datetime) -> bool:
        created = row.created_at or now
        return now - created > self._max_age

    async def _blocked(self, row: OutboxRow, result: SendResult, report: DrainReport) -> None:
        gone = result.status is SendStatus.GONE
        if gone:
            log.warning(
                "Telegram does not know chat %d (%s); deactivating it",
                row.chat_id,
                result.error,
                extra={"chat_id": row.chat_id},
            )
        else:
            log.info(
                "chat %d blocked or removed the bot; deactivating it",
                row.chat_id,
                extra={"chat_id": row.chat_id},
            )
        async with self._db.transaction():
            # Only the first answer of a chat's in-flight rows finds it active.
            first = await self._db.chats.deactivate(row.chat_id)
            if row.edit_of is None:
                await self._db.outbox.fail(row.id, error=result.error)
            await self._db.outbox.cancel_chat(row.chat_id, reason=result.error)
        self._pace.forget(row.chat_id)
        report.blocked += 1
        if gone and first and self._on_gone is not None:
            try:
                await self._on_gone(row.chat_id)
            except Exception:
                # Telling admins is best effort: the chat is marked, and /stats shows it.
                log.exception("could not tell the admins that chat %d is gone", row.chat_id)


def _delay(row: OutboxRow, result: SendResult) -> timedelta:
    """Return how long a row waits before its next try: as told by a 429, else backoff."""
    if result.retry_after is not None:
        return timedelta(seconds=result.retry_after)
    return retry_delay(row.attempts)
