"""A real, throwaway PostgreSQL server for the tests, so that they run over both backends.

`start_server` makes a cluster in a temporary folder (`initdb`), runs it on a free loopback
port with durability off (a test's data need not survive a crash) and `stop` removes it all.
PostgreSQL refuses to run as root, and CI runs as root: then the cluster belongs to the system
user `outpost-pg` (made by scripts/install-postgres) and its programs run through `runuser`.

`OUTPOST_TEST_POSTGRES=postgresql://...` names a server of the user's own instead: the tests
make their fresh databases there, drop them at the end and leave the server running.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

CLUSTER_USER = "outpost-pg"  # owns the clusters when the tests run as root
DATABASE_PREFIX = "outpost_test_"
EXISTING_SERVER_VARIABLE = "OUTPOST_TEST_POSTGRES"
REQUIRE_VARIABLE = "OUTPOST_REQUIRE_POSTGRES"  # "1": no PostgreSQL fails the tests (CI)
BIN_VARIABLE = "OUTPOST_PG_BIN"
HOST = "127.0.0.1"
ADMIN_USER = "postgres"

# Settings for a test server: nothing is kept across a crash, so nothing waits for the disk;
# several processes and connection pools connect at once.
SERVER_SETTINGS = {
    "listen_addresses": HOST,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
START_TIMEOUT = 60  # seconds for pg_ctl to see the server ready (a loaded, shared machine)
STOP_TIMEOUT = 30
START_ATTEMPTS = 3  # another process may take the free port before the server binds it
LOG_TAIL_LINES = 30


class PostgresUnavailableError(Exception):
    """PostgreSQL cannot run here (no server programs, or no user to run them as)."""


class PostgresStartError(Exception):
    """The server programs are here, but the server did not start or answer."""


def unavailable(reason: str) -> NoReturn:
    """Skip the test for want of PostgreSQL, or fail it where PostgreSQL is required (CI)."""
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_VARIABLE}=1) but {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


def find_bin_dir() -> Path:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl, pg_isready).

    OUTPOST_PG_BIN when set, else the newest Debian-style /usr/lib/postgresql/N/bin, else the
    folder of the `initdb` on PATH (Homebrew, other distributions).
    """
    configured = os.environ.get(BIN_VARIABLE)
    if configured:
        if not (Path(configured) / "initdb").is_file():
            raise PostgresUnavailableError(f"{BIN_VARIABLE}={configured} holds no initdb")
        return Path(configured)
    debian = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    if debian:
        return max(debian, key=_major_version)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise PostgresUnavailableError(
        "no PostgreSQL server programs (initdb) found: run scripts/install-postgres, "
        f"set {BIN_VARIABLE}, or point {EXISTING_SERVER_VARIABLE} at a server of yours"
    )


def _major_version(bin_dir: Path) -> tuple[int, ...]:
    """(15,) for /usr/lib/postgresql/15/bin: 9.6 < 10 < 15 < 16, unlike the strings."""
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


@dataclass
class _Cluster:
    """A server this process started: its programs, folder and how to run them."""

    bin_dir: Path
    base: Path  # the folder given to start_server: data, log and socket, removed on stop
    run_as: list[str]  # ["runuser", "-u", CLUSTER_USER, "--"] as root, else nothing
    watchdog: subprocess.Popen[bytes] | None = None

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def run(self, program: str, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        """Run one of the server programs as the cluster's owner."""
        return subprocess.run(  # noqa: S603 -- PostgreSQL's own programs, our arguments
            [*self.run_as, str(self.bin_dir / program), *args],
            cwd=self.base,  # a folder the owner can read (not root's home)
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,  # Ctrl-C in the terminal reaches pytest, not the server
        )

    def log_tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-LOG_TAIL_LINES:])


