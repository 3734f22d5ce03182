"""The one wiring: open Outpost's core services together and close them in reverse.

The bot (`bot.app`), the command line (`bot.cli`) and the benchmarks all get the database,
the one shared HTTP client, the topic catalog and matcher, the fetcher, the polling pipeline
and, when the settings ask for them, the parse/match worker processes from `open_services`,
so how they are built, and in which order they are released, is written once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.matching import Catalog, Matcher, default_places, load_catalog
from bot.pipeline.cycle import (
    DeactivationHook,
    IdentityHook,
    Pipeline,
    RecoveryHook,
    build_pipeline,
)
from bot.pipeline.fetch.fetcher import DEFAULT_USER_AGENT, Fetcher, make_client, make_fetcher
from bot.pipeline.fetch.ssrf import UrlGuard
from bot.pipeline.websub import Subscriber
from bot.pipeline.workers import make_process_pool
from bot.runtime.clock import Clock, SystemClock
from bot.settings import Settings, default_data_dir
from storage import Database, open_database


@dataclass(frozen=True, slots=True)
class Services:
    """The open core services; valid only inside `open_services`."""

    settings: Settings
    clock: Clock
    db: Database
    http: httpx.AsyncClient
    catalog: Catalog
    matcher: Matcher
    fetcher: Fetcher
    pipeline: Pipeline
    pool: Executor | None  # parse/match worker processes, if any were started


@contextlib.asynccontextmanager
async def open_db(settings: Settings) -> AsyncIterator[Database]:
    """Open only the database, for the commands that need nothing else; closed on exit.

    The platform's own data folder is created for the default database the first time; a
    folder the operator named (OUTPOST_DATA_DIR, OUTPOST_DATABASE) must exist, since a
    missing one is a failed mount or a typo (`storage.open_database` says so).
    """
    path = settings.database_path
    if settings.data_dir == default_data_dir() and (
        path is None or path.parent == settings.data_dir
    ):
        await asyncio.to_thread(settings.data_dir.mkdir, parents=True, exist_ok=True)
    db = await open_database(
        settings.database,
        create=settings.create_database,
        pool_size=settings.database_pool_size,
    )
    try:
        yield db
    finally:
        await db.close()


def workers_record(settings: Settings) -> Path | None:
    """Return where worker processes are recorded: beside the database (none in memory)."""
    path = settings.database_path
    if path is None:  # PostgreSQL: the data folder holds the record, if there is one
        return settings.data_dir / "outpost.workers" if settings.data_dir.is_dir() else None
    if str(path) == ":memory:":
        return None
    return path.with_name(path.name + ".workers")


def load_matcher(settings: Settings) -> tuple[Catalog, Matcher]:
    """Read the operator's topic catalog (or the shipped one) and build the matcher on it."""
    catalog = load_catalog(settings.catalog)
    return catalog, Matcher(catalog, default_places())


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    workers: bool = True,
    on_queued: Callable[[], None] | None = None,
    on_deactivated: DeactivationHook | None = None,
    on_recovered: RecoveryHook | None = None,
    on_identity_changed: IdentityHook | None = None,
) -> AsyncIterator[Services]:
    """Open the services the settings describe; on exit close them, the last opened first.

    `workers=False` never starts worker processes (one-off commands, whose few documents do
    not repay starting them); otherwise OUTPOST_PARSE_WORKERS decides. The hooks are the
    pipeline's: a new alert was queued, a source was turned off, a failing source is back,
    a channel shows another title or another channel.
    If opening fails half-way, what was already opened is closed before the error rises.
    """
    clock = clock or SystemClock()
    async with contextlib.AsyncExitStack() as stack:
        db = await stack.enter_async_context(open_db(settings))
        # One guard for adding sources and for every poll's connections.
        guard = UrlGuard(allow_private=settings.allow_private_sources)
        http = make_client(
            DEFAULT_USER_AGENT,
            settings.http_timeout,
            allow_private=settings.allow_private_sources,
            guard=guard,
        )
        stack.push_async_callback(http.aclose)
        catalog, matcher = load_matcher(settings)
        fetcher = make_fetcher(settings, http, guard)
        count = settings.worker_processes() if workers else 0
        pool = (
            make_process_pool(settings.catalog, count, record=workers_record(settings))
            if count
            else None
        )
        if pool is not None:
            # Off the loop: shutting down waits for the worker processes to exit.
            stack.push_async_callback(asyncio.to_thread, pool.shutdown, cancel_futures=True)
        websub = None
        if settings.websub_callback_url and settings.listen_address() is not None:
            websub = Subscriber(db, http, clock, settings.websub_callback_url)
        pipeline = build_pipeline(
            settings,
            db=db,
            fetcher=fetcher,
            matcher=matcher,
            catalog=catalog,
            clock=clock,
            on_queued=on_queued,
            on_deactivated=on_deactivated,
            on_recovered=on_recovered,
            executor=pool,
            websub=websub,
            on_identity_changed=on_identity_changed,
        )
        yield Services(
            settings=settings,
            clock=clock,
            db=db,
            http=http,
            catalog=catalog,
            matcher=matcher,
            fetcher=fetcher,
            pipeline=pipeline,
            pool=pool,
        )
