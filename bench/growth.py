"""Growth: does a year of history make Outpost slower or bigger than it needs to be?

Run from the repository root:

    python bench/growth.py --json [--scale 1.0] [--fanout-chats 3000] [--keep DIR]

Two databases are built straight through SQLite (bulk inserts, the schema of the packaged
migrations 001-007, so the same builder serves any later version of the code; the bot's
own migrations bring each file up to date when it opens):

- **empty**: the audience and the sources (100,000 chats with their topics, 2,000 sources)
  and no history at all;
- **year**: the same, plus a year of history: 1,000,000 events from those sources, their
  stories (with the story fingerprints), and 5,000,000 outbox rows (sent, a few failed
  or cancelled), spread over the 365 days before now.

`--scale` multiplies every count (0.01 for a quick run). On each database the real
application runs (PTB over HTTP against the sandbox Bot API, which runs with Telegram's
limits in a process of its own together with a local source server), and these are
measured:

- `migrate_s`: opening the database the first time, which applies the code's migrations
  (and once switches on incremental vacuum) before anything is timed;
- `startup_s`: from building the application to its services being up (the database
  opened, the matcher loaded);
- `status_ms`, `latest_ms`, `stats_ms`, `sources_ms`: from a user's command arriving at
  the sandbox to the bot's (first) reply, the median of a few; /status from a
  subscriber, /stats and /sources from an admin; `status_chars` says how long the board was
  and `sources_replies` how many messages /sources sent;
- `claim_ms`: one claim of the outbox (30 rows) while a fan-out of `--fanout-chats` rows is
  pending, the median of several;
- `send_rate_per_s`: that fan-out sent through the real dispatcher, as the sandbox saw it
  (first message to last);
- `cached_cycle_cpu_s`: the bot's CPU over a polling cycle in which every source answers
  304;
- `db_mb`: the database file (and its WAL) once the application has run on it;
  `db_mb_after_retention`: after the retention job ran to completion on it (null when the
  code has no retention job).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import multiprocessing
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.app import build_application, running  # noqa: E402 (needs the path above)
from bot.matching import default_catalog, default_places  # noqa: E402
from bot.pipeline.cycle import run_cycle  # noqa: E402
from bot.runtime.clock import SystemClock  # noqa: E402
from bot.settings import load_settings  # noqa: E402

ADMIN = 7_000_000_001
SUBSCRIBER = 7_000_000_002
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>'
    b"<item><guid>x</guid><title>Quiet</title><description>Nothing new.</description></item>"
    b"</channel></rss>"
)
SOURCES, CHATS, EVENTS, OUTBOX = 2_000, 100_000, 1_000_000, 5_000_000
DAY = 86_400.0
WORDS = [
    "колонна",
    "техника",
    "учения",
    "полигон",
    "граница",
    "эшелон",
    "танки",
    "военкомат",
    "повестки",
    "резервисты",
    "вертолёт",
    "аэродром",
    "ракеты",
    "перемещение",
    "войск",
    "бригада",
    "батальон",
    "манёвры",
    "артиллерия",
    "column",
    "trucks",
    "drills",
    "border",
    "train",
    "tanks",
    "airfield",
    "missiles",
    "brigade",
    "exercise",
    "troops",
]


# -- the sandbox process: Bot API with Telegram's limits, and a source server -----------------


def _sandbox_process(conn: Connection, scale: float) -> None:
    """Serve the sandbox Bot API and the sources in this (child) process until told to stop."""
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(_serve(conn, scale))


async def _serve(conn: Connection, scale: float) -> None:
    from sandbox import RateLimits, SandboxBotAPI, SourceServer  # noqa: PLC0415

    api = SandboxBotAPI(limits=RateLimits())
    server = SourceServer()
    await api.start()
    await server.start()
    server.add("feed.rss", FEED)
    conn.send({"base_url": api.base_url, "token": api.token, "feed": server.url("feed.rss")})
    while True:
        command, *args = await asyncio.to_thread(conn.recv)
        if command == "stop":
            break
        if command == "chats":
            for chat_id in args[0]:
                api.register_chat(chat_id, "private")
            conn.send(None)
        elif command == "ask":
            chat_id, text, timeout = args
            before = len(api.messages_to(chat_id))
            started = time.perf_counter()
            api.push_message(chat_id=chat_id, text=text)
            try:
                await api.wait_for(lambda c=chat_id, b=before: len(api.messages_to(c)) > b, timeout)
            except (TimeoutError, AssertionError):
                conn.send({"ms": None, "text": "", "replies": 0})
                continue
            first = (time.perf_counter() - started) * 1000
            await asyncio.sleep(1.5)  # let the rest of a many-message reply arrive
            replies = api.messages_to(chat_id)[before:]
            conn.send({"ms": first, "text": replies[0].text or "", "replies": len(replies)})
        elif command == "sent_since":
            (mark,) = args
            times = [m.sent_at for m in api.sent[mark:] if m.kind == "message"]
            conn.send({"count": len(api.sent), "times": times, "http_429": api.stats.http_429})
        elif command == "mark":
            conn.send(len(api.sent))
    await server.stop()
    await api.stop()


class Sandbox:
    """The child process, driven over a pipe."""

    def __init__(self, scale: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_sandbox_process, args=(theirs, scale), daemon=True)
        self._process.start()
        if not self._conn.poll(60):
            raise RuntimeError("the sandbox process did not start")
        self.address: dict[str, Any] = self._conn.recv()

    def call(self, *message: Any, timeout: float = 600) -> Any:
        self._conn.send(message)
        if not self._conn.poll(timeout):
            raise RuntimeError(f"the sandbox did not answer {message[0]}")
        return self._conn.recv()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(("stop",))
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()


# -- building the databases ---------------------------------------------------------------------


def _base_schema(path: Path) -> sqlite3.Connection:
    """Create a database at the schema of migrations 001-007 and return a connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    for version in range(1, 8):
        entry = next(
            e
            for e in resources.files("storage.migrations").iterdir()
            if e.name.startswith(f"{version:03d}_")
        )
        sql = entry.read_text(encoding="utf-8")
        conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
    return conn


