"""Alert latency: from a post appearing at its source to the first and the last chat having it.

Run from the repository root:

    python bench/latency.py --json [--sources 200] [--frequent 3] [--chats 10000]
                                   [--minutes 60] [--speed 3] [--seed 1]

N local feeds (`--sources`) at the default polling policy: a few publish often (`--frequent`,
a post every 20 minutes on average), the rest rarely (one a week on average), and one more
names a WebSub hub (`sandbox.WebSubHub`, a post every 30 minutes). Posts come at random
moments (exponential gaps); each is a distinct report about drills that every one of
`--chats` private chats follows. The real application polls (its polling loop, or the
JobQueue's 30-second grid on code that has no loop), stores, matches and sends through the
sandbox Bot API, which runs in a process of its own with Telegram's limits (30 messages a
second overall, 1 a second per chat).

Time runs `--speed` times faster than the wall clock for every party (the bot's clock and
sleeps, the dispatcher's pacing, the sandbox's limits, the publishing schedule), so an hour
of traffic takes twenty minutes; CPU work is not sped up, so the figures are, if anything,
pessimistic. Printed (seconds of the simulated clock):

- `first_chat_p50_s`, `first_chat_p95_s`: post to its first delivery, for the frequent
  sources' posts; `last_chat_p50_s`: to its last delivery;
- `push_first_chat_p50_s`: the same for the hub's posts (null on code without WebSub);
- `fanout_ratio_to_limit`: messages sent while any alert was being fanned out, per second,
  over Telegram's 30;
- and for context `alerts`, `rare_first_chat_p50_s`, `messages`, `http_429`,
  `undelivered_at_end`; `bot_cpu_s` and `sandbox_cpu_s`, the CPU seconds each process
  used from the first post to the end (every thread, user and system), and each per
  message sent (`bot_cpu_ms_per_message`, `sandbox_cpu_ms_per_message`): what a sped-up
  clock asks of the machine is messages a wall second times these.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import random
import re
import resource
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.app import build_application, running  # noqa: E402 (needs the path above)
from bot.pipeline.cycle import run_cycle  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from sandbox import SourceServer  # noqa: E402
from sandbox.hub import WebSubHub  # noqa: E402 (the sandbox hub, also for code without WebSub)

KEY = re.compile(r"колонна из (\d+) машин")
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # the simulated morning
LIMIT_PER_S = 30.0


@dataclass(frozen=True, slots=True)
class Scale:
    """Simulated time: `speed` simulated seconds pass per wall second from `wall0`."""

    wall0: float
    speed: float

    def now_s(self) -> float:
        """Return simulated seconds since START."""
        return (time.time() - self.wall0) * self.speed

    def wall_s(self, simulated: float) -> float:
        """Return wall seconds for a span of simulated seconds."""
        return simulated / self.speed


class ScaledClock:
    """The bot's clock (`bot.runtime.clock.Clock`) in simulated time."""

    def __init__(self, scale: Scale) -> None:
        self._scale = scale

    def now(self) -> datetime:
        return START + timedelta(seconds=self._scale.now_s())


class ScaledTimer:
    """The dispatcher's timer (`bot.delivery.pacer.Timer`) in simulated time."""

    concurrent = True

    def __init__(self, scale: Scale) -> None:
        self._scale = scale

    def monotonic(self) -> float:
        return self._scale.now_s()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(self._scale.wall_s(seconds), 0.0))


class ScaledSleeper:
    """The polling loop's sleeper (`bot.pipeline.poller.Sleeper`) in simulated time."""

    def __init__(self, scale: Scale) -> None:
        self._scale = scale

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(self._scale.wall_s(seconds), 0.0))


# -- the sandbox process ----------------------------------------------------------------------


def _sandbox_process(conn: Connection, chats: int, scale: Scale) -> None:
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(_serve(conn, chats, scale))


async def _serve(conn: Connection, chats: int, scale: Scale) -> None:
    from sandbox import RateLimits, SandboxBotAPI  # noqa: PLC0415

    api = SandboxBotAPI(limits=RateLimits(), monotonic=scale.now_s)
    for chat_id in range(1, chats + 1):
        api.register_chat(chat_id, "private")
    await api.start()
    cpu0 = _cpu_s()
    conn.send({"base_url": api.base_url, "token": api.token})
    await asyncio.to_thread(conn.recv)
    await api.stop()
    sent = []
    for message in api.sent:
        found = KEY.search(message.visible_text or "")
        if found:
            sent.append((int(found.group(1)), message.chat_id, message.sent_at))
    conn.send({"sent": sent, "http_429": api.stats.http_429, "cpu_s": _cpu_s() - cpu0})


