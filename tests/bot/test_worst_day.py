"""The worst day from outside, end to end: Telegram down for a while, the database locked by
another writer or out of room. The real application against the sandbox Bot API, a local
source server and a real SQLite file; nothing is lost, and what waited catches up.

Time is the test's clock: backoffs and the outage's length are simulated, so only the few
real seconds PTB's own polling backoff takes pass while the sandbox is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from bot.admin.intake import add_source
from bot.app import OutpostApp
from bot.context import Core
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.pacer import ClockTimer
from bot.delivery.sender import Sender, SendOptions, SendResult, SendStatus, TelegramSender
from bot.pipeline.cycle import CycleReport, run_cycle
from bot.pipeline.poller import RETRY_S, Poller
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.bot_process import enqueue_fan_out
from tests.helpers.chat import ALICE, BOB
from tests.helpers.locks import OtherWriter
from tests.helpers.sources import DRILLS, rss

NEWS = ("d9", "Учения войск у Мозыря")


async def watching(core: Core, sandbox: SandboxBotAPI, source_server: SourceServer) -> None:
    """ALICE follows drills; one source is added and its first (silent) poll done."""
    sandbox.register_chat(ALICE)
    now = core.clock.now()
    await core.db.chats.register(ALICE, chat_type="private", title=None, language="en", now=now)
    await core.db.chats.subscribe(ALICE, "drills", now=now)
    url = source_server.add("feed.rss", rss(*DRILLS))
    await add_source(core.db, url, now=now, allow_private=True, name="N")
    await run_cycle(core.pipeline, all_sources=True)


def alerts_to(sandbox: SandboxBotAPI, chat_id: int) -> list[str]:
    """The alerts about the news a chat got."""
    return [m.text or "" for m in sandbox.messages_to(chat_id) if "Мозыря" in (m.text or "")]


async def test_telegram_down_for_a_minute_loses_no_alert_and_no_command(
    sandbox: SandboxBotAPI,
    outpost: OutpostApp,
    core: Core,
    source_server: SourceServer,
    clock: ManualClock,
) -> None:
    await watching(core, sandbox, source_server)
    port = sandbox.port
    await sandbox.stop()  # Telegram unreachable: every call is refused at the socket

    source_server.add("feed.rss", rss(NEWS, *DRILLS))
    assert (await run_cycle(core.pipeline, all_sources=True)).queued == 1
    report = await core.dispatcher.drain()
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    sandbox.push_message(chat_id=BOB, text="/help")  # a user writes while the bot cannot read
    clock.advance(timedelta(seconds=60))
    report = await core.dispatcher.drain()
    assert (report.sent, report.failed) == (0, 0)

    await sandbox.start(port=port)  # Telegram is back
    clock.advance(timedelta(minutes=5))  # past any backoff the row was given
    report = await core.dispatcher.drain()
    assert report.sent == 1
    assert len(alerts_to(sandbox, ALICE)) == 1
    # The command sent during the outage is read and answered once polling reconnects.
    answers = await sandbox.wait_for_messages(BOB, 1, timeout=30)
    assert "/topics" in (answers[0].text or "")
    assert await core.db.outbox.counts() == {"sent": 1}


@asynccontextmanager
async def write_locked(database: Path) -> AsyncIterator[None]:
    """Hold the database's write lock from another connection (a second writer, a backup
    tool, a stuck migration) for as long as the block runs."""
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@asynccontextmanager
async def disk_full(core: Core) -> AsyncIterator[None]:
    """Leave the database no room to grow, as a full disk does: SQLite answers
    SQLITE_FULL ("database or disk is full") to a write that needs a new page."""
    await core.db.execute("PRAGMA incremental_vacuum")  # no free page left to reuse
    (pages,) = (await core.db.fetchone("PRAGMA page_count")) or (0,)
    await core.db.execute(f"PRAGMA max_page_count = {int(pages)}")
    try:
        yield
    finally:
        await core.db.execute("PRAGMA max_page_count = 4294967294")


class Nudged:
    """A sleeper for the polling loop that waits until it is woken or the test nudges it,
    and records how long the loop asked to sleep."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.nudge = asyncio.Event()

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        self.asked.append(seconds)
        waits = [asyncio.ensure_future(e.wait()) for e in (event, self.nudge)]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        self.nudge.clear()