def _count(base: int, scale: float, least: int) -> int:
    return max(least, round(base * scale))


def build_empty(path: Path, scale: float, feed_url: str, now: float) -> dict[str, int]:
    """Write the audience and the sources; no history."""
    rng = random.Random(1)
    topics = default_catalog().names()
    sources, chats = _count(SOURCES, scale, 40), _count(CHATS, scale, 200)
    conn = _base_schema(path)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sources (id, url, kind, name, active, etag, last_modified, last_polled_at,"
        " last_success_at, last_error_at, last_error_kind, consecutive_failures, next_poll_at,"
        " created_at, backfilled, failing) VALUES (?, ?, 'rss', ?, 1, ?, NULL, ?, ?, ?, ?, ?,"
        " ?, ?, 1, ?)",
        (
            (
                n,
                f"{feed_url}?s={n}",
                f"Source {n}",
                None,
                now - 60,
                now - 60 if n % 20 else now - 5 * DAY,
                None if n % 20 else now - 60,
                None if n % 20 else "http_5xx",
                0 if n % 20 else 12,
                now + rng.uniform(0, 300),
                now - 400 * DAY,
                0 if n % 20 else 1,
            )
            for n in range(1, sources + 1)
        ),
    )
    ids = [*range(1, chats + 1), ADMIN, SUBSCRIBER]
    conn.executemany(
        "INSERT INTO chats (id, type, title, language, active, created_at)"
        " VALUES (?, 'private', NULL, ?, ?, ?)",
        (
            (
                c,
                "en" if c > chats else rng.choice(("ru", "be", "uk", "en")),
                int(c % 25 != 0),
                now - 300 * DAY,
            )
            for c in ids
        ),
    )
    conn.executemany(
        "INSERT INTO subscriptions (chat_id, topic, created_at) VALUES (?, ?, ?)",
        (
            (c, topic, now - 300 * DAY)
            for c in ids
            for topic in (topics if c in (ADMIN, SUBSCRIBER) else rng.sample(topics, 2))
        ),
    )
    conn.execute("COMMIT")
    conn.close()
    return {"sources": sources, "chats": len(ids)}


def _texts(rng: random.Random, count: int, words: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(words)) for _ in range(count)]


