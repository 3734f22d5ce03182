"""The composition root: builds the PTB Application and everything it runs.

`post_init` opens the database and the one shared httpx client and starts the outbox
dispatcher; the JobQueue runs the polling cycles; `post_shutdown` stops and closes all of
it in reverse. `running()` drives the same lifecycle inside an existing event loop, which
is how the demo and the tests run the real application next to their local servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder, ContextTypes

import handlers
from bot import __version__
from bot.clock import Clock, SystemClock
from bot.context import BotData, Context, Core
from bot.delivery.dispatcher import DeliveryConfig, Dispatcher
from bot.delivery.pacer import Limits, Timer
from bot.delivery.sender import TelegramSender
from bot.matching import Matcher, default_places, load_catalog
from bot.pipeline.cycle import Pipeline, run_cycle
from bot.pipeline.fetch import Fetcher, make_client
from bot.settings import Settings
from storage import open_database

log = logging.getLogger(__name__)

# Opt in to PTB's coming behaviour (durations such as RetryAfter.retry_after are timedeltas)
# instead of a deprecation warning on every flood-control answer.
os.environ.setdefault("PTB_TIMEDELTA", "true")

OutpostApp = Application[Any, Context, dict[Any, Any], dict[Any, Any], BotData, Any]

USER_AGENT = f"Outpost/{__version__} (+https://github.com/outpost-alerts/outpost)"

COMMANDS = [
    BotCommand("topics", "Choose topics"),
    BotCommand("status", "What is going on right now"),
    BotCommand("mysubs", "Your subscriptions"),
    BotCommand("subscribe", "Subscribe to a topic"),
    BotCommand("unsubscribe", "Stop a topic"),
    BotCommand("digest", "Alerts at once, or an hourly or daily digest"),
    BotCommand("quiet", "Quiet hours"),
    BotCommand("timezone", "Your time zone"),
    BotCommand("previews", "Link previews on or off"),
    BotCommand("help", "How Outpost works"),
]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    poll_jobs: bool = True,
    dispatch_loop: bool = True,
    base_file_url: str | None = None,
    timer: Timer | None = None,
) -> OutpostApp:
    """Build the Application for these settings (nothing is opened until it starts).

    Tests turn `poll_jobs` and `dispatch_loop` off to run cycles and drains themselves, and
    pass a `timer` that moves their manual clock instead of sleeping while sends are paced.
    """
    if settings.bot_token is None:
        raise ValueError("OUTPOST_BOT_TOKEN is not set")
    clock = clock or SystemClock()

    async def post_init(app: OutpostApp) -> None:
        await _open(app, settings, clock, timer, poll_jobs=poll_jobs, dispatch_loop=dispatch_loop)

    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .post_init(post_init)
        .post_shutdown(_close)
    )
    if base_file_url is not None:
        builder = builder.base_file_url(base_file_url)
    app: OutpostApp = builder.build()
    handlers.register(app)
    return app


async def _open(
    app: OutpostApp,
    settings: Settings,
    clock: Clock,
    timer: Timer | None,
    *,
    poll_jobs: bool,
    dispatch_loop: bool,
) -> None:
    """Open the services, start the dispatcher and schedule polling (PTB's post_init)."""
    db = await open_database(settings.database)
    http = make_client(USER_AGENT, settings.http_timeout)
    catalog = load_catalog(settings.catalog)
    matcher = Matcher(catalog, default_places())
    dispatcher = Dispatcher(
        db,
        TelegramSender(app.bot),
        catalog,
        clock,
        timer=timer,
        config=DeliveryConfig(
            limits=Limits(global_per_s=settings.global_rate),
            max_age=timedelta(seconds=settings.delivery_max_age),
            paid_broadcast=settings.paid_broadcast,
            lease=timedelta(seconds=settings.delivery_lease),
        ),
    )
    pipeline = Pipeline(
        db=db,
        fetcher=Fetcher(
            http,
            allow_private=settings.allow_private_sources,
            max_bytes=settings.max_response_bytes,
            total_timeout=settings.http_timeout * 2,
        ),
        matcher=matcher,
        catalog=catalog,
        clock=clock,
        poll_interval=timedelta(seconds=settings.poll_interval),
        on_queued=dispatcher.wake,
    )
    app.bot_data.core = Core(
        settings=settings,
        db=db,
        http=http,
        catalog=catalog,
        matcher=matcher,
        clock=clock,
        pipeline=pipeline,
        dispatcher=dispatcher,
    )
    if dispatch_loop:
        app.bot_data.tasks.append(asyncio.create_task(dispatcher.run(), name="outbox-dispatcher"))
    if poll_jobs and app.job_queue is not None:
        # Check often for due sources; each source's own next_poll_at decides when it is polled.
        app.job_queue.run_repeating(
            _poll_job, interval=min(settings.poll_interval, 30.0), first=0, name="poll"
        )
    try:
        await app.bot.set_my_commands(COMMANDS)
    except Exception:  # noqa: BLE001 -- a menu is a nicety; the bot works without it
        log.warning("could not set the command menu")


async def _poll_job(context: Context) -> None:
    """Run one polling cycle (a JobQueue callback)."""
    await run_cycle(context.core.pipeline)


async def _close(app: OutpostApp) -> None:
    """Stop background work and close what post_init opened, in reverse."""
    for task in app.bot_data.tasks:
        task.cancel()
    for task in app.bot_data.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    app.bot_data.tasks.clear()
    with contextlib.suppress(RuntimeError):
        core = app.bot_data.core
        await core.http.aclose()
        await core.db.close()


@contextlib.asynccontextmanager
async def running(app: OutpostApp, *, poll_timeout: float = 1.0) -> AsyncIterator[OutpostApp]:
    """Run the application inside the current event loop, as `run_polling` would."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None  # noqa: S101 -- built with the default updater
        await app.updater.start_polling(poll_interval=0.0, timeout=int(poll_timeout))
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
