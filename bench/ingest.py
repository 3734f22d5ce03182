"""Ingest throughput: S local feeds polled through the real Fetcher, parsers and storage.

Run from the repository root:

    python bench/ingest.py --json [--sources 500] [--items 50] [--concurrency 16]

A child process serves S RSS feeds of `--items` items each (about 1-3 KB of text per item,
Russian and English, some matching topics) from `sandbox.SourceServer`, with ETags. This
process adds them as sources to a fresh SQLite file and runs two polling cycles with the
real pipeline (fetch, parse, store, match): the first reads every feed; the second gets a
304 from every source. The server lives in its own process so that `cached_cycle_cpu_s`
(time.process_time over the cached cycle) counts the poller's CPU only.

Printed figures: `sources`, `items`, `first_cycle_s`, `items_per_s` (items / first cycle
wall time), `cached_cycle_s`, `cached_cycle_cpu_s`, and for context `first_cycle_cpu_s`,
`events_stored`, `not_modified`, `failed`, `feed_bytes`. On Linux also the CPU seconds the
worker processes (`first_cycle_workers_cpu_s`) and the feed server
(`first_cycle_server_cpu_s`) spent in the first cycle, read from /proc: on a shared machine
wall time is noisy, and CPU per item says where the time goes. The server gzips each feed
once, before timing, like a server's pre-compressed static files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.admin.intake import add_source  # noqa: E402
from bot.pipeline.cycle import run_cycle  # noqa: E402
from bot.runtime.clock import ManualClock  # noqa: E402 (needs the path above)
from bot.runtime.heap import settle_heap  # noqa: E402
from bot.services import open_services  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from sandbox import SourceServer  # noqa: E402
from sandbox.synthetic import make_feed  # noqa: E402


def _serve(sources: int, items: int, conn: Connection) -> None:
    """Child process: serve the feeds until told to stop."""

    async def main() -> None:
        server = SourceServer()
        await server.start()
        size = 0
        for index in range(sources):
            body = make_feed(index, items)
            size += len(body)
            server.add(f"feeds/{index}.rss", body, precompress=True)
        conn.send((server.port, size))
        await asyncio.to_thread(conn.recv)  # wait for "stop"
        await server.stop()

    asyncio.run(main())


def _cpu_of(pids: list[int]) -> float | None:
    """Return the CPU seconds (user and system) the processes used so far (Linux only)."""
    total = 0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 3)


async def bench(
    sources: int, items: int, concurrency: int, port: int, workers: int, *, server_pid: int
) -> dict[str, object]:
    """Add the sources, run a full cycle and an all-304 cycle, return the figures."""
    with tempfile.TemporaryDirectory(prefix="outpost-bench-") as tmp:
        settings = load_settings(
            env_file=False,
            database=Path(tmp) / "bench.sqlite3",
            allow_private_sources=True,
            max_response_bytes=20_000_000,
            http_timeout=60.0,  # a fetch's whole deadline is twice this
            poll_interval=300.0,
            poll_concurrency=concurrency,
            per_host_concurrency=concurrency,  # every feed is on one local host here
            parse_workers=workers,
        )
        clock = ManualClock(datetime(2022, 10, 12, 12, tzinfo=UTC))
        async with open_services(settings, clock=clock) as services:
            db, pipe = services.db, services.pipeline
            if services.pool is not None:
                # Start the workers before timing: a running bot starts them once, at start-up.
                list(services.pool.map(abs, range(workers * 4)))
            for index in range(sources):
                await add_source(
                    db,
                    f"http://127.0.0.1:{port}/feeds/{index}.rss",
                    now=clock.now(),
                    allow_private=True,
                    name=f"Feed {index}",
                )
            # As the bot does once it is set up (`build_application(freeze_heap=True)`).
            settle_heap()
            helpers = [
                child.pid
                for child in multiprocessing.active_children()
                if child.pid is not None and child.pid != server_pid
            ]
            workers_cpu, server_cpu = _cpu_of(helpers), _cpu_of([server_pid])
            wall, cpu = time.perf_counter(), time.process_time()
            first = await run_cycle(pipe, all_sources=True)
            first_s = time.perf_counter() - wall
            first_cpu = time.process_time() - cpu
            workers_cpu = _spent(workers_cpu, _cpu_of(helpers))
            server_cpu = _spent(server_cpu, _cpu_of([server_pid]))
            wall, cpu = time.perf_counter(), time.process_time()
            cached = await run_cycle(pipe, all_sources=True)
            cached_s = time.perf_counter() - wall
            cached_cpu = time.process_time() - cpu
            stored = await db.events.count()
    return {
        "sources": sources,
        "items": first.items,
        "first_cycle_s": round(first_s, 3),
        "items_per_s": round(first.items / first_s, 1) if first_s else None,
        "first_cycle_cpu_s": round(first_cpu, 3),
        "first_cycle_workers_cpu_s": workers_cpu,
        "first_cycle_server_cpu_s": server_cpu,
        "cached_cycle_s": round(cached_s, 3),
        "cached_cycle_cpu_s": round(cached_cpu, 3),
        "not_modified": cached.not_modified,
        "events_stored": stored,
        "failed": first.failed + cached.failed,
        "workers": workers,
        "concurrency": concurrency,
    }


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--items", type=int, default=50, help="items per feed")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="sources polled at once (1..64: OUTPOST_PER_HOST_CONCURRENCY's range)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="parse/match worker processes (OUTPOST_PARSE_WORKERS); 0: a thread, inline",
    )
    args = parser.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(args.sources, args.items, child), daemon=True
    )
    server.start()
    try:
        port, feed_bytes = parent.recv()
        assert server.pid is not None
        result = asyncio.run(
            bench(
                args.sources,
                args.items,
                args.concurrency,
                port,
                args.workers,
                server_pid=server.pid,
            )
        )
    finally:
        parent.send("stop")
        server.join(timeout=10)
    result["feed_bytes"] = feed_bytes
    result["bytes_per_item"] = round(feed_bytes / max(args.sources * args.items, 1))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0 if result["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
