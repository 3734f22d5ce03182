"""The composition root: builds the PTB Application and everything it runs.

`post_init` opens the core services (`bot.services.open_services`: the database, the one
shared httpx client, the matcher, the pipeline), starts the outbox dispatcher, the
polling loop (`bot.pipeline.poller`: each source polled when it is due, every healthy one
at once at start) and, when OUTPOST_HTTP_LISTEN asks for it, the HTTP listener (/healthz,
/readyz, /metrics, and the WebSub callback); the JobQueue runs the daily retention job;
`post_shutdown` stops and closes all of it in reverse.
`running()` drives the same lifecycle inside an existing event loop, which is how the demo
and the tests run the real application next to their local servers.

Every Bot API call the application makes goes through one admission (`make_admission`):
the dispatcher's alerts, and through PTB's rate limiter (`PacedRateLimiter`) every reply,
apology and admin notice, ahead of the alerts. Updates are handled in order per chat and
at once across chats, after the per-user command budget (`handlers.gate`); getUpdates has
its own request object, which keeps polling alive through Telegram's passing 401/404s and
tells the updates watch (`bot.runtime.updates`) how reading updates goes.

In webhook mode (OUTPOST_WEBHOOK_URL) nothing polls: the listener stores what Telegram
posts (`bot.runtime.webhook_http`), the inbox (`bot.runtime.inbox`) handles it from the
database through the same update processor, and `serve_until_stopped` runs the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

import handlers
from bot.admin.notices import admin_languages
from bot.context import AdminSet, BotData, Context, Core
from bot.delivery.admission import Admission
from bot.delivery.dispatcher import DeliveryConfig, Dispatcher, make_admission
from bot.delivery.leased import LeasedSender
from bot.delivery.observed import ObservedSender
from bot.delivery.pacer import Limits, RealTimer, Timer
from bot.delivery.sender import (
    PacedRateLimiter,
    Sender,
    TelegramSender,
    UpdatesRequest,
    make_request,
)
from bot.models import Source
from bot.pipeline.cycle import CycleReport, IdentityChange, run_cycle
from bot.pipeline.poller import Poller
from bot.retention import run_retention
from bot.runtime import health
from bot.runtime.clock import Clock, SystemClock
from bot.runtime.flood import CommandBudget
from bot.runtime.heap import settle_heap
from bot.runtime.inbox import Inbox
from bot.runtime.lease import LeaseTimings, SenderLease, instance_id
from bot.runtime.listener import serving
from bot.runtime.metrics import Metrics
from bot.runtime.updates import UpdatesHealth
from bot.runtime.webhook_http import add_webhook_route
from bot.runtime.websub_http import add_websub_routes
from bot.services import Services, open_services
from bot.settings import Settings
from bot.ui import texts
from bot.ui.commands import commands_for
from bot.ui.i18n import DEFAULT as DEFAULT_LANGUAGE
from bot.ui.i18n import LANGUAGES
from handlers.gate import ChatOrderedProcessor

log = logging.getLogger(__name__)

# Opt in to PTB's coming behaviour (durations such as RetryAfter.retry_after are timedeltas)
# instead of a deprecation warning on every flood-control answer.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# The polling loop looks at the sources at least this often, even with nothing due: a
# source added by another process (`outpost addsource`, another instance) is picked up.
LOOK_AGAIN_S = 30.0
RETENTION_EVERY = timedelta(days=1)
RETENTION_FIRST = timedelta(minutes=10)  # after start: not while the first polls run

OutpostApp = Application[Any, Context, dict[Any, Any], dict[Any, Any], BotData, Any]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    poll_jobs: bool = True,
    dispatch_loop: bool = True,
    base_file_url: str | None = None,
    timer: Timer | None = None,
    freeze_heap: bool = False,
    lease_clock: Clock | None = None,
) -> OutpostApp:
    """Build the Application for these settings (nothing is opened until it starts).

    Tests turn `poll_jobs` and `dispatch_loop` off to run cycles and drains themselves, and
    pass a `timer` that moves their manual clock instead of sleeping while sends are paced.
    `freeze_heap` (the bot's own process) sets the garbage collector up for a long run once
    the services are open (`bot.runtime.heap.settle_heap`: what start-up built is frozen); a test
    process, which starts many applications, must not freeze each one's leftovers.
    `lease_clock` times the sender lease (default: the system clock, whatever `clock` is:
    the lease is shared with other processes, which read the same stored times).
    """
    if settings.bot_token is None:
        raise ValueError("OUTPOST_BOT_TOKEN is not set")
    clock = clock or SystemClock()
    services = contextlib.AsyncExitStack()  # what post_init opened, for post_shutdown
    config = delivery_config(settings)
    admission = make_admission(config, timer or RealTimer())
    updates = UpdatesHealth(clock, deaf_after=timedelta(seconds=settings.deaf_after))
    budget = CommandBudget(
        burst=settings.command_burst, per_second=settings.command_rate, mute=settings.flood_mute
    )

    async def post_init(app: OutpostApp) -> None:
        opened = await services.enter_async_context(
            open_services(
                settings,
                clock=clock,
                on_queued=functools.partial(_wake_dispatcher, app),
                on_deactivated=functools.partial(_tell_deactivated, app, settings),
                on_recovered=functools.partial(_tell_recovered, app, settings),
                on_identity_changed=functools.partial(_tell_identity, app, settings),
            )
        )
        await _start(
            app,
            opened,
            admission,
            config,
            poll_jobs=poll_jobs,
            dispatch_loop=dispatch_loop,
            lease_clock=lease_clock or SystemClock(),
        )
        if app.bot_data.lease is not None:
            # Before the database closes: a clean stop hands the lease over at once.
            services.push_async_callback(app.bot_data.lease.close)
        inbox = _start_inbox(app, opened) if settings.webhook_url is not None else None
        address = settings.listen_address()
        if address is not None:
            core = app.bot_data.core
            app.bot_data.http_port = await services.enter_async_context(
                serving(
                    *address,
                    functools.partial(health.check, core.health, core.db.ping),
                    metrics=core.metrics,
                    refresh=functools.partial(_observe_outbox, core),
                    routes=functools.partial(_routes, opened, inbox),
                    max_body=settings.max_response_bytes,
                )
            )
        if inbox is not None:
            await _set_webhook(app, settings)  # once the listener takes what Telegram posts
        if freeze_heap:
            settle_heap()
        lease = app.bot_data.lease
        if lease is not None and not lease.held:
            # A standby: it polls and matches (those tasks run meanwhile) but neither
            # reads updates nor runs the JobQueue until it holds the sender lease, so
            # PTB's polling, which starts once this returns, waits for that.
            log.info("instance %s is a standby: it polls and waits to send", lease.instance)
            await lease.until_held()

    async def post_shutdown(app: OutpostApp) -> None:
        await _stop(app)
        await services.aclose()

    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .request(make_request())
        .get_updates_request(UpdatesRequest(updates))
        .rate_limiter(PacedRateLimiter(admission, on_answer=updates.other_ok))
        .concurrent_updates(ChatOrderedProcessor(budget, clock))
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if base_file_url is not None:
        builder = builder.base_file_url(base_file_url)
    app: OutpostApp = builder.build()
    app.bot_data.updates = updates
    handlers.register(app)
    return app


def _routes(services: Services, inbox: Inbox | None, web_app: web.Application) -> None:
    """Add the listener's optional routes: the WebSub callback, Telegram's webhook."""
    if services.pipeline.websub is not None:
        add_websub_routes(web_app, pipe=services.pipeline)
    path, secret = services.settings.webhook_path(), services.settings.webhook_secret
    if inbox is not None and path is not None and secret is not None:
        add_webhook_route(web_app, path=path, secret=secret.get_secret_value(), store=inbox.receive)


def _start_inbox(app: OutpostApp, services: Services) -> Inbox:
    """Start handling the webhook's stored updates (webhook mode's update loop)."""
    core = app.bot_data.core

    async def handle(_: int, payload: str) -> None:
        update = Update.de_json(json.loads(payload), app.bot)
        # Through the update processor, as PTB's own loop does: each chat's updates in
        # order, the per-user command budget charged first (handlers.gate).
        await app.update_processor.process_update(update, app.process_update(update))

    def on_round() -> None:
        core.health.tick("inbox")
        if app.bot_data.updates is not None:
            app.bot_data.updates.updates_ok()  # reading updates works, as a getUpdates answer

    def may_handle() -> bool:
        # Only the sender handles updates, as only it reads getUpdates in polling mode:
        # replies stay within the one sender's rate and each chat's order is one process's.
        lease = app.bot_data.lease
        return lease is None or lease.held

    inbox = Inbox(services.db, services.clock, handle, on_round=on_round, may_handle=may_handle)
    task = asyncio.create_task(inbox.run(), name="updates-inbox")
    app.bot_data.tasks.append(task)
    core.health.expect("inbox", task)
    return inbox


async def _set_webhook(app: OutpostApp, settings: Settings) -> None:
    """Ask Telegram to post updates to the webhook, retrying what fails for a while.

    Every instance sets the same URL (any of them may receive); none deletes it when it
    stops, since the others still receive. A rejected token ends the start at once.
    """
    assert settings.webhook_url is not None  # noqa: S101 -- webhook mode only
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    wait = 1.0
    while True:
        try:
            await app.bot.set_webhook(settings.webhook_url, secret_token=secret)
        except (NetworkError, RetryAfter) as exc:  # a rejected token (InvalidToken) ends it
            log.warning("setting the webhook failed (%s); trying again in %.0f s", exc, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, 60.0)
        else:
            log.info("webhook set: Telegram posts updates to %s", settings.webhook_url)
            return


def delivery_config(settings: Settings) -> DeliveryConfig:
    """Return how the settings ask alerts (and, sharing the limits, all sends) to be paced."""
    return DeliveryConfig(
        limits=Limits(global_per_s=settings.global_rate),
        max_age=timedelta(seconds=settings.delivery_max_age),
        paid_broadcast=settings.paid_broadcast,
        lease=timedelta(seconds=settings.delivery_lease),
        alerts_per_hour=settings.max_alerts_per_hour,
    )


async def _start(
    app: OutpostApp,
    services: Services,
    admission: Admission,
    config: DeliveryConfig,
    *,
    poll_jobs: bool,
    dispatch_loop: bool,
    lease_clock: Clock,
) -> None:
    """Start the dispatcher and schedule polling on the open services (PTB's post_init).

    With the dispatch loop on, the dispatcher and reading updates run only while this
    instance holds the sender lease (`bot.runtime.lease`): a lone instance takes it at
    once, several on one database take turns.
    """
    settings = services.settings
    metrics = Metrics() if settings.metrics else None
    heartbeats = health.Heartbeats(services.clock, timedelta(seconds=settings.stall_after))
    sender: Sender = TelegramSender(app.bot)
    if metrics is not None:
        sender = ObservedSender(sender, metrics)
    instance = instance_id()
    lease: SenderLease | None = None
    if dispatch_loop:
        role = _SenderRole(app, heartbeats, metrics)
        lease = SenderLease(
            services.db,
            lease_clock,
            instance=instance,
            timings=LeaseTimings(timedelta(seconds=settings.sender_lease)),
            on_gain=role.gain,
            on_loss=role.lose,
            on_step=role.step,
        )
        sender = LeasedSender(sender, lambda: lease is not None and lease.held)
        app.bot_data.lease = lease
    dispatcher = Dispatcher(
        services.db,
        sender,
        services.catalog,
        services.clock,
        places=services.matcher.places,
        config=config,
        on_tick=functools.partial(heartbeats.tick, "dispatcher"),
        admission=admission,
        on_gone=functools.partial(_tell_gone, app, settings),
    )
    app.bot_data.core = Core(
        settings=settings,
        db=services.db,
        http=services.http,
        catalog=services.catalog,
        matcher=services.matcher,
        clock=services.clock,
        pipeline=services.pipeline,
        dispatcher=dispatcher,
        admins=AdminSet(set(await services.db.admin.all())),
        health=heartbeats,
        metrics=metrics,
        poller=Poller(
            services.pipeline,
            holder=instance,
            on_round=functools.partial(heartbeats.tick, "poll"),
            on_poll=functools.partial(_observe_poll, metrics),
            max_sleep=min(settings.stall_after / 3, LOOK_AGAIN_S),
        )
        if poll_jobs
        else None,
    )
    if lease is not None:
        if metrics is not None:
            metrics.lease_held.set(0)
        await lease.step()  # a lone instance holds it from here on, and starts sending
        # Not a readiness heartbeat: a standby is ready without sending, and a holder
        # whose lease loop stalls stops sending on its own (`LeasedSender`).
        app.bot_data.tasks.append(asyncio.create_task(lease.run(), name="sender-lease"))
    poller = app.bot_data.core.poller
    if poller is not None:
        # One loop that sleeps until the next source is due (no grid of its own), first
        # polling every healthy source right away.
        task = asyncio.create_task(poller.run(), name="poller")
        app.bot_data.tasks.append(task)
        heartbeats.expect("poll", task)
    if app.bot_data.updates is not None:
        heartbeats.watch("updates", app.bot_data.updates.problem)  # /readyz fails when deaf
    if app.job_queue is not None:
        watch_every = min(settings.deaf_after / 4, 30.0)
        app.job_queue.run_repeating(_watch_updates, interval=watch_every, name="updates-watch")
        app.job_queue.run_repeating(
            _retention_job,
            interval=RETENTION_EVERY,
            first=RETENTION_FIRST,
            name="retention",
            data=_RetentionState(),
        )
    try:
        for lang in LANGUAGES:
            # English is also the menu of every language Outpost does not speak.
            code = None if lang == DEFAULT_LANGUAGE else lang
            await app.bot.set_my_commands(commands_for(lang), language_code=code)
    except Exception:  # noqa: BLE001 -- a menu is a nicety; the bot works without it
        log.warning("could not set the command menu")


class _SenderRole:
    """What only the sender-lease holder runs: the dispatcher, and reading updates."""

    def __init__(self, app: OutpostApp, heartbeats: health.Heartbeats, metrics: Metrics | None):
        self._app = app
        self._heartbeats = heartbeats
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None

    async def gain(self) -> None:
        """Start the dispatcher (reading updates follows at the next step)."""
        dispatcher = self._app.bot_data.core.dispatcher
        self._task = asyncio.create_task(dispatcher.run(), name="outbox-dispatcher")
        self._app.bot_data.tasks.append(self._task)
        self._heartbeats.expect("dispatcher", self._task)
        if self._metrics is not None:
            self._metrics.lease_held.set(1)

    async def lose(self) -> None:
        """Stop the dispatcher and reading updates; wait until the dispatcher has stopped."""
        if self._metrics is not None:
            self._metrics.lease_held.set(0)
        self._heartbeats.forget("dispatcher")
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            with contextlib.suppress(ValueError):
                self._app.bot_data.tasks.remove(task)
        await self.step(held=False)

    async def step(self, held: bool) -> None:
        """Read updates exactly while the lease is held (once the application runs).

        A standby waits in `post_init` until it holds the lease, so PTB starts reading
        updates only then; a holder that loses the lease later stops reading here, and
        starts again if it takes the lease back.
        """
        app = self._app
        lease = app.bot_data.lease
        if held and lease is not None and lease.others:
            # Alerts another instance queued woke nobody here: look at the outbox now.
            app.bot_data.core.dispatcher.wake()
        if app.bot_data.updates is not None:
            app.bot_data.updates.listen(held)
        updater = app.updater
        if updater is None or not app.running or updater.running == held:
            return
        try:
            if held:
                await updater.start_polling(error_callback=_polling_failed)
            else:
                await updater.stop()
        except Exception:  # noqa: BLE001 -- tried again at the next step
            log.warning("could not %s reading updates", "start" if held else "stop")


def _wake_dispatcher(app: OutpostApp) -> None:
    """Tell the dispatcher that alerts were queued (the pipeline's hook).

    The dispatcher is built on the open services, after the pipeline, so the hook looks it
    up when it is called rather than when the pipeline is built.
    """
    app.bot_data.core.dispatcher.wake()


async def _tell_deactivated(app: OutpostApp, settings: Settings, source: Source, kind: str) -> None:
    """Tell the admins that failures turned a source off (the pipeline's hook)."""
    await notify_admins(app, settings, lambda ui: texts.source_deactivated(ui, source, kind))


async def _tell_recovered(app: OutpostApp, settings: Settings, source: Source) -> None:
    """Tell the admins that a failing source answers again (the pipeline's hook)."""
    await notify_admins(app, settings, lambda ui: texts.source_recovered(ui, source))


async def _tell_identity(app: OutpostApp, settings: Settings, change: IdentityChange) -> None:
    """Tell the admins that a channel shows another title, or another channel (a hook)."""

    def render(ui: texts.UI) -> str:
        return texts.source_identity(
            ui, change.source, change.title, change.channel_id, paused=change.paused
        )

    await notify_admins(app, settings, render)


async def _tell_gone(app: OutpostApp, settings: Settings, chat_id: int) -> None:
    """Tell the admins that Telegram no longer knows a chat (the dispatcher's hook)."""
    chat = await app.bot_data.core.db.chats.get(chat_id)
    title = chat.title if chat else None
    await notify_admins(app, settings, lambda ui: texts.chat_gone(ui, chat_id, title))


async def _watch_updates(context: Context) -> None:
    """Say at ERROR when updates stopped coming while Telegram answers (a JobQueue job)."""
    if context.bot_data.updates is not None:
        context.bot_data.updates.check()


def token_rejected(exc: BaseException) -> bool:
    """Tell whether an error that ended the bot is Telegram rejecting its token."""
    return isinstance(exc, InvalidToken)


def _polling_failed(exc: TelegramError) -> None:
    """Note a failed getUpdates in one line: the loop retries it, the watch judges it."""
    log.warning("reading updates failed (%s); trying again", exc)


async def notify_admins(
    app: OutpostApp, settings: Settings, render: Callable[[texts.UI], str]
) -> int:
    """Send every owner an HTML notice in their own language; return how many got it."""
    core = app.bot_data.core
    languages = await admin_languages(core.db, settings.admin_ids)
    sent = 0
    for admin_id in sorted(settings.admin_ids):
        ui = texts.ui_for(languages[admin_id], core.catalog, core.matcher.places)
        try:
            await app.bot.send_message(admin_id, render(ui), parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            # An admin who never started the bot cannot be written to; the others still are.
            log.warning("could not notify admin %d: %s", admin_id, exc)
        else:
            sent += 1
    return sent


@dataclass(slots=True)
class _RetentionState:
    """What the daily retention job remembers between its runs (not across restarts)."""

    texts_through: datetime | None = None  # events seen before this were looked at


async def _retention_job(context: Context) -> None:
    """Prune what is past its time, in small batches (a daily JobQueue callback).

    Events' texts are looked for from a day before where the previous run got to (the
    first run after a start looks at every event), so a run walks about a day of events.
    """
    core = context.core
    state = context.job.data if context.job is not None else None
    since = None
    if isinstance(state, _RetentionState) and state.texts_through is not None:
        since = state.texts_through - timedelta(days=1)
    report = await run_retention(core.db, core.settings, core.clock, texts_since=since)
    if isinstance(state, _RetentionState):
        state.texts_through = report.texts_through


async def poll_cycle(core: Core) -> CycleReport:
    """Poll every due source once (`outpost poll`): its loop ticks, its figures are counted."""
    core.health.tick("poll")
    started = time.perf_counter()
    try:
        report = await run_cycle(core.pipeline)
    finally:
        core.health.tick("poll")
    _observe_poll(core.metrics, None, report, seconds=time.perf_counter() - started)
    return report


def _observe_poll(
    metrics: Metrics | None, _: Source | None, report: CycleReport, *, seconds: float = 0.0
) -> None:
    """Count a poll's figures (one source's poll from the loop, or a whole cycle)."""
    if metrics is not None:
        metrics.observe_cycle(
            seconds=seconds,
            ok=report.ok,
            not_modified=report.not_modified,
            errors=list(report.errors.values()),
            new_events=report.new_events,
            joined=report.joined,
            queued=report.queued,
        )


async def _observe_outbox(core: Core) -> None:
    """Bring the outbox gauges up to date (before /metrics answers)."""
    if core.metrics is not None:
        now = core.clock.now()
        count, oldest = await core.db.outbox.backlog(now=now)
        core.metrics.observe_outbox(count, oldest, now)


async def _stop(app: OutpostApp) -> None:
    """Cancel and await the background tasks `_start` began (PTB's post_shutdown)."""
    for task in app.bot_data.tasks:
        task.cancel()
    for task in app.bot_data.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    app.bot_data.tasks.clear()


@contextlib.asynccontextmanager
async def running(app: OutpostApp, *, poll_timeout: float = 1.0) -> AsyncIterator[OutpostApp]:
    """Run the application inside the current event loop, as `run_polling` would.

    In webhook mode nothing polls: updates come through the listener and the inbox.
    """
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None  # noqa: S101 -- built with the default updater
        if app.bot_data.core.settings.webhook_url is None:
            await app.updater.start_polling(
                poll_interval=0.0, timeout=int(poll_timeout), error_callback=_polling_failed
            )
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:  # a standby does not read updates
                await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def serve_until_stopped(app: OutpostApp) -> None:
    """Run the application until SIGINT or SIGTERM (webhook mode, which has no polling
    loop for `run_polling` to drive)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running(app):
        await stop.wait()
    log.info("stopped")
