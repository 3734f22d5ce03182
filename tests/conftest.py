"""Shared fixtures: the sandbox Bot API, a local source server, the running bot, and the
databases (SQLite and PostgreSQL) a test can run over."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from bot.app import OutpostApp, build_application, running
from bot.context import Core
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.backends import database_at
from tests.helpers.instance import instance
from tests.helpers.paths import DATA
from tests.helpers.postgres import PgServer, PostgresUnavailableError, server_for_tests, unavailable
from tests.helpers.settings import make_settings

# Property tests measure nothing: no per-example deadline on a shared, busy machine.
settings.register_profile("outpost", deadline=None)
settings.load_profile("outpost")


@pytest.fixture
def app_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database of the running application (`outpost`): SQLite unless a test asks.

    A folder's conftest may parametrise it over both databases (`both_databases`).
    """
    return database_at(request, getattr(request, "param", "sqlite"), tmp_path)


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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for the session, started when a test first asks.

    Skipped with the reason where PostgreSQL cannot run (failed under
    OUTPOST_REQUIRE_POSTGRES=1, as in CI); OUTPOST_TEST_POSTGRES names a server to use instead.
    """
    # Not pytest's tmp_path: as root the server runs as another user, who cannot get into
    # pytest's 0700 folder; and a short path keeps the Unix socket's name under its limit.
    base = Path(tempfile.mkdtemp(prefix="outpost-pg-"))
    try:
        server = server_for_tests(base)
    except PostgresUnavailableError as exc:
        base.rmdir()
        unavailable(str(exc))
    if server.data_dir is None:
        base.rmdir()  # someone else's server: the folder went unused
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's fresh, empty database is: once a SQLite file, once a PostgreSQL URL.

    "sqlite": the path of a file not yet made, in tmp_path. "postgresql": the URL
    (postgresql://postgres@127.0.0.1:PORT/NAME) of a database just created empty on the
    session's server, which starts only when a test asks for this.
    """
    return database_at(request, request.param, tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand; starts just after the sample posts."""
    return ManualClock(datetime(2022, 10, 12, 12, 0, tzinfo=UTC))


@pytest.fixture
async def outpost(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, app_database: Path | str
) -> AsyncIterator[OutpostApp]:
    """The real Outpost application, polling the sandbox for updates.

    Its background loops are off: tests run polling cycles and outbox drains themselves, so
    they decide when sources are read and when messages go out.
    """
    async with instance(
        sandbox, make_settings(sandbox, tmp_path, database=app_database), clock
    ) as app:
        yield app


@pytest.fixture
async def live_outpost(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, app_database: Path | str
) -> AsyncIterator[OutpostApp]:
    """The application with its outbox dispatcher running, as in production."""
    app = build_application(
        make_settings(sandbox, tmp_path, database=app_database),
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