def _cpu_s() -> float:
    """Return the CPU seconds (user and system, every thread) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the sources ------------------------------------------------------------------------------


@dataclass(slots=True)
class Feed:
    """One source's feed and its posts so far."""

    path: str
    kind: str  # frequent, rare, hub
    gap_s: float  # mean seconds between posts
    items: list[tuple[int, float]] = field(default_factory=list)  # (number, published)

    def render(self, hub: str | None, self_url: str) -> bytes:
        entries = "".join(
            f"<entry><id>p{n}</id><title>Учения у границы: колонна из {n} машин</title>"
            f"<summary>Учения у границы: колонна из {n} машин замечена утром.</summary>"
            f'<link href="https://news.example.org/{n}"/>'
            f"<updated>{(START + timedelta(seconds=at)).isoformat()}</updated></entry>"
            for n, at in sorted(self.items, key=lambda item: -item[1])[:20]
        )
        links = f'<link rel="hub" href="{hub}"/><link rel="self" href="{self_url}"/>' if hub else ""
        return (
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{self.path}</title>{links}'
            f"{entries}</feed>"
        ).encode()


def _plan(args: argparse.Namespace, rng: random.Random) -> tuple[list[Feed], list[tuple]]:
    """Return the feeds (with their posts before the start) and the posts to come, in time."""
    feeds = []
    for index in range(args.sources + 1):
        if index == args.sources:
            feeds.append(Feed(f"hub{index}.atom", "hub", 30 * 60))
        elif index < args.frequent:
            feeds.append(Feed(f"f{index}.atom", "frequent", 20 * 60))
        else:
            feeds.append(Feed(f"r{index}.atom", "rare", 7 * 24 * 3600))
    number = 100
    posts = []
    for feed in feeds:
        for back in range(1, 6):  # an earlier rhythm, read on the first (silent) poll
            number += 1
            feed.items.append((number, -back * feed.gap_s * rng.uniform(0.5, 1.5)))
        at = rng.expovariate(1 / feed.gap_s)
        while at < args.minutes * 60:
            number += 1
            posts.append((at, number, feed))
            at += rng.expovariate(1 / feed.gap_s)
    posts.sort(key=lambda post: post[0])
    return feeds, posts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _poll_forever(core: Any, scale: Scale) -> None:
    """Run the code's polling: its loop if it has one, else the JobQueue's old grid."""
    try:
        from bot.pipeline.poller import Poller  # noqa: PLC0415
    except ImportError:
        while True:  # every min(interval, minimum, 30) seconds: what the JobQueue did
            await run_cycle(core.pipeline)
            await asyncio.sleep(scale.wall_s(30.0))
    await Poller(core.pipeline, sleeper=ScaledSleeper(scale)).run()


async def _run(
    args: argparse.Namespace, address: dict[str, Any], scale: Scale, cpu: dict[str, float]
) -> dict[int, tuple[float, str]]:
    rng = random.Random(args.seed)
    feeds, posts = _plan(args, rng)
    server, hub = SourceServer(), WebSubHub()
    await server.start()
    await hub.start()
    published: dict[int, tuple[float, str]] = {}
    port = _free_port()
    try:
        for feed in feeds:
            server.add(
                feed.path,
                feed.render(hub.url if feed.kind == "hub" else None, server.url(feed.path)),
            )
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                env_file=False,
                bot_token=address["token"],
                telegram_api_url=address["base_url"],
                database=Path(tmp) / "latency.sqlite3",
                allow_private_sources=True,
                parse_workers=0,
                http_listen=f"127.0.0.1:{port}",
                websub_callback_url=f"http://127.0.0.1:{port}",
            )
            clock = ScaledClock(scale)
            app = build_application(
                settings, clock=clock, poll_jobs=False, timer=ScaledTimer(scale)
            )
            async with running(app):
                core = app.bot_data.core
                await _audience(core, args.chats, clock.now())
                for feed in feeds:
                    await core.db.sources.add(
                        server.url(feed.path), kind=_rss(), name=feed.path, now=clock.now()
                    )
                await run_cycle(core.pipeline, all_sources=True)  # the silent first polls
                cpu["start"] = _cpu_s()
                poller = asyncio.create_task(_poll_forever(core, scale))
                try:
                    for at, number, feed in posts:
                        await asyncio.sleep(max(scale.wall_s(at - scale.now_s()), 0))
                        moment = scale.now_s()
                        feed.items.append((number, moment))
                        hub_url = hub.url if feed.kind == "hub" else None
                        body = feed.render(hub_url, server.url(feed.path))
                        server.add(feed.path, body)
                        published[number] = (moment, feed.kind)
                        if hub_url is not None:
                            await hub.publish(server.url(feed.path), body)
                    # Let the last posts be polled (the longest interval is 5 minutes)...
                    await asyncio.sleep(scale.wall_s(360))
                    # ...and the last fan-outs finish.
                    deadline = time.monotonic() + scale.wall_s(args.chats / 25 * 3) + 30
                    due = core.db.outbox.due_count
                    while time.monotonic() < deadline and await due(now=clock.now()):  # noqa: ASYNC110 -- in SQLite
                        await asyncio.sleep(1)
                    await asyncio.sleep(scale.wall_s(10))
                    cpu["end"] = _cpu_s()
                finally:
                    poller.cancel()
                    await asyncio.gather(poller, return_exceptions=True)
    finally:
        await hub.stop()
        await server.stop()
    return published


