"""Ingest throughput: S local feeds polled through the real Fetcher, parsers and storage.

Run from the repository root:

    python bench/ingest.py --json [--sources 500] [--items 50] [--concurrency 16]
        [--database PATH_OR_POSTGRESQL_URL] [--instances N]

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

`--database`: an SQLite file or the postgresql:// URL of an EMPTY database (default: a
fresh SQLite file in a temporary folder). `--instances N` (N > 1): this process adds the
sources, then N child processes, each with its own services on that database (the worker
processes `--workers` split between them, `--concurrency` each, as N running instances),
start together and run the leased cycle of `outpost run` instances (`run_cycle(holder=)`):
each claims sources as its polls end, so together they read every feed once. The cycle's
wall time runs from their start until the last one is done; the cached cycle follows the
same way once every source is due again. CPU figures are then the instances' sums. Also
printed: `database` ("sqlite" or "postgresql", never the URL), `instances`,
`items_per_instance` and `sources_per_instance` (how the instances shared the feeds), and
`double_polled`: requests the feed server got beyond one per source and cycle (0 when no
source was read twice).
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
from collections import Counter
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.admin.intake import add_source  # noqa: E402
from bot.pipeline.cycle import run_cycle  # noqa: E402
from bot.runtime.clock import ManualClock  # noqa: E402 (needs the path above)
from bot.runtime.heap import settle_heap  # noqa: E402
from bot.services import open_services  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from sandbox import SourceServer  # noqa: E402
from sandbox.synthetic import make_feed  # noqa: E402
from storage import Database, open_database  # noqa: E402

START = datetime(2022, 10, 12, 12, tzinfo=UTC)
BARRIER_S = 3600.0  # the longest a process waits for the others at a barrier


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
        while await asyncio.to_thread(conn.recv) == "counts":
            # Requests per feed since the last question: how often each source was polled.
            conn.send(Counter(request.path for request in server.requests))
            server.requests.clear()
        await server.stop()  # told "stop"

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


def _settings(target: Path | str, concurrency: int, workers: int) -> Settings:
    return load_settings(
        env_file=False,
        database=target,
        allow_private_sources=True,
        max_response_bytes=20_000_000,
        http_timeout=60.0,  # a fetch's whole deadline is twice this
        poll_interval=300.0,
        poll_concurrency=concurrency,
        per_host_concurrency=concurrency,  # every feed is on one local host here
        parse_workers=workers,
    )


def _kind(target: Path | str) -> str:
    return "postgresql" if isinstance(target, str) else "sqlite"


def _extra(counts: Counter[str]) -> int:
    """Return the requests beyond one per feed (a source polled twice in one cycle)."""
    return sum(count - 1 for count in counts.values() if count > 1)


async def _add_sources(db: Database, sources: int, port: int) -> None:
    """Add the feeds as sources of an empty database."""
    if await db.sources.all():
        raise SystemExit("bench/ingest.py: the database already has sources; give an empty one")
    for index in range(sources):
        await add_source(
            db,
            f"http://127.0.0.1:{port}/feeds/{index}.rss",
            now=START,
            allow_private=True,
            name=f"Feed {index}",
        )


def _warm(pool: Any, workers: int) -> None:
    if pool is not None:
        # Start the workers before timing: a running bot starts them once, at start-up.
        list(pool.map(abs, range(max(workers, 1) * 4)))


async def bench(
    target: Path | str,
    sources: int,
    items: int,
    *,
    concurrency: int,
    port: int,
    workers: int,
    server_pid: int,
    server: Connection,
) -> dict[str, object]:
    """Add the sources, run a full cycle and an all-304 cycle, return the figures."""
    settings = _settings(target, concurrency, workers)
    clock = ManualClock(START)
    async with open_services(settings, clock=clock) as services:
        db, pipe = services.db, services.pipeline
        _warm(services.pool, workers)
        await _add_sources(db, sources, port)
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
        server.send("counts")
        double = _extra(server.recv())
        wall, cpu = time.perf_counter(), time.process_time()
        cached = await run_cycle(pipe, all_sources=True)
        cached_s = time.perf_counter() - wall
        cached_cpu = time.process_time() - cpu
        server.send("counts")
        double += _extra(server.recv())
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
        "database": _kind(target),
        "instances": 1,
        "items_per_instance": [first.items],
        "sources_per_instance": [first.sources],
        "double_polled": double,
    }


def _instance(
    index: int,
    target: Path | str,
    *,
    concurrency: int,
    workers: int,
    barrier: Barrier,
    conn: Connection,
) -> None:
    """Child process: one instance; two leased cycles, each started with the others."""

    async def cycles() -> dict[str, object]:
        settings = _settings(target, concurrency, workers)
        async with open_services(settings, clock=ManualClock(START)) as services:
            pipe = services.pipeline
            _warm(services.pool, workers)
            settle_heap()
            helpers = [c.pid for c in multiprocessing.active_children() if c.pid is not None]
            figures: dict[str, object] = {}
            for name in ("first", "cached"):
                await asyncio.to_thread(barrier.wait, BARRIER_S)  # start together
                workers_cpu, cpu = _cpu_of(helpers), time.process_time()
                report = await run_cycle(pipe, holder=f"bench-{index}")
                figures[f"{name}_cpu_s"] = time.process_time() - cpu
                figures[f"{name}_workers_cpu_s"] = _spent(workers_cpu, _cpu_of(helpers))
                figures[name] = report
                await asyncio.to_thread(barrier.wait, BARRIER_S)  # the last one is done
        return figures

    try:
        conn.send(asyncio.run(cycles()))
    except BaseException:
        barrier.abort()  # the others stop waiting
        raise


async def _make_due(target: Path | str) -> None:
    """Make every source due again for the cached cycle (as at an instance's start)."""
    db = await open_database(target)
    try:
        await db.sources.due_now(START)
    finally:
        await db.close()


async def _prepare(target: Path | str, sources: int, port: int) -> None:
    db = await open_database(target)
    try:
        await _add_sources(db, sources, port)
    finally:
        await db.close()


async def _stored(target: Path | str) -> int:
    db = await open_database(target)
    try:
        return await db.events.count()
    finally:
        await db.close()


def _sum(values: list[Any]) -> float | None:
    return None if any(value is None for value in values) else round(sum(values), 3)


def bench_instances(
    target: Path | str,
    sources: int,
    *,
    concurrency: int,
    port: int,
    workers: int,
    instances: int,
    server_pid: int,
    server: Connection,
) -> dict[str, object]:
    """Add the sources, then time N instances' leased cycles (full, then all-304)."""
    asyncio.run(_prepare(target, sources, port))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(instances + 1)
    shares = [workers // instances + (index < workers % instances) for index in range(instances)]
    pipes, children = [], []
    for index in range(instances):
        parent, child = context.Pipe()
        process = context.Process(
            target=_instance,
            args=(index, target),
            kwargs={
                "concurrency": concurrency,
                "workers": shares[index],
                "barrier": barrier,
                "conn": child,
            },
            daemon=False,  # it starts worker processes; joined or ended below
        )
        process.start()
        pipes.append(parent)
        children.append(process)
    try:
        barrier.wait(BARRIER_S)
        server_cpu, wall = _cpu_of([server_pid]), time.perf_counter()
        barrier.wait(BARRIER_S)
        first_s = time.perf_counter() - wall
        server_cpu = _spent(server_cpu, _cpu_of([server_pid]))
        server.send("counts")
        double = _extra(server.recv())
        asyncio.run(_make_due(target))
        barrier.wait(BARRIER_S)
        wall = time.perf_counter()
        barrier.wait(BARRIER_S)
        cached_s = time.perf_counter() - wall
        server.send("counts")
        double += _extra(server.recv())
        results = [conn.recv() for conn in pipes]
    finally:
        for process in children:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
    firsts = [result["first"] for result in results]
    cacheds = [result["cached"] for result in results]
    items = sum(report.items for report in firsts)
    return {
        "sources": sources,
        "items": items,
        "first_cycle_s": round(first_s, 3),
        "items_per_s": round(items / first_s, 1) if first_s else None,
        "first_cycle_cpu_s": _sum([result["first_cpu_s"] for result in results]),
        "first_cycle_workers_cpu_s": _sum([result["first_workers_cpu_s"] for result in results]),
        "first_cycle_server_cpu_s": server_cpu,
        "cached_cycle_s": round(cached_s, 3),
        "cached_cycle_cpu_s": _sum([result["cached_cpu_s"] for result in results]),
        "not_modified": sum(report.not_modified for report in cacheds),
        "events_stored": asyncio.run(_stored(target)),
        "failed": sum(report.failed for report in firsts + cacheds),
        "workers": workers,
        "concurrency": concurrency,
        "database": _kind(target),
        "instances": instances,
        "items_per_instance": [report.items for report in firsts],
        "sources_per_instance": [report.sources for report in firsts],
        "double_polled": double,
    }


def _target(value: str | None, tmp: str) -> Path | str:
    if value is None:
        return Path(tmp) / "bench.sqlite3"
    return value if value.startswith(("postgresql://", "postgres://")) else Path(value)


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
        help="sources polled at once, per instance (1..64: OUTPOST_PER_HOST_CONCURRENCY's range)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="parse/match worker processes in all (OUTPOST_PARSE_WORKERS); 0: a thread, inline",
    )
    parser.add_argument(
        "--database",
        metavar="TARGET",
        help="an SQLite file or the postgresql:// URL of an empty database (default: a "
        "fresh SQLite file in a temporary folder)",
    )
    parser.add_argument(
        "--instances", type=int, default=1, help="instances sharing the database (processes)"
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
        with tempfile.TemporaryDirectory(prefix="outpost-bench-") as tmp:
            target = _target(args.database, tmp)
            if args.instances > 1:
                result = bench_instances(
                    target,
                    args.sources,
                    concurrency=args.concurrency,
                    port=port,
                    workers=args.workers,
                    instances=args.instances,
                    server_pid=server.pid,
                    server=parent,
                )
            else:
                result = asyncio.run(
                    bench(
                        target,
                        args.sources,
                        args.items,
                        concurrency=args.concurrency,
                        port=port,
                        workers=args.workers,
                        server_pid=server.pid,
                        server=parent,
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
    return 0 if result["failed"] == 0 and result["double_polled"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
