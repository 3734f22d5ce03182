"""Worker processes die with the bot: SIGKILL `outpost run` while its workers parse and none
of them survives it; and a start kills whatever a killed predecessor left running."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.admin.intake import add_source
from bot.pipeline.workers import make_process_pool, reap_leftovers
from bot.runtime.clock import SystemClock
from sandbox import SandboxBotAPI, SourceServer
from storage import open_database
from tests.helpers.sources import DRILLS, rss

PROJECT = Path(__file__).resolve().parents[3]


def running(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def workers_in(record: Path) -> list[int]:
    """The worker pids a record lists."""
    if not record.exists():
        return []
    lines = record.read_text(encoding="ascii").splitlines()
    return [int(line.split()[1]) for line in lines if line.startswith("worker ")]


async def until(condition: object, seconds: float) -> None:
    """Wait (polling) until condition() holds; fail after `seconds`."""
    assert callable(condition)
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 -- other processes' state: no event to wait on
            await asyncio.sleep(0.1)


@pytest.mark.timeout(300)  # a whole bot and its workers start on a shared machine
async def test_sigkill_the_bot_and_no_worker_survives(
    sandbox: SandboxBotAPI, source_server: SourceServer, tmp_path: Path
) -> None:
    database = tmp_path / "outpost.sqlite3"
    db = await open_database(database)
    url = source_server.add("feed.rss", rss(*DRILLS))
    await add_source(db, url, now=SystemClock().now(), allow_private=True, name="N")
    await db.close()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OUTPOST_")}
    environment.update(
        OUTPOST_BOT_TOKEN=sandbox.token,
        OUTPOST_TELEGRAM_API_URL=sandbox.base_url,
        OUTPOST_DATABASE=str(database),
        OUTPOST_ALLOW_PRIVATE_SOURCES="true",
        OUTPOST_PARSE_WORKERS="1",
        PYTHONPATH=str(PROJECT),
    )
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    record = database.with_name("outpost.sqlite3.workers")
    try:
        # Its first poll hands the feed to a worker, which records itself as it starts.
        await until(lambda: len(source_server.requests_to("feed.rss")) > 0, 120)
        await until(lambda: any(running(pid) for pid in workers_in(record)), 120)
    finally:
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
    workers = workers_in(record)
    assert workers
    await until(lambda: not any(running(pid) for pid in workers), 30)


def test_a_start_kills_what_a_killed_predecessor_left(tmp_path: Path) -> None:
    record = tmp_path / "outpost.sqlite3.workers"
    left = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        started = Path(f"/proc/{left.pid}/stat").read_text().rpartition(")")[2].split()[19]
        # The predecessor (long dead) recorded its worker; and a pid recorded with another
        # start time is a process that merely got the number since: never touched.
        record.write_text(
            f"parent 999999 1\nworker {left.pid} {started}\nworker {stranger.pid} 1\n",
            encoding="ascii",
        )
        assert reap_leftovers(record) == 1
        assert left.wait(timeout=10) == -signal.SIGKILL
        assert stranger.poll() is None
        assert record.read_text(encoding="ascii").startswith(f"parent {os.getpid()} ")
        # A pool started on the record finds its own parent there and kills nothing.
        pool = make_process_pool(None, 1, record=record)
        pool.shutdown()
        assert stranger.poll() is None
    finally:
        for process in (left, stranger):
            process.kill()
            process.wait()
