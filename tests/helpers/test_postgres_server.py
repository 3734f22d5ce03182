"""The throwaway PostgreSQL server the tests run against (tests/helpers/postgres.py): fresh,
separate databases, reachable on loopback only, nothing left behind; and the
`database_target` fixture, which skips its PostgreSQL half where PostgreSQL cannot run unless
OUTPOST_REQUIRE_POSTGRES=1 (CI) makes that a failure."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.helpers.paths import PROJECT
from tests.helpers.postgres import (
    CLUSTER_USER,
    HOST,
    PgServer,
    PostgresUnavailableError,
    start_server,
    unavailable,
)


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    """A server of this test's own (not the session's), so that the test can stop it."""
    base = Path(tempfile.mkdtemp(prefix="outpost-pg-"))
    try:
        server = start_server(base)
    except PostgresUnavailableError as exc:
        base.rmdir()
        unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a TCP socket listening on `port` (Linux's /proc/net)."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():  # no IPv6 here
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_the_server_makes_fresh_separate_databases_listens_on_loopback_and_leaves_nothing(
    own_server: PgServer,
) -> None:
    first, second = own_server.create_database(), own_server.create_database()
    assert first != second
    assert first.startswith(f"postgresql://postgres@{HOST}:{own_server.port}/")

    with psycopg.connect(first, autocommit=True) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (first.rsplit("/", 1)[1],)
        conn.execute("CREATE TABLE only_here (id integer)")
        assert conn.execute("SHOW listen_addresses").fetchone() == (HOST,)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
        assert conn.execute("SHOW max_connections").fetchone() == ("200",)
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
        # Cyrillic case folding, as on an operator's server (SQLite's lower() folds ASCII only).
        assert conn.execute("SELECT lower('УЧЕННЯ')").fetchone() == ("учення",)
    with psycopg.connect(second, autocommit=True) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)

    # Loopback only, IPv4 and IPv6 alike: 0100007F is 127.0.0.1 in /proc's byte order.
    assert listening_addresses(own_server.port) == {"0100007F"}
    data_dir = own_server.data_dir
    assert data_dir is not None
    if os.geteuid() == 0:  # PostgreSQL refuses root: the cluster is another user's
        assert data_dir.stat().st_uid == pwd.getpwnam(CLUSTER_USER).pw_uid

    own_server.stop()
    assert not data_dir.exists()
    assert not data_dir.parent.exists()
    assert listening_addresses(own_server.port) == set()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(first, connect_timeout=5)


def test_database_target_is_a_fresh_sqlite_file_or_an_empty_postgresql_database(
    database_target: str, tmp_path: Path
) -> None:
    if database_target.startswith("postgresql://"):
        with psycopg.connect(database_target) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert tables.fetchone() == (0,)
    else:
        assert Path(database_target).parent == tmp_path
        assert not Path(database_target).exists()


def run_the_fixture_test_without_postgres(tmp_path: Path, **env: str) -> str:
    """Run the test above in a new pytest where no PostgreSQL can be found; its summary."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("OUTPOST_")
    }
    environment.update(OUTPOST_PG_BIN=str(tmp_path), **env)  # a folder without initdb
    test = test_database_target_is_a_fresh_sqlite_file_or_an_empty_postgresql_database
    node = f"{Path(__file__).relative_to(PROJECT)}::{test.__name__}"
    result = subprocess.run(  # noqa: S603 -- this interpreter running pytest
        [sys.executable, "-m", "pytest", node, "-p", "no:cacheprovider", "-rsE", "-q"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    return result.stdout


# A second pytest starting up (importing the application) on a busy machine: more time.
@pytest.mark.timeout(120)
def test_without_postgres_its_half_is_skipped_with_the_reason(tmp_path: Path) -> None:
    summary = run_the_fixture_test_without_postgres(tmp_path)
    assert "1 passed, 1 skipped" in summary
    assert "PostgreSQL not available: OUTPOST_PG_BIN=" in summary


@pytest.mark.timeout(120)
def test_without_postgres_its_half_fails_where_postgres_is_required(tmp_path: Path) -> None:
    summary = run_the_fixture_test_without_postgres(tmp_path, OUTPOST_REQUIRE_POSTGRES="1")
    assert "1 passed, 1 error" in summary
    assert "PostgreSQL is required (OUTPOST_REQUIRE_POSTGRES=1) but OUTPOST_PG_BIN=" in summary
