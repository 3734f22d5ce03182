"""Fan-out throughput: how close to Telegram's limit the outbox gets, losing nothing.

Run from the repository root:

    python bench/fanout.py --json [--inject-429 0.05] [--chats 3000]
    python bench/fanout.py --json --instances 2 [--database PATH] [--kill-holder-at N]

The sandbox Bot API enforces Telegram's limits (30 messages a second overall, 1 a second
per private chat, 20 a minute per group) and answers 429 with `retry_after` when they are
broken. It runs in a process of its own, as Telegram is a remote server: a stall of the
bot's event loop must not bunch requests up at the server's clock, nor hide one. The real
application (PTB over HTTP, the real dispatcher and sender, a SQLite file) gets, all queued
at once: one alert for each of `--chats` private chats, 60 alerts for one more private
chat and 20 for one group. When the outbox is empty the sandbox process hands back what it
saw over a pipe. Printed: `messages` (delivered), `seconds` (first send to last, as the
sandbox saw them), `msgs_per_s`, `limit_per_s` (the sandbox's overall ceiling, 30),
`ratio_to_limit`, `http_429`, `lost` (alerts never delivered), `duplicates` (deliveries
beyond one per chat and alert).

With `--instances N` the bot is N `outpost run` processes on one database (`--database`:
a path, or a postgresql:// URL once that backend exists; a temporary file by default),
taking turns at sending through the sender lease. `--kill-holder-at S` kills the
instance holding the lease with SIGKILL S seconds after the first send, and adds
`failover_s` (from the kill to the next send, by any instance) and
`sent_in_last_second_before_kill` (the most duplicates a kill may cost) and
`ratio_to_limit_while_sending` (the ratio over the run less the failover gap).
`max_per_s_window` is the most sends the sandbox saw in any one second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.app import build_application, running  # noqa: E402 (needs the path above)
from bot.runtime.clock import SystemClock  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from sandbox import RateLimits, SandboxBotAPI  # noqa: E402
from storage import open_database  # noqa: E402
from storage.events import NewEvent  # noqa: E402

BACKLOG_CHAT = 9_000_001
GROUP = -9_000_002
KEY = re.compile(r"Alert (\w+)")


async def _story(db: Any, key: str, now: Any) -> int:
    recorded = await db.events.record(
        NewEvent(
            source_id=None,
            source_name="Bench",
            item_key=key,
            title=f"Alert {key}",
            text=f"Alert {key}: a column seen near the border.",
            summary=f"Alert {key}: a column seen near the border.",
            link=f"https://news.example.org/{key}",
            canonical_link=f"https://news.example.org/{key}",
            lang="en",
            topics=("drills",),
            places=(),
            published_at=None,
            seen_at=now,
        )
    )
    return int(recorded.story_id)


def _chats(chats: int) -> list[tuple[int, str]]:
    """Return every chat of the run with its Bot API type."""
    ids = [*range(1, chats + 1), BACKLOG_CHAT, GROUP]
    return [(chat_id, "private" if chat_id > 0 else "supergroup") for chat_id in ids]


def _sandbox_process(conn: Connection, chats: list[tuple[int, str]], inject_429: float) -> None:
    """Serve the rate-limited sandbox in this (child) process until told to stop."""
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(_serve_sandbox(conn, chats, inject_429))


async def _serve_sandbox(conn: Connection, chats: list[tuple[int, str]], inject_429: float) -> None:
    limits = RateLimits()
    api = SandboxBotAPI(limits=limits)
    api.random_429 = inject_429
    for chat_id, kind in chats:
        api.register_chat(chat_id, kind)
    await api.start()
    conn.send({"base_url": api.base_url, "token": api.token})
    await asyncio.to_thread(conn.recv)  # the bench says stop
    await api.stop()
    # Every refused send was a 429 here: which chats they hit says which limit was broken
    # (a fan-out chat gets one message, so only the overall limit can refuse it).
    tried = Counter(int(params["chat_id"]) for name, params in api.calls if name == "sendMessage")
    tried.subtract(Counter(message.chat_id for message in api.sent))
    sent = []
    for message in api.sent:
        found = KEY.search(message.visible_text or "")
        sent.append((message.chat_id, found.group(1) if found else None, message.sent_at))
    conn.send(
        {
            "sent": sent,
            "http_429": api.stats.http_429,
            "refused": {
                "fan_out_chats": sum(
                    n for chat, n in tried.items() if chat not in (BACKLOG_CHAT, GROUP)
                ),
                "backlog_chat": tried[BACKLOG_CHAT],
                "group": tried[GROUP],
            },
            "requests": api.stats.requests,
            "limit_per_s": limits.global_per_s,
            "cpu_s": round(time.process_time(), 2),
        }
    )


async def _queue(db: Any, chats: list[tuple[int, str]], now: Any) -> set[tuple[int, str]]:
    """Register the chats and queue every alert of the run; return (chat, alert) pairs due."""
    expected: set[tuple[int, str]] = set()
    for chat_id, kind in chats:
        await db.chats.register(chat_id, chat_type=kind, title=None, language="en", now=now)
    private = [chat_id for chat_id, _ in chats if chat_id not in (BACKLOG_CHAT, GROUP)]
    fan = await _story(db, "fan", now)
    await db.outbox.enqueue(fan, private, priority=0, now=now)
    expected.update((chat_id, "fan") for chat_id in private)
    for chat_id, count in ((BACKLOG_CHAT, 60), (GROUP, 20)):
        for n in range(count):
            key = f"c{abs(chat_id)}n{n}"
            story_id = await _story(db, key, now)
            await db.outbox.enqueue(story_id, [chat_id], priority=0, now=now)
            expected.add((chat_id, key))
    return expected


async def _pending(db: Any) -> tuple[int, int]:
    """Return how many rows are pending and how many were sent."""
    counts = await db.outbox.counts()
    return counts.get("pending", 0), counts.get("sent", 0)


async def _holder_pid(db: Any) -> int | None:
    """Return the pid of the instance holding the sender lease (ids are host-pid-random)."""
    lease = await db.leases.get()
    if lease is None or lease.holder is None:
        return None
    return int(lease.holder.rsplit("-", 2)[1])


def _start_instance(
    base_url: str, token: str, database: str, global_rate: float, folder: Path
) -> subprocess.Popen[bytes]:
    """Start one `outpost run` on the shared database, pointed at the sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTPOST_")}
    env.update(
        {
            "OUTPOST_BOT_TOKEN": token,
            "OUTPOST_TELEGRAM_API_URL": base_url,
            "OUTPOST_DATABASE": database,
            "OUTPOST_GLOBAL_RATE": str(global_rate),
            "OUTPOST_POLL_INTERVAL": "3600",
            "OUTPOST_LOG_LEVEL": "WARNING",
            "OUTPOST_DATA_DIR": str(folder),
        }
    )
    with (folder / "instances.log").open("ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=folder,  # no developer's .env here
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


async def _fan_out_instances(
    base_url: str,
    token: str,
    chats: list[tuple[int, str]],
    global_rate: float,
    *,
    instances: int,
    database: str | None,
    kill_at: float | None,
) -> tuple[set[tuple[int, str]], dict[str, int], float, float, float | None]:
    """Queue the fan-out, run `instances` bots on one database until the outbox is empty.

    Returns what was due, the outbox's counts, wall and children's CPU seconds, and the
    moment of the kill (on the machine's monotonic clock, which the sandbox's process
    shares) when there was one.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        target = database or str(folder / "bench.sqlite3")
        db = await open_database(target)
        try:
            expected = await _queue(db, chats, SystemClock().now())
        finally:
            await db.close()
        bots = [
            _start_instance(base_url, token, target, global_rate, folder) for _ in range(instances)
        ]
        monitor = await open_database(target, create=False)
        wall = time.monotonic()
        killed_at: float | None = None
        first_sent: float | None = None
        try:
            while True:
                pending, sent = await _pending(monitor)
                if pending == 0:
                    break
                now = time.monotonic()
                if sent and first_sent is None:
                    first_sent = now
                due = kill_at is not None and killed_at is None and first_sent is not None
                if due and now - (first_sent or now) >= (kill_at or 0.0):
                    pid = await _holder_pid(monitor)
                    holder = next((bot for bot in bots if bot.pid == pid), None)
                    if holder is not None:
                        holder.send_signal(signal.SIGKILL)
                        killed_at = time.monotonic()
                        await asyncio.to_thread(holder.wait)
                # Other processes do the work and nothing signals its end: look again soon.
                await asyncio.sleep(0.05)
            wall = time.monotonic() - wall
            counts = await monitor.outbox.counts()
        finally:
            await monitor.close()
            for bot in bots:
                if bot.poll() is None:
                    bot.send_signal(signal.SIGTERM)
            for bot in bots:
                await asyncio.to_thread(bot.wait, 30)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return expected, counts, wall, usage.ru_utime + usage.ru_stime, killed_at


async def _fan_out(
    base_url: str, token: str, chats: list[tuple[int, str]], global_rate: float
) -> tuple[set[tuple[int, str]], dict[str, int], float, float]:
    """Queue the fan-out, run the dispatcher until the outbox is empty; return what was due."""
    clock = SystemClock()
    expected: set[tuple[int, str]] = set()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            env_file=False,
            bot_token=token,
            telegram_api_url=base_url,
            database=Path(tmp) / "bench.sqlite3",
            global_rate=global_rate,
        )
        app = build_application(settings, clock=clock, poll_jobs=False, dispatch_loop=False)
        async with running(app):
            core = app.bot_data.core
            db = core.db
            expected = await _queue(db, chats, clock.now())
            task = asyncio.create_task(core.dispatcher.run())
            wall = time.monotonic()
            cpu = time.process_time()
            try:
                while (await db.outbox.counts()).get("pending", 0) > 0:  # noqa: ASYNC110 -- the outbox lives in SQLite; no event to wait on
                    await asyncio.sleep(0.5)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            wall = time.monotonic() - wall
            cpu = time.process_time() - cpu
            counts = await db.outbox.counts()
    return expected, counts, wall, cpu


def _busiest_second(times: list[float]) -> int:
    """Return the most sends in any one second (`times` sorted)."""
    most = start = 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def _failover(
    times: list[float], killed_at: float, messages: int, seconds: float, limit: float
) -> dict[str, Any]:
    """Return the figures of a kill: how long no one sent, and what a kill may repeat."""
    after = [at for at in times if at > killed_at]
    failover = after[0] - killed_at if after else None
    found: dict[str, Any] = {
        "failover_s": round(failover, 2) if failover is not None else None,
        "sent_in_last_second_before_kill": sum(
            1 for at in times if killed_at - 1.0 <= at <= killed_at
        ),
    }
    if failover is not None and seconds > failover:
        # The pace while someone sent: the run's span less the gap with no sender.
        found["ratio_to_limit_while_sending"] = round(messages / (seconds - failover) / limit, 3)
    return found


def bench(
    chats: int,
    inject_429: float,
    global_rate: float,
    *,
    instances: int | None = None,
    database: str | None = None,
    kill_at: float | None = None,
) -> dict[str, Any]:
    """Start the sandbox in its own process, run the fan-out against it, and measure.

    `instances`: run that many `outpost run` processes on one database instead of the
    application in this process; `kill_at`: SIGKILL the sender that long after the first send.
    """
    everyone = _chats(chats)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(
        target=_sandbox_process, args=(theirs, everyone, inject_429), daemon=True
    )
    server.start()
    try:
        if not ours.poll(60):
            raise RuntimeError("the sandbox process did not start")
        address = ours.recv()
        killed_at: float | None = None
        if instances is None:
            expected, counts, wall, cpu = asyncio.run(
                _fan_out(address["base_url"], address["token"], everyone, global_rate)
            )
        else:
            expected, counts, wall, cpu, killed_at = asyncio.run(
                _fan_out_instances(
                    address["base_url"],
                    address["token"],
                    everyone,
                    global_rate,
                    instances=instances,
                    database=database,
                    kill_at=kill_at,
                )
            )
        ours.send("stop")
        if not ours.poll(60):
            raise RuntimeError("the sandbox process did not report")
        seen = ours.recv()
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.kill()

    delivered = Counter((chat_id, key) for chat_id, key, _ in seen["sent"] if key)
    spans = {}  # first to last message of each part of the run, from the run's first send
    t0 = min((at for _, _, at in seen["sent"]), default=0.0)
    for name, chosen in (
        ("fan_out", lambda chat: chat not in (BACKLOG_CHAT, GROUP)),
        ("backlog_chat", lambda chat: chat == BACKLOG_CHAT),
        ("group", lambda chat: chat == GROUP),
    ):
        at = [when for chat, _, when in seen["sent"] if chosen(chat)]
        if at:
            spans[name] = [round(min(at) - t0, 2), round(max(at) - t0, 2)]
    times = sorted(at for _, _, at in seen["sent"])
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    messages = len(seen["sent"])
    per_s = messages / seconds if seconds else 0.0
    limit = seen["limit_per_s"]
    extra: dict[str, Any] = {"max_per_s_window": _busiest_second(times)}
    if instances is not None:
        extra["instances"] = instances
    if killed_at is not None:
        extra.update(_failover(times, killed_at, messages, seconds, limit))
    return {
        "messages": messages,
        "seconds": round(seconds, 2),
        "msgs_per_s": round(per_s, 2),
        "limit_per_s": limit,
        "ratio_to_limit": round(per_s / limit, 3),
        "http_429": seen["http_429"],
        "lost": len(expected - set(delivered)),
        "duplicates": sum(n - 1 for n in delivered.values() if n > 1),
        "http_429_to": seen["refused"],
        "sent_from_to_s": spans,
        "injected_429_rate": inject_429,
        "global_rate_setting": global_rate,
        "outbox": counts,
        "wall_seconds": round(wall, 2),
        # CPU time of the bot while it sent (all its threads), and of the sandbox process.
        "bot_cpu_seconds": round(cpu, 2),
        "sandbox_cpu_seconds": seen["cpu_s"],
        "sandbox": "separate process",
        **extra,
    }


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON (the only format)")
    parser.add_argument("--chats", type=int, default=3000)
    parser.add_argument(
        "--inject-429", type=float, default=0.0, help="probability a send gets a random 429"
    )
    parser.add_argument("--global-rate", type=float, default=29.0, help="OUTPOST_GLOBAL_RATE")
    parser.add_argument(
        "--instances", type=int, default=None, help="run N `outpost run` processes on one database"
    )
    parser.add_argument(
        "--database", default=None, help="the instances' database: a path or a postgresql:// URL"
    )
    parser.add_argument(
        "--kill-holder-at",
        type=float,
        default=None,
        metavar="N",
        help="SIGKILL the sender-lease holder N seconds after the first send (with --instances)",
    )
    args = parser.parse_args()
    if args.kill_holder_at is not None and (args.instances or 0) < 2:
        parser.error("--kill-holder-at needs --instances 2 or more")
    logging.basicConfig(level=logging.ERROR)
    result = bench(
        args.chats,
        args.inject_429,
        args.global_rate,
        instances=args.instances,
        database=args.database,
        kill_at=args.kill_holder_at,
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
