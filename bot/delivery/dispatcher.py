"""Drain the outbox: claim due rows, render, send paced and concurrently, record the answers.

A row is marked sent only after Telegram accepted it; a crash between the two leaves the
row leased, and it is claimed again when the lease runs out, so the only duplicates are
the messages in flight at the crash.

Sends run concurrently: each claimed row gets the next start slot from the pacer (the
overall rate, and the chat's own gap) and its own task, so a slow answer does not hold up
the next send. Only chats that may send now are claimed, one row per chat at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from bot.clock import Clock
from bot.delivery.pacer import Limits, PaceState, RealTimer, Timer
from bot.delivery.preferences import HIGH_PRIORITY, plan
from bot.delivery.render import html_to_plain, render_alert, render_digest
from bot.delivery.sender import Sender, SendOptions, SendResult, SendStatus
from bot.delivery.split import split_html
from bot.i18n import pick_language
from bot.matching import Catalog, PlaceIndex
from bot.models import Alert, OutboxRow
from storage import Database

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DrainReport:
    """Counters of one drain."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    held: int = 0  # waiting for a digest or the end of quiet hours
    edited: int = 0
    migrated: int = 0


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """How the dispatcher paces and when it gives up."""

    limits: Limits = field(default_factory=Limits)
    max_age: timedelta = timedelta(hours=24)  # transient errors are retried this long
    paid_broadcast: bool = False  # allow_paid_broadcast for high-severity alerts
    lease: timedelta = timedelta(minutes=2)
    horizon: float = 0.25  # seconds of start slots claimed ahead


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before another try after a transient failure (doubling, capped)."""
    return timedelta(seconds=min(2 ** max(attempts, 1), 600))


def split_plain(text: str) -> list[str]:
    """Split plain text the way `split_html` splits markup."""
    from html import escape, unescape  # noqa: PLC0415 -- only the plain-text fallback

    return [unescape(part) for part in split_html(escape(text, quote=False))]


class Dispatcher:
    """Sends outbox rows in priority order, as fast as Telegram's limits allow."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        catalog: Catalog,
        clock: Clock,
        *,
        timer: Timer | None = None,
        config: DeliveryConfig | None = None,
        places: PlaceIndex | None = None,
    ) -> None:
        self._db = db
        self._places = places  # to name places in each reader's language
        self._sender = sender
        self._catalog = catalog
        self._clock = clock
        self._timer: Timer = timer or RealTimer()
        self._config = config or DeliveryConfig()
        self._pace = PaceState(self._config.limits)
        self._wake = asyncio.Event()
        # Chats whose claimed row has not been let go yet. The pacer books slots ahead, but
        # a send can be held back past its slot (the window of sends on the wire is full):
        # then no more rows are claimed until some go, or a queue of waiting sends would
        # build up in which priority, and each chat's own pace, are lost.
        self._unsent: set[int] = set()
        self._room = asyncio.Event()
        # Sends overlap on a real clock; on a simulated one they go one at a time (in the
        # order of their slots: the semaphore is first come, first served).
        self._gate = asyncio.Semaphore(1_000_000 if self._timer.concurrent else 1)

    def wake(self) -> None:
        """Tell the running loop that rows were queued."""
        self._wake.set()

    async def drain(self) -> DrainReport:
        """Send every row that is due now and return; for tests, the CLI and benchmarks."""
        report = DrainReport()
        await self._pump(report, burst=True)
        return report

    async def run(self) -> None:
        """Send forever, sleeping until woken or until the next row is due."""
        report = DrainReport()
        while True:
            try:
                await self._pump(report, burst=False)
            except Exception:
                log.exception("outbox dispatcher failed; retrying shortly")
                await asyncio.sleep(1.0)

    async def _pump(self, report: DrainReport, *, burst: bool) -> None:
        inflight: dict[int, asyncio.Task[None]] = {}
        try:
            while True:
                self._wake.clear()
                self._room.clear()
                now_m = self._timer.monotonic()
                waiting = self._pace.waiting_chats(now_m)
                busy = waiting | inflight.keys()
                rows: list[OutboxRow] = []
                if self._config.paid_broadcast:
                    # High-severity alerts ride the paid broadcast's own, far higher limit.
                    rows = await self._db.outbox.claim(
                        now=self._clock.now(),
                        limit=self._pace.free_slots(now_m, self._config.horizon, paid=True),
                        lease=self._config.lease,
                        exclude=busy,
                        min_priority=HIGH_PRIORITY,
                    )
                    busy |= {row.chat_id for row in rows}
                # The slots of a horizon: room for the sends booked ahead, no more.
                queue_cap = int(self._config.horizon * self._config.limits.global_per_s) + 1
                behind = len(self._unsent) >= queue_cap
                slots = min(
                    self._pace.free_slots(now_m, self._config.horizon),
                    queue_cap - len(self._unsent),
                )
                rows += await self._db.outbox.claim(
                    now=self._clock.now(), limit=slots, lease=self._config.lease, exclude=busy
                )
                for row in rows:
                    paid = self._config.paid_broadcast and row.priority >= HIGH_PRIORITY
                    start = self._pace.reserve(row.chat_id, self._timer.monotonic(), paid=paid)
                    self._unsent.add(row.chat_id)
                    task = asyncio.create_task(self._handle(row, start, paid, report))
                    inflight[row.chat_id] = task
                    task.add_done_callback(partial(_forget_task, inflight, row.chat_id))
                if behind:
                    await self._room.wait()  # sends are behind their slots: wait for one to go
                    continue
                if len(rows) >= slots:
                    # The horizon is full: come back when the next slot opens.
                    await self._sleep_until(self._pace.global_ready() - self._config.horizon)
                    continue
                if rows:
                    continue
                if not await self._idle(inflight, burst=burst):
                    return
        finally:
            if inflight:
                await asyncio.gather(*inflight.values(), return_exceptions=True)

    async def _idle(self, inflight: dict[int, asyncio.Task[None]], *, burst: bool) -> bool:
        """Wait for something to do; return False when a burst drain is finished."""
        if inflight:
            # A finished send frees its chat; a chat's gap ending may free another.
            timeout = None
            ready = self._pace.next_chat_ready()
            if ready is not None:
                timeout = max(ready - self._timer.monotonic(), 0.0)
            await asyncio.wait(
                set(inflight.values()), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            return True
        now = self._clock.now()
        ready = self._pace.next_chat_ready()
        if ready is not None and await self._db.outbox.due_count(now=now) > 0:
            await self._sleep_until(ready)  # only chats waiting out their gap are left
            return True
        if burst:
            return False
        due = await self._db.outbox.next_due()
        timeout = 30.0
        if due is not None:
            timeout = min(max((due - now).total_seconds(), 0.05), 30.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        return True

    async def _sleep_until(self, when: float) -> None:
        """Sleep the loop until a time; on a simulated clock, after the sends queued before."""
        if self._timer.concurrent:
            await self._timer.sleep(when - self._timer.monotonic())
            return
        async with self._gate:
            await self._timer.sleep(when - self._timer.monotonic())

    async def _handle(self, row: OutboxRow, start: float, paid: bool, report: DrainReport) -> None:
        """Wait for the row's slot, then send or edit it; never let an error escape."""
        try:
            async with self._gate:
                await self._handle_at(row, start, paid, report)
        finally:
            self._let_go(row.chat_id)

    def _let_go(self, chat_id: int) -> None:
        """Note that a chat's claimed row is no longer waiting to be sent."""
        self._unsent.discard(chat_id)
        self._room.set()

    async def _wait_for_slot(self, start: float) -> None:
        """Sleep until a booked start."""
        await self._timer.sleep(start - self._timer.monotonic())

    async def _send_now(
        self, chat_id: int, text: str, options: SendOptions, *, paid: bool
    ) -> SendResult:
        """Send once the sends really on the wire allow it, and report when it was written.

        The check is made right before the request, after the database work of rendering,
        and the sender reports the moment the request is written, so a stall anywhere in
        between is counted as Telegram will see it.
        """
        while (wait := self._pace.hold(chat_id, self._timer.monotonic(), paid=paid)) > 0:
            await self._timer.sleep(wait)
        self._pace.started(chat_id, self._timer.monotonic(), paid=paid)
        self._let_go(chat_id)
        written = False

        def on_wire() -> None:
            nonlocal written
            if not written:
                written = True
                self._pace.on_wire(chat_id, self._timer.monotonic(), paid=paid)

        try:
            return await self._sender.send(chat_id, text, options, on_wire=on_wire)
        finally:
            on_wire()  # not seen going out (an error, or a sender that cannot tell): count it now

    async def _handle_at(
        self, row: OutboxRow, start: float, paid: bool, report: DrainReport
    ) -> None:
        await self._wait_for_slot(start)
        try:
            if row.edit_of is not None:
                await self._edit(row, row.edit_of, report)
            else:
                await self._deliver(row, paid, report)
        except Exception:
            log.exception("delivering outbox row %d failed; retrying later", row.id)
            await self._db.outbox.retry_at(
                row.id,
                not_before=self._clock.now() + retry_delay(row.attempts),
                error="internal error",
            )
            report.retried += 1

    async def _language(self, chat_id: int) -> str:
        """Return the interface language a chat reads its alerts in."""
        chat = await self._db.chats.get(chat_id)
        return pick_language(chat.language if chat else None)

    async def _deliver(self, row: OutboxRow, paid: bool, report: DrainReport) -> None:
        now = self._clock.now()
        prefs = await self._db.chats.prefs(row.chat_id)
        decision = plan(prefs, priority=row.priority, created_at=row.created_at or now, now=now)
        if decision.hold_until is not None:
            await self._db.outbox.defer(
                row.id, not_before=decision.hold_until, reason="held for digest or quiet hours"
            )
            report.held += 1
            return
        rows = [row]
        alerts: list[Alert] = []
        if decision.digest_before is not None:
            rows = await self._db.outbox.claim_digest(
                row.chat_id, now=now, before=decision.digest_before, lease=self._config.lease
            )
            rows = rows or [row]
        for member in rows:
            alert = await self._db.events.alert(member.story_id)
            if alert is None:
                await self._db.outbox.fail(member.id, error="story has no events")
                report.failed += 1
            else:
                alerts.append(alert)
        rows = [member for member in rows if any(a.story_id == member.story_id for a in alerts)]
        if not alerts:
            return
        digest = decision.digest_before is not None
        lang = await self._language(row.chat_id)
        html = (
            render_digest(alerts, self._catalog, lang=lang)
            if digest
            else render_alert(alerts[0], self._catalog, lang=lang, places=self._places)
        )
        options = SendOptions(
            silent=decision.silent,
            previews=prefs.link_previews,
            thread_id=prefs.thread_id,
            paid=paid,
        )
        result = await self._send_parts(row.chat_id, split_html(html), options, paid=paid)
        if result.status is SendStatus.BAD_HTML:
            log.warning(
                "chat %d refused our HTML (%s); sending plain text", row.chat_id, result.error
            )
            plain = SendOptions(
                html=False, silent=options.silent, thread_id=options.thread_id, paid=paid
            )
            result = await self._send_parts(
                row.chat_id, split_plain(html_to_plain(html)), plain, paid=paid, first_slot=False
            )
        for member in rows:
            await self._record(member, result, report, in_digest=digest)

    async def _send_parts(
        self,
        chat_id: int,
        parts: list[str],
        options: SendOptions,
        *,
        paid: bool,
        first_slot: bool = True,
    ) -> SendResult:
        """Send a message's parts in order, each in its own slot; answer with the first's id."""
        first: SendResult | None = None
        for index, part in enumerate(parts):
            if index > 0 or not first_slot:
                await self._wait_for_slot(
                    self._pace.reserve(chat_id, self._timer.monotonic(), paid=paid)
                )
            result = await self._send_now(chat_id, part, options, paid=paid)
            self._pace.answered(chat_id, self._timer.monotonic(), retry_after=result.retry_after)
            if result.status is not SendStatus.SENT:
                return result
            first = first or result
        return first or SendResult(SendStatus.FAILED, error="empty message")

    async def _edit(self, row: OutboxRow, message_id: int, report: DrainReport) -> None:
        """Show a grown story in the message already sent about it."""
        alert = await self._db.events.alert(row.story_id)
        prefs = await self._db.chats.prefs(row.chat_id)
        if alert is None:
            await self._db.outbox.mark_edited(row.id)
            return
        lang = await self._language(row.chat_id)
        html = split_html(render_alert(alert, self._catalog, lang=lang, places=self._places))[0]
        result = await self._sender.edit(
            row.chat_id, message_id, html, SendOptions(previews=prefs.link_previews)
        )
        self._pace.answered(row.chat_id, self._timer.monotonic(), retry_after=result.retry_after)
        now = self._clock.now()
        match result.status:
            case SendStatus.SENT:
                await self._db.outbox.mark_edited(row.id)
                report.edited += 1
            case SendStatus.RETRY if not self._too_old(row, now) or result.retry_after:
                await self._db.outbox.retry_at(
                    row.id, not_before=now + self._delay(row, result), error=result.error
                )
                report.retried += 1
            case SendStatus.BLOCKED:
                await self._blocked(row, result, report)
            case _:
                log.info(
                    "could not edit message %d in chat %d: %s",
                    message_id,
                    row.chat_id,
                    result.error,
                )
                await self._db.outbox.mark_edited(row.id)

    def _too_old(self, row: OutboxRow, now: datetime) -> bool:
        created = row.created_at or now
        return now - created > self._config.max_age

    @staticmethod
    def _delay(row: OutboxRow, result: SendResult) -> timedelta:
        if result.retry_after is not None:
            return timedelta(seconds=result.retry_after)
        return retry_delay(row.attempts)

    async def _blocked(self, row: OutboxRow, result: SendResult, report: DrainReport) -> None:
        log.info("chat %d blocked or removed the bot; deactivating it", row.chat_id)
        async with self._db.transaction():
            await self._db.chats.deactivate(row.chat_id)
            if row.edit_of is None:
                await self._db.outbox.fail(row.id, error=result.error)
            await self._db.outbox.cancel_chat(row.chat_id, reason=result.error)
        self._pace.forget(row.chat_id)
        report.blocked += 1

    async def _record(
        self, row: OutboxRow, result: SendResult, report: DrainReport, *, in_digest: bool
    ) -> None:
        now = self._clock.now()
        match result.status:
            case SendStatus.SENT:
                await self._db.outbox.mark_sent(
                    row.id, message_id=result.message_id or 0, now=now, in_digest=in_digest
                )
                report.sent += 1
            case SendStatus.RETRY if result.retry_after is not None or not self._too_old(row, now):
                # Flood control is never a reason to give up; other transient errors are
                # retried with backoff until the alert is too old to matter.
                await self._db.outbox.retry_at(
                    row.id, not_before=now + self._delay(row, result), error=result.error
                )
                report.retried += 1
            case SendStatus.BLOCKED:
                await self._blocked(row, result, report)
            case SendStatus.MIGRATED if result.migrate_to is not None:
                log.info("chat %d moved to %d; following it", row.chat_id, result.migrate_to)
                await self._db.chats.migrate(row.chat_id, result.migrate_to, now=now)
                await self._db.outbox.retry_at(row.id, not_before=now, error=result.error)
                self._pace.forget(row.chat_id)
                report.migrated += 1
            case _:
                log.warning(
                    "giving up on outbox row %d: %s %s", row.id, result.status, result.error
                )
                await self._db.outbox.fail(row.id, error=f"{result.status}: {result.error}")
                report.failed += 1


def _forget_task(inflight: dict[int, asyncio.Task[None]], chat_id: int, _: object) -> None:
    """Drop a finished send from the in-flight set."""
    inflight.pop(chat_id, None)