def _rss() -> Any:
    from bot.models import SourceKind  # noqa: PLC0415

    return SourceKind.RSS


async def _audience(core: Any, chats: int, now: datetime) -> None:
    """Register the chats, each following drills."""
    db = core.db
    await db.executemany(
        "INSERT INTO chats (id, type, language, active, created_at)"
        " VALUES (?, 'private', 'ru', 1, ?)",
        [(chat, now.timestamp()) for chat in range(1, chats + 1)],
    )
    await db.executemany(
        "INSERT INTO subscriptions (chat_id, topic, created_at) VALUES (?, 'drills', ?)",
        [(chat, now.timestamp()) for chat in range(1, chats + 1)],
    )


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def summarise(
    published: dict[int, tuple[float, str]], seen: dict[str, Any], chats: int
) -> dict[str, Any]:
    """Turn publish times and deliveries into the printed figures."""
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    count: dict[int, int] = {}
    for number, _, at in seen["sent"]:
        first[number] = min(first.get(number, at), at)
        last[number] = max(last.get(number, at), at)
        count[number] = count.get(number, 0) + 1
    delays: dict[str, list[float]] = {"frequent": [], "rare": [], "hub": []}
    last_delays: list[float] = []
    for number, (at, kind) in published.items():
        if number in first:
            delays[kind].append(first[number] - at)
            if kind == "frequent":
                last_delays.append(last[number] - at)
    spans = sorted((first[n], last[n]) for n in first)
    busy, end = 0.0, -1e18
    for start, stop in spans:
        busy += max(0.0, stop - max(start, end))
        end = max(end, stop)
    messages = len(seen["sent"])
    return {
        "first_chat_p50_s": _pct(delays["frequent"], 0.5),
        "first_chat_p95_s": _pct(delays["frequent"], 0.95),
        "last_chat_p50_s": _pct(last_delays, 0.5),
        "push_first_chat_p50_s": _pct(delays["hub"], 0.5),
        "fanout_ratio_to_limit": round(messages / busy / LIMIT_PER_S, 3) if busy else None,
        "rare_first_chat_p50_s": _pct(delays["rare"], 0.5),
        "frequent_first_chat_s": sorted(round(value, 1) for value in delays["frequent"]),
        "alerts": {kind: len(values) for kind, values in delays.items()},
        "published": len(published),
        "messages": messages,
        # Deliveries still queued when the run stopped waiting (a machine too busy to keep
        # up shows here, and in the ratio).
        "undelivered_at_end": sum(
            chats - count.get(number, 0) for number in published if number in first
        ),
        "never_delivered": sorted(n for n in published if n not in first),
        "http_429": seen["http_429"],
    }


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON (the only format)")
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--frequent", type=int, default=2)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=60.0, help="simulated minutes of posts")
    parser.add_argument("--speed", type=float, default=3.0, help="simulated seconds a second")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    scale = Scale(time.time() + 5.0, args.speed)  # the simulated morning starts in 5 s
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_sandbox_process, args=(theirs, args.chats, scale), daemon=True
    )
    process.start()
    try:
        if not ours.poll(120):
            raise RuntimeError("the sandbox process did not start")
        address = ours.recv()
        cpu: dict[str, float] = {}
        published = asyncio.run(_run(args, address, scale, cpu))
        ours.send("stop")
        if not ours.poll(120):
            raise RuntimeError("the sandbox process did not report")
        seen = ours.recv()
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
    result = summarise(published, seen, args.chats)
    bot_cpu = cpu["end"] - cpu["start"]
    messages = result["messages"]
    result.update(
        bot_cpu_s=round(bot_cpu, 1),
        sandbox_cpu_s=round(seen["cpu_s"], 1),
        bot_cpu_ms_per_message=round(1000 * bot_cpu / messages, 2) if messages else None,
        sandbox_cpu_ms_per_message=(
            round(1000 * seen["cpu_s"] / messages, 2) if messages else None
        ),
    )
    result.update(
        sources=args.sources + 1, chats=args.chats, minutes=args.minutes, speed=args.speed
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