@dataclass
class PgServer:
    """A PostgreSQL server for the tests: fresh databases on demand, stopped at the end."""

    host: str
    port: int
    _base_url: str  # a URL of the server; url() swaps its database name
    _cluster: _Cluster | None = None  # None: someone else's server (OUTPOST_TEST_POSTGRES)
    _created: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path | None:
        """The cluster's data folder; None for someone else's server."""
        return self._cluster.data if self._cluster else None

    def url(self, dbname: str) -> str:
        """The URL of database `dbname` on this server."""
        parts = urlsplit(self._base_url)
        return urlunsplit(parts._replace(path="/" + dbname))

    def create_database(self) -> str:
        """Create an empty database with a fresh name and return its URL."""
        name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:16]}"
        # template0: nothing the template may have gained; UTF8 whatever the server's default.
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
            sql.Identifier(name)
        )
        with psycopg.connect(self._base_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(statement)
        self._created.append(name)
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast: sessions are cut) and remove its folder.

        On someone else's server: drop the databases the tests made and leave it running.
        Stopping again does nothing.
        """
        if self._cluster is None:
            self._drop_created()
            return
        cluster = self._cluster
        if cluster.base.exists():
            stopped = cluster.run(
                "pg_ctl", "-D", str(cluster.data), "-m", "fast", "-w", "-s", "stop",
                timeout=STOP_TIMEOUT,
            )  # fmt: skip
            if stopped.returncode != 0 and (cluster.data / "postmaster.pid").exists():
                cluster.run(
                    "pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-s", "stop",
                    timeout=STOP_TIMEOUT,
                )  # fmt: skip
            shutil.rmtree(cluster.base, ignore_errors=True)
        if cluster.watchdog is not None:
            _release_watchdog(cluster.watchdog)
            cluster.watchdog = None

    def _drop_created(self) -> None:
        with psycopg.connect(self._base_url, autocommit=True, connect_timeout=10) as conn:
            for name in self._created:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self._created.clear()


def existing_server(url: str) -> PgServer:
    """Someone else's server (a URL with a user allowed to CREATE DATABASE); never stopped."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"{EXISTING_SERVER_VARIABLE} is not a postgresql:// URL")
    if not parts.path.strip("/"):
        parts = parts._replace(path="/postgres")  # the maintenance database for CREATE DATABASE
    return PgServer(
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        _base_url=urlunsplit(parts),
    )


def server_for_tests(tmpdir: Path) -> PgServer:
    """The user's server when OUTPOST_TEST_POSTGRES names one, else a new one in `tmpdir`."""
    url = os.environ.get(EXISTING_SERVER_VARIABLE)
    if url:
        return existing_server(url)
    return start_server(tmpdir)


def start_server(tmpdir: Path) -> PgServer:
    """Make a cluster in `tmpdir` (an empty folder, the server's alone) and start it.

    Raises PostgresUnavailableError when it cannot run here, PostgresStartError when it did
    not start. As root the folder is given to `outpost-pg`, so the folders above it must let
    that user through (a folder made in /tmp does; pytest's tmp_path, under a 0700 folder,
    does not).
    """
    cluster = _Cluster(bin_dir=find_bin_dir(), base=tmpdir, run_as=_run_as())
    try:
        if cluster.run_as:
            owner = pwd.getpwnam(CLUSTER_USER)
            os.chown(tmpdir, owner.pw_uid, owner.pw_gid)
        tmpdir.chmod(0o700)
        _initdb(cluster)
        _configure(cluster)
        # The watchdog first: from here on a killed test run still takes the server down.
        cluster.watchdog = _start_watchdog(cluster)
        port = _start(cluster)
    except BaseException:
        PgServer(host=HOST, port=0, _base_url="", _cluster=cluster).stop()
        raise
    return PgServer(
        host=HOST,
        port=port,
        _base_url=f"postgresql://{ADMIN_USER}@{HOST}:{port}/postgres",
        _cluster=cluster,
    )