class _History:
    """A year of events and stories, generated in order, written in chunks."""

    def __init__(self, scale: float, now: float) -> None:
        self.rng = random.Random(2)
        self.topics = default_catalog().names()
        self.places = [p.id for p in default_places() if p.kind != "oblast"]
        self.sources = _count(SOURCES, scale, 40)
        self.events = _count(EVENTS, scale, 2_000)
        rng = self.rng
        self.titles, self.bodies = _texts(rng, 500, 8), _texts(rng, 500, 110)
        self.summaries = _texts(rng, 500, 28)
        self.start = now - 365 * DAY
        self.stories: list[tuple[int, float]] = []  # (id, created_at) in order
        self.joins: dict[int, tuple[float, int]] = {}  # story -> (last seen, reports)

    def story(
        self,
        story_id: int,
        *,
        event_id: int,
        seen: float,
        topics: list[str],
        places: list[str],
        link: str,
    ) -> tuple[Any, ...]:
        """Return a new story's row, fingerprint included."""
        sketch = sorted(self.rng.getrandbits(63) for _ in range(64))
        signature = json.dumps(
            {
                "topics": sorted(topics),
                "places": sorted(places),
                "numbers": [str(self.rng.randint(2, 99))],
                "sketch": sketch,
            }
        )
        self.stories.append((story_id, seen))
        return (
            story_id,
            link,
            event_id,
            json.dumps(topics),
            json.dumps(places, ensure_ascii=False),
            seen,
            signature,
            seen,
        )

    def chunks(self, size: int = 50_000) -> Iterator[tuple[list[Any], list[Any]]]:
        """Yield (stories, events) rows a chunk at a time."""
        rng = self.rng
        story_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        for event_id in range(1, self.events + 1):
            seen = self.start + (event_id / self.events) * 365 * DAY
            source = rng.randint(1, self.sources)
            topics = rng.sample(self.topics, rng.choice((1, 1, 2)))
            places = rng.sample(self.places, rng.choice((0, 1, 1, 2)))
            link = f"https://news{source}.example.org/{event_id}"
            if self.stories and rng.random() < 0.3:
                story = self.stories[-rng.randint(1, min(len(self.stories), 50))][0]
                reports = self.joins.get(story, (seen, 1))[1]
                self.joins[story] = (seen, reports + 1)
            else:
                story = len(self.stories) + 1
                story_rows.append(
                    self.story(
                        story,
                        event_id=event_id,
                        seen=seen,
                        topics=topics,
                        places=places,
                        link=link,
                    )
                )
            event_rows.append(
                (
                    event_id,
                    source,
                    f"item-{event_id}",
                    story,
                    rng.choice(self.titles),
                    rng.choice(self.bodies),
                    rng.choice(self.summaries),
                    link,
                    link,
                    "ru",
                    json.dumps(topics),
                    json.dumps(places, ensure_ascii=False),
                    seen - 120,
                    seen,
                    f"{event_id:032x}",
                    f"Source {source}",
                )
            )
            if len(event_rows) >= size:
                yield story_rows, event_rows
                story_rows, event_rows = [], []
        yield story_rows, event_rows