async def test_a_write_lock_held_as_polling_starts_is_outlasted(
    sandbox: SandboxBotAPI,
    outpost: OutpostApp,
    core: Core,
    source_server: SourceServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await watching(core, sandbox, source_server)
    # The application's own connection waits this long for a lock (5 s in production):
    # short here, so the lock outlasts it at once and each statement fails as it would then.
    await core.db.execute("PRAGMA busy_timeout = 100")
    source_server.add("feed.rss", rss(NEWS, *DRILLS))
    sleeper = Nudged()
    queued: list[int] = []
    poller = Poller(
        core.pipeline, sleeper=sleeper, on_poll=lambda _source, report: queued.append(report.queued)
    )
    async with write_locked(core.settings.database):
        loop = asyncio.create_task(poller.run())
        # The loop meets the lock as it starts, says so, and waits to try again...
        await sandbox.wait_for(lambda: len(sleeper.asked) == 1)
        sleeper.nudge.set()  # ...and again, while the lock is still held
        await sandbox.wait_for(lambda: len(sleeper.asked) == 2)
        assert sleeper.asked == [5.0, 5.0]
        assert not loop.done()
    failed = [r for r in caplog.records if "polling loop could not start" in r.getMessage()]
    assert len(failed) == 2
    assert all("database is locked" in str(r.exc_info[1]) for r in failed if r.exc_info)
    try:
        sleeper.nudge.set()  # the lock is gone: the loop's next try polls the source
        await sandbox.wait_for(lambda: sum(queued) == 1 or loop.done())
        assert not loop.done()
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    report = await core.dispatcher.drain()
    assert report.sent == 1
    assert len(alerts_to(sandbox, ALICE)) == 1


async def test_a_full_disk_during_a_poll_is_survived_and_caught_up(
    sandbox: SandboxBotAPI,
    outpost: OutpostApp,
    core: Core,
    source_server: SourceServer,
) -> None:
    await watching(core, sandbox, source_server)
    # A long item: storing it needs new pages, which a full disk cannot give.
    news = (NEWS[0], NEWS[1] + " " + "подробности " * 400)
    source_server.add("feed.rss", rss(news, *DRILLS))

    async with disk_full(core):
        report = await run_cycle(core.pipeline, all_sources=True)
        assert report.queued == 0
        assert report.errors == {"N": "internal_error"}  # counted, logged, the cycle went on
    assert alerts_to(sandbox, ALICE) == []

    # Room again: the next poll finds the item again (nothing was half stored).
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.queued == 1
    report = await core.dispatcher.drain()
    assert report.sent == 1
    assert len(alerts_to(sandbox, ALICE)) == 1
    assert await core.db.outbox.counts() == {"sent": 1}
    assert (await run_cycle(core.pipeline, all_sources=True)).queued == 0  # no second copy


async def test_a_poll_whose_failure_cannot_be_recorded_is_a_counted_failure(
    sandbox: SandboxBotAPI,
    core: Core,
    source_server: SourceServer,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await watching(core, sandbox, source_server)
    await core.db.execute("PRAGMA busy_timeout = 100")  # the lock outlasts it at once
    sleeper = Nudged()
    polls: list[CycleReport] = []
    poller = Poller(core.pipeline, sleeper=sleeper, on_poll=lambda _source, r: polls.append(r))
    loop = asyncio.create_task(poller.run())
    try:
        await sandbox.wait_for(lambda: len(polls) == 1 and len(sleeper.asked) >= 1)
        # The news comes slowly, and another writer takes the lock while it does: the poll
        # can neither read what it knows nor put its next poll off.
        document = rss(NEWS, *DRILLS)
        source_server.add_slow("feed.rss", [document[:100], document[100:]], 1.0)
        asked = len(source_server.requests_to("feed.rss"))
        clock.advance(timedelta(days=1))
        sleeper.nudge.set()
        await sandbox.wait_for(lambda: len(source_server.requests_to("feed.rss")) > asked)
        async with write_locked(core.settings.database):
            await sandbox.wait_for(lambda: len(polls) == 2 or loop.done())
            assert not loop.done()
        assert (polls[1].failed, polls[1].errors) == (1, {"N": "internal_error"})
        assert polls[1].ok == polls[1].queued == 0
        about = [
            r
            for r in caplog.records
            if r.name.startswith("bot.pipeline")
            and r.levelno >= logging.ERROR
            and "source N" in r.getMessage()
        ]
        assert [r.exc_info is not None for r in about] == [True, False]  # one traceback
        assert "could not record the failure of source N" in about[1].getMessage()

        # The lock is gone, but the source is not polled again at once...
        source_server.add("feed.rss", document)
        seen = len(sleeper.asked)
        sleeper.nudge.set()
        await sandbox.wait_for(lambda: len(sleeper.asked) > seen and sleeper.asked[-1] == RETRY_S)
        assert len(polls) == 2
        # ...but a few seconds on, and then the news is stored and alerted.
        clock.advance(timedelta(seconds=RETRY_S))
        sleeper.nudge.set()
        await sandbox.wait_for(lambda: len(polls) == 3 or loop.done())
        assert polls[2].queued == 1
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    report = await core.dispatcher.drain()
    assert report.sent == 1
    assert len(alerts_to(sandbox, ALICE)) == 1


class LockingAfter:
    """A sender that lets Telegram's answers through and, right after Telegram accepted the
    `after`-th message (before the dispatcher can record it), has another writer lock the
    database."""

    def __init__(self, inner: Sender, writer: OtherWriter, *, after: int) -> None:
        self._inner = inner
        self._writer = writer
        self._after = after
        self.accepted = 0

    async def send(self, chat_id: int, text: str, options: SendOptions) -> SendResult:
        result = await self._inner.send(chat_id, text, options)
        if result.status is SendStatus.SENT:
            self.accepted += 1
            if self.accepted == self._after:
                await self._writer.lock()
        return result

    async def edit(
        self, chat_id: int, message_id: int, text: str, options: SendOptions
    ) -> SendResult:
        return await self._inner.edit(chat_id, message_id, text, options)


async def test_a_drain_that_meets_a_locked_database_delivers_everything_once(
    sandbox: SandboxBotAPI,
    outpost: OutpostApp,
    core: Core,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chats = range(3001, 3021)
    for chat_id in chats:
        sandbox.register_chat(chat_id)
    await enqueue_fan_out(core.db, chats, clock.now(), source_name="Lock test")
    await core.db.execute("PRAGMA busy_timeout = 100")  # the lock outlasts it at once
    writer = OtherWriter(core.settings.database)
    sender = LockingAfter(TelegramSender(outpost.bot), writer, after=3)
    dispatcher = Dispatcher(core.db, sender, core.catalog, clock, timer=ClockTimer(clock))

    def waiting() -> bool:
        return any("delivery waits for the database" in r.getMessage() for r in caplog.records)

    async def unlock_after_a_while() -> None:
        await sandbox.wait_for(waiting)
        await asyncio.sleep(0.5)  # a few more tries meet the lock
        await writer.unlock()

    try:
        unlocking = asyncio.create_task(unlock_after_a_while())
        report = await dispatcher.drain()
        await unlocking
    finally:
        await writer.unlock()
        writer.close()
    assert sender.accepted >= 3  # the lock was taken mid drain
    per_chat = Counter(m.chat_id for m in sandbox.sent)
    assert per_chat == dict.fromkeys(chats, 1)  # every chat once: nothing lost, nothing doubled
    assert report.sent == len(chats)
    assert await core.db.outbox.counts() == {"sent": len(chats)}
    delivery = [r for r in caplog.records if r.name.startswith("bot.delivery")]
    assert not [r for r in delivery if r.exc_info]  # waited out, not a traceback per row
