"""Shared fixtures: the sandbox Bot API, a local source server, and the running bot."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

from bot.app import OutpostApp, build_application, running
from bot.context import Core
from bot.delivery.pacer import ClockTimer
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.paths import DATA
from tests.helpers.settings import make_settings

# Property tests measure nothing: no per-example deadline on a shared, busy machine.
settings.register_profile("outpost", deadline=None)
settings.load_profile("outpost")


# An URL of a PostgreSQL server the tests may create databases on; unset: SQLite only.
POSTGRES_ENV = "OUTPOST_TEST_POSTGRES"


def _with_database(url: str, name: str) -> str:
    """Return a server URL naming another database on it."""
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    server = rest.split("/", 1)[0]
    return f"{scheme}://{server}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """Where a test's database lives: a SQLite file, or a fresh PostgreSQL database (dropped after).

    The PostgreSQL case needs a server named by OUTPOST_TEST_POSTGRES and is skipped without.
    """
    if request.param == "sqlite":
        yield tmp_path / "outpost.sqlite3"
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test on")
    name = f"outpost_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def data_dir() -> Path:
    """The folder of test data files."""
    return DATA


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxBotAPI]:
    """A fake Telegram Bot API on a free loopback port."""
    api = SandboxBotAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def source_server() -> AsyncIterator[SourceServer]:
    """A local HTTP server for feeds and channel pages."""
    server = SourceServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand; starts just after the sample posts."""
    return ManualClock(datetime(2022, 10, 12, 12, 0, tzinfo=UTC))


@pytest.fixture
async def outpost(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[OutpostApp]:
    """The real Outpost application, polling the sandbox for updates.

    Its background loops are off: tests run polling cycles and outbox drains themselves, so
    they decide when sources are read and when messages go out.
    """
    app = build_application(
        make_settings(sandbox, tmp_path),
        clock=clock,
        poll_jobs=False,
        dispatch_loop=False,
        base_file_url=sandbox.base_file_url,
        timer=ClockTimer(clock),
    )
    async with running(app):
        yield app


@pytest.fixture
async def live_outpost(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[OutpostApp]:
    """The application with its outbox dispatcher running, as in production."""
    app = build_application(
        make_settings(sandbox, tmp_path),
        clock=clock,
        poll_jobs=False,
        base_file_url=sandbox.base_file_url,
    )
    async with running(app):
        yield app


@pytest.fixture
def core(outpost: OutpostApp) -> Core:
    """The running application's services."""
    return outpost.bot_data.core
