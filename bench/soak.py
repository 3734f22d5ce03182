"""Soak: do memory and file descriptors stay flat over many cycles of a busy, hostile day?

Run from the repository root:

    python bench/soak.py --json [--cycles 30] [--chats 40]

`outpost run` runs as its own process (the production entry point, worker processes
included) against the sandbox Bot API and a local source server, both in this process.
The sandbox answers a share of sends with 429 (`--p429`). Each cycle:

- three good sources publish one new drills item each (a fan-out to every chat), one
  source answers 500, one serves garbage, one trickles its answer slowly;
- users send commands: ordinary ones (/help, /mysubs, /status, /latest), hostile ones
  (a 10,000-character /keywords argument, an emoji /timezone, a lone surrogate,
  /cmd@other_bot) and a burst from one user past the command budget;
- the cycle ends when every item is stored, the outbox has nothing pending (items about
  the same happening join one story: an edit, not a new alert) and every ordinary
  command has its answer.

The bot's resident memory (`rss_mb`, VmRSS) and open file descriptors (`open_fds`, the
entries of /proc/PID/fd) are read after the first cycle (`start`), half-way (`middle`)
and after the last (`end`), with their growth from start to end. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bot.admin.intake import add_source
from bot.models import SourceKind
from bot.runtime.clock import SystemClock
from sandbox import RateLimits, SandboxBotAPI, SourceServer
from storage import open_database

GOOD = 3
TOWNS = ["Мозыря", "Ельска", "Бреста", "Гомеля", "Пинска", "Лиды", "Орши", "Слуцка"]
ORDINARY = ["/help", "/mysubs", "/status", "/latest"]
HOSTILE = [
    "/keywords " + "ы" * 10_000,
    "/timezone 🙂",
    "/subscribe \ud800drills",
    "/help@other_bot",
    "/subscribe " + "x" * 5_000,
]


def feed(items: list[tuple[str, str]]) -> bytes:
    """An RSS document of (guid, title) items."""
    body = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><link>https://n.example.org/{g}</link>"
        f"<description>{t}</description></item>"
        for g, t in items
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>'
    return f"{head}{body}</channel></rss>".encode()


def usage(pid: int) -> tuple[float, int]:
    """Return (resident MB, open file descriptors) of a process."""
    rss_kb = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
    return round(rss_kb / 1024, 1), len(os.listdir(f"/proc/{pid}/fd"))


async def prepare(database: Path, server: SourceServer, chats: range) -> None:
    """Chats that follow drills; good, failing, garbage and slow sources, read once."""
    db = await open_database(database)
    now = SystemClock().now()
    try:
        for chat_id in chats:
            await db.chats.register(
                chat_id, chat_type="private", title=None, language="ru", now=now
            )
            await db.chats.subscribe(chat_id, "drills", now=now)
        urls = [server.add(f"good{n}.rss", feed([])) for n in range(GOOD)]
        urls.append(server.add("broken.rss", b"down", status=500))
        urls.append(server.add("garbage.rss", b"\x00\xff<rss><channel><item>" * 2000))
        urls.append(server.add_slow("slow.rss", [feed([])[:50], feed([])[50:]], 3.0))
        for n, url in enumerate(urls):
            await add_source(
                db, url, now=now, allow_private=True, name=f"S{n}", kind=SourceKind.RSS
            )
        await db.execute("UPDATE sources SET backfilled = 1")
    finally:
        await db.close()


async def settled(database: Path, items: int, api: SandboxBotAPI, asked: dict[int, int]) -> None:
    """Wait until every item is stored, the outbox has nothing pending, and every user has
    at least as many messages as ordinary commands asked (the database read apart)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(database, timeout=30)) as conn:
            (stored,) = conn.execute("SELECT COUNT(*) FROM events").fetchone()
            (pending,) = conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
            ).fetchone()
        answered = all(len(api.messages_to(u)) >= n for u, n in asked.items())
        if stored >= items and pending == 0 and answered:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"not settled: {stored}/{items} stored, {pending} pending")


