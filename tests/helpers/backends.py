"""The two databases tests run on: a SQLite file, or a fresh database on a PostgreSQL server.

The PostgreSQL server is the session's own throwaway one (tests/helpers/postgres.py), or
the one OUTPOST_TEST_POSTGRES names; where neither can be had, the PostgreSQL cases are
skipped (failed under OUTPOST_REQUIRE_POSTGRES=1, as in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.postgres import PgServer

APP_FIXTURES = {"outpost", "live_outpost", "core"}


def database_at(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> str:
    """Return a SQLite file path not yet made, or the URL of a fresh PostgreSQL database.

    The PostgreSQL database is created on the session's server (`postgres_server`, which
    starts it when first asked, and skips or fails where PostgreSQL cannot run).
    """
    if kind == "sqlite":
        return str(tmp_path / "outpost.sqlite3")
    server: PgServer = request.getfixturevalue("postgres_server")
    return server.create_database()


def both_databases(metafunc: pytest.Metafunc) -> None:
    """Run a folder's tests of the running application on SQLite and on PostgreSQL."""
    if APP_FIXTURES & set(metafunc.fixturenames) and "app_database" in metafunc.fixturenames:
        metafunc.parametrize("app_database", ["sqlite", "postgresql"], indirect=True)
