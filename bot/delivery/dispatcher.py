"""Drain the outbox: claim due rows, compose them, send paced and concurrently, record answers.

A row is marked sent only after Telegram accepted it; a crash between the two leaves the
row leased, and it is claimed again when the lease runs out, so the only duplicates are
the messages in flight at the crash.

`Dispatcher` wires the roles and walks one row through them: the claim loop (`claim.py`)
gives each claimed row a task, the composer (`compose.py`) turns it into a message, each
request waits its turn at the admission (`admission.py`) under the pacer (`pacer.py`), and
the outcome handler (`outcome.py`) records Telegram's answer. Every statement of theirs
waits out a database that cannot be written for now (`patience.py`): an answer Telegram
gave is recorded once the lock goes, never forgotten and the message sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from bot.delivery.admission import Admission
from bot.delivery.budget import AlertBudget
from bot.delivery.claim import ClaimLoop
from bot.delivery.compose import Composer, Message
from bot.delivery.outcome import GoneHook, Outcome
from bot.delivery.pacer import PaceState, RealTimer, Timer
from bot.delivery.patience import Patience
from bot.delivery.sender import Sender, SendResult, SendStatus
from bot.delivery.types import DeliveryConfig, DrainReport, Job
from bot.matching import Catalog, PlaceIndex
from bot.runtime.clock import Clock
from storage import Database
from storage.leases import LeaseLostError

__all__ = ["DeliveryConfig", "Dispatcher", "DrainReport", "make_admission"]

log = logging.getLogger(__name__)


def make_admission(config: DeliveryConfig, timer: Timer) -> Admission:
    """Build the one admission (and pacing state) every send to Telegram waits at."""
    return Admission(PaceState(config.limits), timer, max_wait=config.lease.total_seconds() / 2)


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
        on_tick: Callable[[], None] | None = None,
        admission: Admission | None = None,
        on_gone: GoneHook | None = None,
    ) -> None:
        """Wire the roles; `admission` is the application's, which command replies share.

        Without one the dispatcher paces on its own (`config.limits`, `timer`): tests of
        delivery alone, the CLI and the benchmarks. `on_tick` is told each time the claim
        loop comes round (at least every 30 s); `on_gone` hears of a chat Telegram says
        does not exist (it is deactivated like one that blocked the bot).
        """
        config = config or DeliveryConfig()
        if admission is None:
            admission = make_admission(config, timer or RealTimer())
        pace = admission.pace
        self._patient = Patience(admission.timer).run
        self._sender = sender
        self._clock = clock
        self.budget = (
            AlertBudget(config.alerts_per_hour) if config.alerts_per_hour is not None else None
        )
        self._compose = Composer(
            db, catalog, clock, lease=config.lease, places=places, budget=self.budget
        )
        self._outcome = Outcome(db, clock, pace, max_age=config.max_age, on_gone=on_gone)
        self._claims = ClaimLoop(
            db,
            clock,
            admission.timer,
            pace,
            config=config,
            handle=self._handle,
            on_tick=on_tick,
            admission=admission,
            patient=self._patient,
        )

    def wake(self) -> None:
        """Tell the running loop that rows were queued."""
        self._claims.wake()

    async def drain(self) -> DrainReport:
        """Send every row that is due now and return; for tests, the CLI and benchmarks."""
        return await self._claims.drain()

    async def run(self) -> None:
        """Send forever, sleeping until woken or until the next row is due."""
        await self._claims.run()

    async def _handle(self, job: Job, admission: Admission, report: DrainReport) -> None:
        """Send or edit one claimed row; never let an error escape."""
        try:
            if job.row.edit_of is not None:
                await self._edit(job, job.row.edit_of, admission, report)
            else:
                await self._send(job, admission, report)
        except LeaseLostError:
            # Another instance sends now: it frees this row on taking over and sends it.
            log.info("outbox row %d left to the next sender: the lease was lost", job.row.id)
        except Exception:
            log.exception("delivering outbox row %d failed; retrying later", job.row.id)
            try:
                await self._patient(partial(self._outcome.crashed, job.row, report))
            except Exception:
                # Its lease runs out and it is claimed again: late, but not lost.
                log.exception("could not put outbox row %d back", job.row.id)

    async def _send(self, job: Job, admission: Admission, report: DrainReport) -> None:
        row = job.row
        composed = await self._patient(partial(self._compose.send, row, paid=job.paid))
        if composed.hold_until is not None:
            held = partial(
                self._outcome.held, row, composed.hold_until, report, folded=composed.folded
            )
            await self._patient(held)
            return
        for member in composed.missing:
            await self._patient(partial(self._outcome.missing, member, report))
        message = composed.message
        if message is None:
            return
        result = await self._send_parts(job, message, admission)
        if result.status is SendStatus.BAD_HTML:
            log.warning(
                "chat %d refused our HTML (%s); sending plain text", row.chat_id, result.error
            )
            result = await self._send_parts(job, message.as_plain(), admission)
        if result.status is SendStatus.SENT and message.spends and self.budget is not None:
            self.budget.spend(*message.spends, self._clock.now())
        for member in message.rows:
            record = partial(
                self._outcome.record, member, result, report, in_digest=message.in_digest
            )
            await self._patient(record)

    async def _send_parts(self, job: Job, message: Message, admission: Admission) -> SendResult:
        """Send a message's parts in order, each admitted on its own; answer with the first's id.

        The buttons go on the first part: the outbox records its id, and a button is taken
        only on the message the outbox knows.
        """
        chat_id = job.row.chat_id
        first: SendResult | None = None
        for index, part in enumerate(message.parts):
            options = message.options if index == 0 else replace(message.options, buttons=())
            result = await admission.send(job, partial(self._sender.send, chat_id, part, options))
            if result.status is not SendStatus.SENT:
                return result
            first = first or result
        return first or SendResult(SendStatus.FAILED, error="empty message")

    async def _edit(
        self, job: Job, message_id: int, admission: Admission, report: DrainReport
    ) -> None:
        """Show a grown story in the message already sent about it.

        Telegram counts edits against its flood limits like sends, so an edit is admitted
        by the pacer like one.
        """
        row = job.row
        message = await self._patient(partial(self._compose.edit, row))
        if message is None:
            await self._patient(partial(self._outcome.missing, row, report))
            return
        call = partial(
            self._sender.edit, row.chat_id, message_id, message.parts[0], message.options
        )
        result = await admission.send(job, call)
        await self._patient(partial(self._outcome.record, row, result, report))