def _outbox_rows(
    stories: list[tuple[int, float]], chats: int, outbox: int, rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    """Yield about `outbox` finished rows, a few a story, each story to different chats."""
    per_story = max(1, outbox // len(stories))
    step = 7919 % chats or 1
    made = 0
    for story, created in stories:
        first = rng.randint(1, chats)
        for n in range(per_story):
            if made >= outbox:
                return
            made += 1
            chat = (first + n * step) % chats + 1
            status = "sent" if made % 100 else rng.choice(("failed", "cancelled"))
            sent = created + 1 + n / 29 if status == "sent" else None
            yield (story, chat, status, created, created, sent, made if sent else None)


def add_history(path: Path, scale: float, now: float) -> dict[str, int]:
    """Add a year of events, stories and outbox rows to an `empty` database."""
    history = _History(scale, now)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    for stories, events in history.chunks():
        _write_history(conn, stories, events)
    conn.execute("BEGIN")
    conn.executemany(
        "UPDATE stories SET last_seen_at = ?, sources_count = ? WHERE id = ?",
        ((last, min(reports, 9), sid) for sid, (last, reports) in history.joins.items()),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO outbox (story_id, chat_id, status, not_before, created_at,"
        " sent_at, message_id, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
        _outbox_rows(
            history.stories,
            _count(CHATS, scale, 200),
            _count(OUTBOX, scale, 10_000),
            history.rng,
        ),
    )
    conn.execute("COMMIT")
    counts = {
        "events": conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
        "stories": conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0],
        "outbox_rows": conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0],
    }
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return counts


def _write_history(
    conn: sqlite3.Connection, stories: list[tuple[Any, ...]], events: list[tuple[Any, ...]]
) -> None:
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO stories (id, canonical_link, first_event_id, topics, places, created_at,"
        " signature, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        stories,
    )
    conn.executemany(
        "INSERT INTO events (id, source_id, item_key, story_id, title, text, summary, link,"
        " canonical_link, lang, topics, places, published_at, seen_at, content_hash,"
        " source_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        events,
    )
    conn.execute("COMMIT")


def _mb(path: Path) -> float:
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return round(size / 1e6, 1)


# -- measuring ----------------------------------------------------------------------------------


async def _median_ask(sandbox: Sandbox, chat_id: int, text: str, runs: int) -> dict[str, Any]:
    answers = [
        await asyncio.to_thread(sandbox.call, "ask", chat_id, text, 120.0) for _ in range(runs)
    ]
    times = [a["ms"] for a in answers if a["ms"] is not None]
    return {
        "ms": round(statistics.median(times), 1) if times else None,
        "chars": len(answers[-1]["text"]),
        "replies": answers[-1]["replies"],
        "head": answers[-1]["text"][:60],
    }


async def _retention(core: Any) -> bool:
    """Run the retention job to completion if this version of the code has one."""
    import bot  # noqa: PLC0415 -- which checkout is running, for the code being measured

    # Looked for beside the running code: an editable install elsewhere must not answer.
    if not (Path(bot.__file__).parent / "retention.py").exists():
        return False
    module = importlib.import_module("bot.retention")
    await module.run_retention(core.db, core.settings, core.clock)
    return True


async def _open_once(path: Path) -> None:
    """Open a database once (which migrates it) and close it."""
    from storage import open_database  # noqa: PLC0415

    db = await open_database(path)
    await db.close()


async def _commands(sandbox: Sandbox, runs: int) -> dict[str, Any]:
    """Time the commands as users send them."""
    status = await _median_ask(sandbox, SUBSCRIBER, "/status", runs)
    latest = await _median_ask(sandbox, SUBSCRIBER, "/latest", runs)
    stats = await _median_ask(sandbox, ADMIN, "/stats", runs)
    sources = await _median_ask(sandbox, ADMIN, "/sources", max(1, runs // 2))
    return {
        "status_ms": status["ms"],
        "status_chars": status["chars"],
        "status_reply": status["head"],
        "latest_ms": latest["ms"],
        "stats_ms": stats["ms"],
        "sources_ms": sources["ms"],
        "sources_replies": sources["replies"],
    }


async def _fan_out_story(db: Any, now: datetime) -> int:
    """Return a story to fan out: the newest, or a new one on an empty database."""
    row = await db.fetchone("SELECT MAX(id) FROM stories")
    if row and row[0]:
        return int(row[0])
    cursor = await db.execute(
        "INSERT INTO stories (topics, places, created_at, canonical_link)"
        " VALUES ('[\"drills\"]', '[]', ?, 'https://bench.example.org/fan')",
        (now.timestamp(),),
    )
    story = int(cursor.lastrowid or 0)
    await db.execute(
        "INSERT INTO events (source_id, item_key, story_id, title, text, summary, link,"
        " canonical_link, lang, topics, places, seen_at, source_name) VALUES (NULL,"
        " 'fan', ?, 'Fan-out', 'A column near the border.', 'A column near the border.',"
        " 'https://bench.example.org/fan', 'https://bench.example.org/fan', 'en',"
        " '[\"drills\"]', '[]', ?, 'Bench')",
        (story, now.timestamp()),
    )
    return story


async def _claims_and_fan_out(
    core: Any, sandbox: Sandbox, fanout: int, runs: int
) -> dict[str, Any]:
    """Queue a fan-out, time claims against it (put back each time), then send it all."""
    db, now = core.db, core.clock.now()
    story = await _fan_out_story(db, now)
    await db.execute("DELETE FROM outbox WHERE story_id = ?", (story,))
    await db.execute("UPDATE outbox SET status = 'cancelled' WHERE status = 'pending'")
    await db.outbox.enqueue(story, range(1, fanout + 1), priority=0, now=now)
    claims = []
    for _ in range(max(5, runs * 2)):
        t0 = time.perf_counter()
        claimed = await db.outbox.claim(now=now, limit=30, lease=timedelta(minutes=2))
        claims.append((time.perf_counter() - t0) * 1000)
        await db.executemany(
            "UPDATE outbox SET lease_until = NULL, attempts = 0 WHERE id = ?",
            [(row.id,) for row in claimed],
        )
    mark = await asyncio.to_thread(sandbox.call, "mark")
    t0 = time.perf_counter()
    task = asyncio.create_task(core.dispatcher.run())
    try:
        while await db.fetchone(  # noqa: ASYNC110 -- the outbox lives in SQLite
            "SELECT 1 FROM outbox WHERE story_id = ? AND status = 'pending' LIMIT 1", (story,)
        ):
            await asyncio.sleep(0.5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    seen = await asyncio.to_thread(sandbox.call, "sent_since", mark)
    times = sorted(seen["times"])
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return {
        "claim_ms": round(statistics.median(claims), 2),
        "send_rate_per_s": round(len(times) / span, 2) if span else None,
        "fanout_s": round(time.perf_counter() - t0, 1),
        "http_429": seen["http_429"],
    }


async def _cached_cycle(core: Any) -> dict[str, Any]:
    """Poll every source twice; the second time each answers 304. Return its CPU."""
    await core.db.execute(
        "UPDATE sources SET etag = NULL, last_modified = NULL, active = 1, consecutive_failures = 0"
    )
    await run_cycle(core.pipeline, all_sources=True)  # learn the validators
    cpu = time.process_time()
    report = await run_cycle(core.pipeline, all_sources=True)
    return {
        "cached_cycle_cpu_s": round(time.process_time() - cpu, 2),
        "cached_cycle_not_modified": report.not_modified,
    }


async def measure(path: Path, sandbox: Sandbox, fanout: int, runs: int) -> dict[str, Any]:
    """Run the application on a database and take every figure."""
    address = sandbox.address
    settings = load_settings(
        env_file=False,
        bot_token=address["token"],
        telegram_api_url=address["base_url"],
        database=path,
        allow_private_sources=True,
        admin_ids=frozenset({ADMIN}),
        parse_workers=0,
        poll_concurrency=32,
        per_host_concurrency=32,
    )
    started = time.perf_counter()
    app = build_application(settings, clock=SystemClock(), poll_jobs=False, dispatch_loop=False)
    figures: dict[str, Any] = {}
    async with running(app):
        figures["startup_s"] = round(time.perf_counter() - started, 2)
        core = app.bot_data.core
        figures.update(await _commands(sandbox, runs))
        figures.update(await _claims_and_fan_out(core, sandbox, fanout, runs))
        figures.update(await _cached_cycle(core))
        figures["db_mb"] = _mb(path)
        t0 = time.perf_counter()
        if await _retention(core):
            figures["retention_s"] = round(time.perf_counter() - t0, 1)
            figures["db_mb_after_retention"] = _mb(path)
        else:
            figures["db_mb_after_retention"] = None
    return figures


def bench(scale: float, fanout: int, runs: int, keep: Path | None) -> dict[str, Any]:
    """Build both databases, measure the application on each, and report."""
    sandbox = Sandbox(scale)
    workdir = keep or Path(tempfile.mkdtemp(prefix="outpost-growth-"))
    workdir.mkdir(parents=True, exist_ok=True)
    now = time.time()
    result: dict[str, Any] = {"scale": scale, "fanout_chats": fanout}
    try:
        empty, year = workdir / "empty.sqlite3", workdir / "year.sqlite3"
        t0 = time.perf_counter()
        for path in (empty, year, Path(f"{empty}-wal"), Path(f"{year}-wal")):
            path.unlink(missing_ok=True)
        result["built"] = build_empty(empty, scale, sandbox.address["feed"], now)
        shutil.copy(empty, year)
        result["built"].update(add_history(year, scale, now))
        result["build_s"] = round(time.perf_counter() - t0, 1)
        chats = result["built"]["chats"]
        sandbox.call("chats", [*range(1, chats - 1), ADMIN, SUBSCRIBER])
        fanout = min(fanout, chats - 2)
        result["fanout_chats"] = fanout
        for name, path in (("empty", empty), ("year", year)):
            # Migrations (and switching on incremental vacuum) once, before any timing:
            # `startup_s` is an ordinary start.
            t0 = time.perf_counter()
            asyncio.run(_open_once(path))
            migrate_s = round(time.perf_counter() - t0, 1)
            result[name] = asyncio.run(measure(path, sandbox, fanout, runs))
            result[name]["migrate_s"] = migrate_s
    finally:
        sandbox.close()
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    empty_f, year_f = result["empty"], result["year"]
    result["year_to_empty"] = {
        key: round(year_f[key] / empty_f[key], 2)
        for key in ("status_ms", "latest_ms", "stats_ms", "sources_ms", "claim_ms")
        if year_f.get(key) and empty_f.get(key)
    }
    return result


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON (the only format)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count")
    parser.add_argument("--fanout-chats", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5, help="commands timed per figure")
    parser.add_argument("--keep", type=Path, default=None, help="build the databases here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    result = bench(args.scale, args.fanout_chats, args.runs, args.keep)
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