def start_bot(api: SandboxBotAPI, database: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start `outpost run` against the sandbox, polling every couple of seconds."""
    env = {
        **os.environ,
        "OUTPOST_BOT_TOKEN": api.token,
        "OUTPOST_TELEGRAM_API_URL": api.base_url,
        "OUTPOST_DATABASE": str(database),
        "OUTPOST_ALLOW_PRIVATE_SOURCES": "true",
        "OUTPOST_POLL_INTERVAL": "2",
        "OUTPOST_MIN_POLL_INTERVAL": "1",
        "OUTPOST_GLOBAL_RATE": "400",
        "OUTPOST_LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=database.parent,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


async def soak(cycles: int, chats: range, p429: float) -> dict[str, Any]:
    """Run the cycles; return the figures."""
    folder = Path(tempfile.mkdtemp(prefix="outpost-soak-"))
    database, log = folder / "outpost.sqlite3", folder / "bot.log"
    users = range(9001, 9011)
    figures: dict[str, Any] = {"cycles": cycles, "chats": len(chats), "p429": p429}
    async with SourceServer() as server, SandboxBotAPI(limits=RateLimits()) as api:
        await prepare(database, server, chats)
        for chat_id in [*chats, *users]:
            api.register_chat(chat_id, "private")
        api.random_429 = p429
        bot = start_bot(api, database, log)
        published: list[tuple[str, str]] = []
        asked = Counter[int]()
        started = time.monotonic()
        try:
            for cycle in range(cycles):
                for n in range(GOOD):
                    published.append(
                        (
                            f"c{cycle}-{n}",
                            f"Учения у {TOWNS[(cycle + n) % len(TOWNS)]}: "
                            f"колонна {cycle * GOOD + n}",
                        )
                    )
                for n in range(GOOD):
                    server.add(f"good{n}.rss", feed(published[n::GOOD][-10:]))
                for i, user in enumerate(users):
                    api.push_message(chat_id=user, text=ORDINARY[(cycle + i) % len(ORDINARY)])
                    asked[user] += 1
                    api.push_message(chat_id=user, text=HOSTILE[(cycle + i) % len(HOSTILE)])
                for _ in range(30):  # one user's flood, past the command budget
                    api.push_message(chat_id=users[0], text="/help")
                await settled(database, len(published), api, dict(asked))
                if cycle == 0:
                    figures["start"] = dict(
                        zip(("rss_mb", "open_fds"), usage(bot.pid), strict=True)
                    )
                if cycle == cycles // 2:
                    figures["middle"] = dict(
                        zip(("rss_mb", "open_fds"), usage(bot.pid), strict=True)
                    )
            figures["end"] = dict(zip(("rss_mb", "open_fds"), usage(bot.pid), strict=True))
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.to_thread(bot.wait, 30)
        figures["seconds"] = round(time.monotonic() - started, 1)
        figures["messages_sent"] = len(api.sent)
        figures["http_429"] = api.stats.http_429
    figures["rss_growth_mb"] = round(figures["end"]["rss_mb"] - figures["start"]["rss_mb"], 1)
    figures["fd_growth"] = figures["end"]["open_fds"] - figures["start"]["open_fds"]
    text = log.read_text(encoding="utf-8", errors="replace")
    figures["log_kb"] = round(len(text.encode()) / 1024, 1)
    figures["tracebacks"] = text.count("Traceback")
    return figures


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object (the default)")
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--chats", type=int, default=40)
    parser.add_argument("--p429", type=float, default=0.05, help="share of sends answered 429")
    args = parser.parse_args()
    chats = range(7001, 7001 + args.chats)
    print(json.dumps(asyncio.run(soak(args.cycles, chats, args.p429))))


if __name__ == "__main__":
    main()