def _run_as() -> list[str]:
    """How to run the server programs: as ourselves, or (as root) as CLUSTER_USER."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(CLUSTER_USER)
    except KeyError:
        raise PostgresUnavailableError(
            f"running as root, which PostgreSQL refuses, and the user {CLUSTER_USER} to run "
            "it as is missing: run scripts/install-postgres (as root) to make it"
        ) from None
    runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")
    if runuser is None:
        raise PostgresUnavailableError("running as root, and there is no runuser to drop root with")
    return [runuser, "-u", CLUSTER_USER, "--"]


def _initdb(cluster: _Cluster) -> None:
    """Make the cluster: trust on loopback, superuser `postgres`, UTF-8 text."""
    common = ["-D", str(cluster.data), "-A", "trust", "-U", ADMIN_USER, "--no-sync", "-E", "UTF8"]
    # C.UTF-8: upper() and lower() know Cyrillic, as on an operator's server; where the
    # system has no such locale (macOS), the plain C locale.
    made = cluster.run("initdb", *common, "--locale=C.UTF-8", timeout=START_TIMEOUT)
    if made.returncode != 0 and "locale" in made.stderr:
        shutil.rmtree(cluster.data, ignore_errors=True)
        made = cluster.run("initdb", *common, "--no-locale", timeout=START_TIMEOUT)
    if made.returncode != 0:
        raise PostgresStartError(f"initdb failed in {cluster.base}:\n{made.stdout}{made.stderr}")


def _configure(cluster: _Cluster) -> None:
    """Append the test settings to the cluster's postgresql.conf (the last setting wins)."""
    with (cluster.data / "postgresql.conf").open("a") as conf:
        conf.write("\n# tests/helpers/postgres.py: a throwaway server\n")
        for name, value in SERVER_SETTINGS.items():
            conf.write(f"{name} = '{value}'\n")
        conf.write(f"unix_socket_directories = '{cluster.base}'\n")


def _start(cluster: _Cluster) -> int:
    """Start the server on a free loopback port and wait until it answers; its port."""
    for attempt in range(1, START_ATTEMPTS + 1):
        port = _free_port()
        started = cluster.run(
            "pg_ctl", "-D", str(cluster.data), "-l", str(cluster.log), "-o", f"-p {port}",
            "-w", "-t", str(START_TIMEOUT), "-s", "start",
            timeout=START_TIMEOUT + 10,
        )  # fmt: skip
        if started.returncode == 0:
            break
        if attempt < START_ATTEMPTS and "could not bind" in cluster.log_tail():
            continue  # the port was taken meanwhile: another one
        raise PostgresStartError(
            f"pg_ctl start failed ({started.stderr.strip()}); server log:\n{cluster.log_tail()}"
        )
    ready = subprocess.run(  # noqa: S603 -- PostgreSQL's own program
        [str(cluster.bin_dir / "pg_isready"), "-q", "-h", HOST, "-p", str(port), "-t", "10"],
        capture_output=True,
        timeout=20,
        check=False,
    )
    if ready.returncode != 0:
        raise PostgresStartError(
            f"the server does not answer on {HOST}:{port}; server log:\n{cluster.log_tail()}"
        )
    return port


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# Stops the server and removes its folder once its standard input closes: at stop(), or when
# the test run dies without tearing down (killed, os._exit by a timeout), since the pipe's
# other end closes with the process that holds it.
_WATCHDOG = """
import shutil, subprocess, sys
sys.stdin.buffer.read()
pg_ctl, data, base, *run_as = sys.argv[1:]
subprocess.run([*run_as, pg_ctl, "-D", data, "-m", "immediate", "-s", "stop"],
               cwd="/", capture_output=True, timeout=60, check=False)
shutil.rmtree(base, ignore_errors=True)
"""


def _start_watchdog(cluster: _Cluster) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 -- this interpreter running the code above
        [
            sys.executable,
            "-c",
            _WATCHDOG,
            str(cluster.bin_dir / "pg_ctl"),
            str(cluster.data),
            str(cluster.base),
            *cluster.run_as,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives a Ctrl-C or a killed process group
    )


def _release_watchdog(watchdog: subprocess.Popen[bytes]) -> None:
    """Let the watchdog finish (the server is already gone) and reap it.

    A process forked from this one (a multiprocessing pool) may still hold the pipe open, and
    the watchdog would wait for it: the server being gone, the watchdog is then ended.
    """
    assert watchdog.stdin is not None
    watchdog.stdin.close()
    try:
        watchdog.wait(timeout=10)
    except subprocess.TimeoutExpired:
        watchdog.kill()
        watchdog.wait()
