"""Drain the outbox: claim due rows, render, send paced and concurrently, record the answers.

A row is marked sent only after Telegram accepted it; a crash between the two leaves the
row leased, and it is claimed again when the lease runs out, so the only duplicates are
the messages in flight at the crash.

Each claimed row gets a task of its own that renders it and then waits its turn at the
admission: one queue of the sends ready to start, let go by the pacer one at a time, the
most urgent (then the oldest claimed) first, each as soon as its chat's gap and the overall
limits allow. A chat has one row in the pipeline at a time, and its next row is claimed as
soon as the previous one is answered, so it waits at the admission for exactly the moment
its chat may send again: a chat with a backlog sends once a second alongside a fan-out,
and rows held for a digest or quiet hours never take a send's place.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from bot.delivery.pacer import Limits, PaceState, RealTimer, Timer
from bot.delivery.plan import plan
from bot.delivery.render import html_to_plain, render_alert, render_digest
from bot.delivery.sender import Sender, SendOptions, SendResult, SendStatus
from bot.delivery.split import split_html
from bot.matching import Catalog, PlaceIndex
from bot.models import HIGH_PRIORITY, Alert, OutboxRow
from bot.runtime.clock import Clock
from bot.ui.i18n import pick_language
from storage import Database

log = logging.getLogger(__name__)

# A chat whose next send is at most this far off is claimed now and waits at the admission
# (a group's gap is three seconds); one paused for longer is left in the outbox meanwhile.
LOOKAHEAD_S = 5.0


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
    horizon: float = 0.5  # seconds of sends kept claimed and ready ahead of the pacer


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before another try after a transient failure (doubling, capped)."""
    return timedelta(seconds=min(2 ** max(attempts, 1), 600))


def split_plain(text: str) -> list[str]:
    """Split plain text the way `split_html` splits markup."""
    from html import escape, unescape  # noqa: PLC0415 -- only the plain-text fallback

    return [unescape(part) for part in split_html(escape(text, quote=False))]


@dataclass(slots=True)
class _Job:
    """One claimed row on its way: how it is sent and where it stands."""

    row: OutboxRow
    paid: bool
    order: int  # claim order: the older of two equally urgent sends goes first
    preparing: bool = True  # claimed, not yet at the admission


