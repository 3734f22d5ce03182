"""The two databases tests run on: a SQLite file, or a fresh database on a PostgreSQL server.

OUTPOST_TEST_POSTGRES names a server (a URL whose user may create databases); without it
the PostgreSQL cases are skipped, so the suite still runs where no server is at hand.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

POSTGRES_ENV = "OUTPOST_TEST_POSTGRES"
APP_FIXTURES = {"outpost", "live_outpost", "core"}


def _with_database(url: str, name: str) -> str:
    """Return a server URL naming another database on it."""
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    server = rest.split("/", 1)[0]
    return f"{scheme}://{server}/{name}" + (f"?{query}" if query else "")


@contextlib.contextmanager
def database_at(kind: str, tmp_path: Path) -> Iterator[Path | str]:
    """Yield a SQLite file path, or the URL of a fresh PostgreSQL database (dropped after)."""
    if kind == "sqlite":
        yield tmp_path / "outpost.sqlite3"
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test on")
    name = f"outpost_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield _with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def both_databases(metafunc: pytest.Metafunc) -> None:
    """Run a folder's tests of the running application on SQLite and on PostgreSQL."""
    if APP_FIXTURES & set(metafunc.fixturenames) and "app_database" in metafunc.fixturenames:
        metafunc.parametrize("app_database", ["sqlite", "postgresql"], indirect=True)