@dataclass(slots=True)
class _Waiter:
    """A send waiting at the admission."""

    chat_id: int
    key: tuple[int, int]  # (-priority, claim order): the smallest goes first
    paid: bool
    admitted: asyncio.Future[bool]


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
        # Set when the pump should claim again: rows were queued, a send was let go (room
        # in the pipeline), a chat's row is done, or a simulated clock moved.
        self._room = asyncio.Event()
        # Set when the admission should look again: a waiter came, a send was answered.
        self._changed = asyncio.Event()
        self._busy: dict[int, bool] = {}  # chats with a row in the pipeline -> paid or not
        self._unstarted: set[int] = set()  # those of them whose send is not let go yet
        self._waiters: list[_Waiter] = []
        self._admission: asyncio.Task[None] | None = None
        self._order = itertools.count()
        self._preparing = 0  # jobs between their claim and the admission
        self._claiming = False

    def wake(self) -> None:
        """Tell the running loop that rows were queued."""
        self._room.set()

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

    # -- claiming -------------------------------------------------------------------------

    async def _pump(self, report: DrainReport, *, burst: bool) -> None:
        tasks: set[asyncio.Task[None]] = set()
        try:
            while True:
                self._room.clear()
                self._claiming = True
                try:
                    jobs, full = await self._claim()
                finally:
                    self._claiming = False
                    self._notify()
                for job in jobs:
                    self._busy[job.row.chat_id] = job.paid
                    self._unstarted.add(job.row.chat_id)
                    self._preparing += 1
                    task = asyncio.create_task(self._handle(job, report))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                if full:
                    continue  # there may be room for more
                if not await self._idle(tasks, burst=burst):
                    return
        finally:
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    def _room_for(self, now: float, *, paid: bool) -> int:
        """Return how many more rows of a kind the pipeline takes.

        It holds a horizon's worth of sends ready to start, no more, so that an urgent row
        queued meanwhile is not stuck behind a long line of claimed ones. Rows waiting for
        their chat's gap do not count: they are not in anyone's way. It is refilled once
        half of it is gone, not after every send: a claim is a query over the outbox.
        """
        cap = int(self._config.horizon * self._config.limits.rate(paid=paid)) + 1
        soon = sum(
            1
            for chat in self._unstarted
            if self._busy.get(chat) == paid
            and self._pace.chat_ready(chat) <= now + self._config.horizon
        )
        room = max(0, cap - soon)
        return room if 2 * room >= cap else 0

    async def _claim(self) -> tuple[list[_Job], bool]:
        """Claim what the pipeline has room for; say whether it was filled."""
        now_m = self._timer.monotonic()
        now = self._clock.now()
        exclude = set(self._busy) | self._pace.paused_chats(now_m, LOOKAHEAD_S)
        jobs: list[_Job] = []
        full = False
        if self._config.paid_broadcast:
            # High-severity alerts ride the paid broadcast's own, far higher limit.
            room = self._room_for(now_m, paid=True)
            rows = await self._db.outbox.claim(
                now=now,
                limit=room,
                lease=self._config.lease,
                exclude=exclude,
                min_priority=HIGH_PRIORITY,
            )
            full = room > 0 and len(rows) == room
            jobs += [_Job(row, row.edit_of is None, next(self._order)) for row in rows]
            exclude |= {row.chat_id for row in rows}
        room = self._room_for(now_m, paid=False)
        rows = await self._db.outbox.claim(
            now=now, limit=room, lease=self._config.lease, exclude=exclude
        )
        full = full or (room > 0 and len(rows) == room)
        for row in rows:
            paid = self._config.paid_broadcast and row.priority >= HIGH_PRIORITY and not row.edit_of
            jobs.append(_Job(row, paid, next(self._order)))
        return jobs, full

    async def _idle(self, tasks: set[asyncio.Task[None]], *, burst: bool) -> bool:
        """Wait for something to do; return False when a burst drain is finished."""
        if self._room.is_set():
            return True  # a row was done or let go while claiming: claim again
        now_m = self._timer.monotonic()
        paused = self._pace.next_unpaused(now_m, LOOKAHEAD_S)
        if tasks:
            timeout = None
            if paused is not None and self._timer.concurrent:
                timeout = max(paused - now_m, 0.01)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._room.wait(), timeout)
            return True
        now = self._clock.now()
        if paused is not None and await self._db.outbox.due_count(now=now) > 0:
            # Only chats paused past the lookahead (a 429) have rows due: wait for them.
            await self._timer.sleep(paused - now_m)
            return True
        if burst:
            return False
        due = await self._db.outbox.next_due()
        timeout = 30.0
        if due is not None:
            timeout = min(max((due - now).total_seconds(), 0.05), 30.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._room.wait(), timeout)
        return True

    # -- the admission --------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()

    def _settled(self) -> bool:
        """Whether nothing but the clock can move things on (for a simulated clock)."""
        return (
            self._preparing == 0
            and not self._claiming
            and not self._room.is_set()
            and self._pace.open_sends == 0
        )

    async def _admit(self, job: _Job, *, paid: bool) -> bool:
        """Wait until this job's send may start; False if its chat is paused for long."""
        self._prepared(job)
        loop = asyncio.get_running_loop()
        waiter = _Waiter(
            job.row.chat_id, (-job.row.priority, job.order), paid, loop.create_future()
        )
        self._waiters.append(waiter)
        self._notify()
        if self._admission is None or self._admission.done():
            self._admission = asyncio.create_task(self._admit_loop())
        try:
            return await waiter.admitted
        finally:
            if waiter in self._waiters:  # cancelled while waiting
                self._waiters.remove(waiter)
                self._notify()

    async def _admit_loop(self) -> None:
        """Run the admission; should it ever fail, put its sends back rather than strand them."""
        try:
            await self._admit_waiters()
        except Exception:
            log.exception("the send admission failed; its sends go back to the outbox")
            for waiter in self._waiters:
                if not waiter.admitted.done():
                    waiter.admitted.set_result(False)
            self._waiters.clear()

    async def _admit_waiters(self) -> None:
        """Let the waiting sends go, one at a time, each as soon as the pacer allows."""
        max_wait = self._config.lease.total_seconds() / 2
        while self._waiters:
            self._changed.clear()
            if not self._timer.concurrent and not self._settled():
                await self._changed.wait()
                continue
            now = self._timer.monotonic()
            best: _Waiter | None = None
            wake = math.inf
            for waiter in list(self._waiters):
                if waiter.admitted.done():  # its task was cancelled; it is on its way out
                    self._waiters.remove(waiter)
                    continue
                held = max(self._pace.chat_ready(waiter.chat_id), self._pace.paused_until)
                if math.isfinite(held) and held > now + max_wait:
                    # Paused past half the lease: put the row back rather than hold it.
                    self._waiters.remove(waiter)
                    waiter.admitted.set_result(False)
                    continue
                at = self._pace.ready_at(waiter.chat_id, now, paid=waiter.paid)
                if at > now:
                    wake = min(wake, at)
                elif best is None or waiter.key < best.key:
                    best = waiter
            if best is not None:
                self._waiters.remove(best)
                self._pace.started(best.chat_id, now, paid=best.paid)
                self._unstarted.discard(best.chat_id)
                self._room.set()
                best.admitted.set_result(True)
                continue
            if self._timer.concurrent or math.isinf(wake):
                timeout = None if math.isinf(wake) else wake - now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
            else:
                await self._timer.sleep(wake - now)
                self._room.set()  # the simulated clock moved: paused chats may be due

    def _prepared(self, job: _Job) -> None:
        """Note that a job is done preparing (at the admission, or finished without it)."""
        if job.preparing:
            job.preparing = False
            self._preparing -= 1
            self._notify()

    async def _paced(
        self, job: _Job, call: Callable[[], Awaitable[SendResult]], *, paid: bool
    ) -> SendResult:
        """Make one request to Telegram when the pacer admits it, and report its answer."""
        chat_id = job.row.chat_id
        if not await self._admit(job, paid=paid):
            now = self._timer.monotonic()
            wait = max(self._pace.chat_ready(chat_id), self._pace.paused_until) - now
            wait = wait if math.isfinite(wait) and wait > 0 else 1.0
            return SendResult(SendStatus.RETRY, retry_after=wait, error="paused by flood control")
        result: SendResult | None = None
        try:
            result = await call()
            return result
        finally:
            self._pace.answered(
                chat_id,
                self._timer.monotonic(),
                paid=paid,
                retry_after=result.retry_after if result is not None else None,
                unsure=result is None or _unanswered(result),
            )
            self._notify()

    # -- one row --------------------------------------------------------------------------

    async def _handle(self, job: _Job, report: DrainReport) -> None:
        """Send or edit one claimed row; never let an error escape."""
        row = job.row
        try:
            if row.edit_of is not None:
                await self._edit(job, row.edit_of, report)
            else:
                await self._deliver(job, report)
        except Exception:
            log.exception("delivering outbox row %d failed; retrying later", row.id)
            await self._db.outbox.retry_at(
                row.id,
                not_before=self._clock.now() + retry_delay(row.attempts),
                error="internal error",
            )
            report.retried += 1
        finally:
            self._prepared(job)
            self._busy.pop(row.chat_id, None)
            self._unstarted.discard(row.chat_id)
            self._room.set()

    async def _language(self, chat_id: int) -> str:
        """Return the interface language a chat reads its alerts in."""
        chat = await self._db.chats.get(chat_id)
        return pick_language(chat.language if chat else None)

    async def _deliver(self, job: _Job, report: DrainReport) -> None:
        row, paid = job.row, job.paid
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
        result = await self._send_parts(job, split_html(html), options)
        if result.status is SendStatus.BAD_HTML:
            log.warning(
                "chat %d refused our HTML (%s); sending plain text", row.chat_id, result.error
            )
            plain = SendOptions(
                html=False, silent=options.silent, thread_id=options.thread_id, paid=paid
            )
            result = await self._send_parts(job, split_plain(html_to_plain(html)), plain)
        for member in rows:
            await self._record(member, result, report, in_digest=digest)

    async def _send_parts(self, job: _Job, parts: list[str], options: SendOptions) -> SendResult:
        """Send a message's parts in order, each admitted on its own; answer with the first's id."""
        chat_id = job.row.chat_id
        first: SendResult | None = None
        for part in parts:
            result = await self._paced(
                job, partial(self._sender.send, chat_id, part, options), paid=job.paid
            )
            if result.status is not SendStatus.SENT:
                return result
            first = first or result
        return first or SendResult(SendStatus.FAILED, error="empty message")

    async def _edit(self, job: _Job, message_id: int, report: DrainReport) -> None:
        """Show a grown story in the message already sent about it.

        Telegram counts edits against its flood limits like sends, so an edit is admitted
        by the pacer like one.
        """
        row = job.row
        alert = await self._db.events.alert(row.story_id)
        prefs = await self._db.chats.prefs(row.chat_id)
        if alert is None:
            await self._db.outbox.mark_edited(row.id)
            return
        lang = await self._language(row.chat_id)
        html = split_html(render_alert(alert, self._catalog, lang=lang, places=self._places))[0]
        options = SendOptions(previews=prefs.link_previews)
        result = await self._paced(
            job, partial(self._sender.edit, row.chat_id, message_id, html, options), paid=False
        )
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


def _unanswered(result: SendResult) -> bool:
    """Whether a request may not have reached Telegram yet (a timeout or network error)."""
    return result.status is SendStatus.RETRY and result.retry_after is None
