"""The `outpost` command line: run the bot, the demo, and operate sources and events."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.models import DuplicateSourceError, Source, SourceKind
from bot.runtime.clock import SystemClock
from bot.runtime.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from storage import Database

log = logging.getLogger("outpost")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outpost", description="Alerts about military activity in and around Belarus."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot against Telegram (needs OUTPOST_BOT_TOKEN)")
    demo = sub.add_parser(
        "demo", help="run the whole bot locally: sandbox Telegram, sample sources"
    )
    demo.add_argument("--seconds", type=float, default=40.0, help="stop after this long at most")

    sources = sub.add_parser("sources", help="manage sources")
    sources_sub = sources.add_subparsers(dest="action", required=True)
    add = sources_sub.add_parser("add", help="add a feed URL or a Telegram channel")
    add.add_argument("url")
    add.add_argument("--name")
    add.add_argument("--kind", choices=[kind.value for kind in SourceKind])
    add.add_argument(
        "--interval", type=float, help="seconds between polls of this source (default: setting)"
    )
    add.add_argument(
        "--no-discover",
        action="store_true",
        help="store the URL as given, without looking for the feed a site page advertises",
    )
    listing = sources_sub.add_parser("list", help="list sources with their health")
    listing.add_argument("--json", action="store_true")
    for action, what in (
        ("remove", "remove a source (its events stay)"),
        ("pause", "stop polling a source"),
        ("resume", "poll a paused or turned-off source again"),
    ):
        one = sources_sub.add_parser(action, help=what)
        one.add_argument("id", type=int)
    importing = sources_sub.add_parser("import", help="add the feeds of an OPML file")
    importing.add_argument("file")
    export = sources_sub.add_parser("export", help="write the sources as OPML (stdout if no FILE)")
    export.add_argument("file", nargs="?")

    poll = sub.add_parser("poll", help="fetch every source, store, match and queue alerts")
    poll.add_argument("--once", action="store_true", required=True, help="one cycle, then exit")

    events = sub.add_parser("events", help="show stored events, newest first")
    events.add_argument("--json", action="store_true")
    events.add_argument("--limit", type=int, default=20)

    sub.add_parser("classify", help="JSON lines with `text` on stdin; adds `topics` and `places`")
    explain = sub.add_parser("explain", help="show which topics a text matches, on which words")
    explain.add_argument("text", nargs="+")
    return parser


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 -- one return a command
    """Run the CLI; return the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"outpost: {exc}", file=sys.stderr)
        return 2
    level = settings.log_level
    if args.command == "demo" and "OUTPOST_LOG_LEVEL" not in os.environ:
        level = "WARNING"  # the demo's transcript is its output; logs only when asked for
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    setup_logging(level, secrets=[token])
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)  # dictionary loading chatter
    match args.command:
        case "run":
            return _run(settings)
        case "demo":
            try:
                from sandbox.demo import run_demo  # noqa: PLC0415 -- loaded only for the demo
            except ModuleNotFoundError as exc:
                print(
                    f"outpost demo needs the sandbox's extra ({exc.name} is missing): "
                    "pip install -e '.[demo]' (bash scripts/demo does it)",
                    file=sys.stderr,
                )
                return 2
            return asyncio.run(run_demo(seconds=args.seconds))
        case "sources":
            return asyncio.run(_sources(settings, args, sys.stdout))
        case "poll":
            return asyncio.run(_poll_once(settings, sys.stdout))
        case "events":
            return asyncio.run(_events(settings, args, sys.stdout))
        case "classify":
            return _classify(settings, sys.stdin, sys.stdout)
        case "explain":
            return _explain(settings, " ".join(args.text), sys.stdout)
    return 2  # pragma: no cover -- argparse refuses other commands


def _run(settings: Settings) -> int:
    if settings.bot_token is None:
        print(
            "outpost: no bot token. Create a bot with @BotFather, then set OUTPOST_BOT_TOKEN "
            "in the environment or in .env (see .env.example). To try Outpost without "
            "Telegram, run `outpost demo`.",
            file=sys.stderr,
        )
        return 2
    from bot.app import build_application  # noqa: PLC0415 -- PTB loads only for the bot itself

    build_application(settings, freeze_heap=True).run_polling()
    return 0


async def _sources(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from storage import open_database  # noqa: PLC0415

    db = await open_database(settings.database)
    try:
        match args.action:
            case "add":
                return await _add_source(settings, db, args, out)
            case "remove" | "pause" | "resume":
                return await _change_source(db, args, out)
            case "import":
                return await _import(settings, db, args.file, out)
            case "export":
                return await _export(db, args.file, out)
        _list_sources(await db.sources.all(), as_json=args.json, out=out)
        return 0
    finally:
        await db.close()


async def _add_source(
    settings: Settings, db: Database, args: argparse.Namespace, out: TextIO
) -> int:
    from bot.admin.intake import SourceRefusedError, add_source  # noqa: PLC0415
    from bot.pipeline.fetch.fetcher import DEFAULT_USER_AGENT, make_client, make_fetcher  # noqa: PLC0415

    async with make_client(
        DEFAULT_USER_AGENT, settings.http_timeout, allow_private=settings.allow_private_sources
    ) as http:
        try:
            source = await add_source(
                db,
                args.url,
                now=SystemClock().now(),
                allow_private=settings.allow_private_sources,
                name=args.name,
                kind=SourceKind(args.kind) if args.kind else None,
                fetcher=None if args.no_discover else make_fetcher(settings, http),
                poll_interval=args.interval,
            )
        except (SourceRefusedError, DuplicateSourceError) as exc:
            kind = "already added" if isinstance(exc, DuplicateSourceError) else "refused"
            print(f"outpost: {kind}: {exc}", file=sys.stderr)
            return 1
    print(f"added source {source.id}: {source.name} ({source.kind}) {source.url}", file=out)
    return 0


async def _change_source(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "remove":
        done = await db.sources.remove(args.id)
    else:
        done = await db.sources.set_active(
            args.id, active=args.action == "resume", now=SystemClock().now()
        )
    if not done:
        print(f"outpost: no source {args.id}", file=sys.stderr)
        return 1
    past = {"remove": "removed", "pause": "paused", "resume": "resumed"}[args.action]
    print(f"{past} source {args.id}", file=out)
    return 0


async def _import(settings: Settings, db: Database, file: str, out: TextIO) -> int:
    from bot.admin.intake import import_opml  # noqa: PLC0415
    from bot.admin.opml import OpmlError  # noqa: PLC0415

    try:
        data = await asyncio.to_thread(Path(file).read_bytes)
        report = await import_opml(
            db, data, now=SystemClock().now(), allow_private=settings.allow_private_sources
        )
    except (OSError, OpmlError) as exc:
        print(f"outpost: cannot import {file}: {exc}", file=sys.stderr)
        return 1
    for source in report.added:
        print(f"added source {source.id}: {source.name} ({source.kind}) {source.url}", file=out)
    for url in report.duplicates:
        print(f"already added: {url}", file=out)
    for url, why in report.refused:
        print(f"refused: {url}: {why}", file=out)
    print(
        f"{len(report.added)} added, {len(report.duplicates)} already known, "
        f"{len(report.refused)} refused",
        file=out,
    )
    return 0


async def _export(db: Database, file: str | None, out: TextIO) -> int:
    from bot.admin.opml import write_opml  # noqa: PLC0415

    document = write_opml(await db.sources.all(), now=SystemClock().now())
    if file is None:
        out.write(document.decode("utf-8"))
    else:
        await asyncio.to_thread(Path(file).write_bytes, document)
        print(f"wrote {file}", file=out)
    return 0


def _list_sources(sources: list[Source], *, as_json: bool, out: TextIO) -> None:
    if as_json:
        rows = []
        for source in sources:
            row = asdict(source)
            row["kind"] = source.kind.value
            for key, value in row.items():
                if hasattr(value, "isoformat"):
                    row[key] = value.isoformat()
            rows.append(row)
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    for source in sources:
        health = source.last_error_kind if source.consecutive_failures else "ok"
        state = "active"
        if not source.active:
            state = "off" if source.deactivated_at else "paused"
        print(
            f"{source.id:>4}  {source.kind:<8} {state:<6} {health:<14} {source.name}  {source.url}",
            file=out,
        )


async def _poll_once(settings: Settings, out: TextIO) -> int:
    from bot.matching import Matcher, default_places, load_catalog  # noqa: PLC0415
    from bot.pipeline.cycle import build_pipeline, run_cycle  # noqa: PLC0415
    from bot.pipeline.fetch.fetcher import make_client, make_fetcher  # noqa: PLC0415
    from storage import open_database  # noqa: PLC0415

    db = await open_database(settings.database)
    catalog = load_catalog(settings.catalog)
    matcher = Matcher(catalog, default_places())
    try:
        async with make_client(
            "Outpost CLI", settings.http_timeout, allow_private=settings.allow_private_sources
        ) as http:
            pipe = build_pipeline(
                settings,
                db=db,
                fetcher=make_fetcher(settings, http),
                matcher=matcher,
                catalog=catalog,
                clock=SystemClock(),
            )
            report = await run_cycle(pipe, all_sources=True)
    finally:
        await db.close()
    json.dump(asdict(report), out, ensure_ascii=False)
    out.write("\n")
    return 0


async def _events(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from storage import open_database  # noqa: PLC0415

    db = await open_database(settings.database)
    try:
        events = await db.events.recent(limit=args.limit)
    finally:
        await db.close()
    for event in events:
        if args.json:
            row = asdict(event)
            for key, value in row.items():
                if hasattr(value, "isoformat"):
                    row[key] = value.isoformat()
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            topics = ",".join(event.topics) or "-"
            print(
                f"{event.seen_at:%Y-%m-%d %H:%M} [{topics}] {event.title}  {event.link or ''}",
                file=out,
            )
    return 0


def _classify(settings: Settings, inp: TextIO, out: TextIO) -> int:
    from bot.matching import Matcher, default_places, load_catalog  # noqa: PLC0415

    matcher = Matcher(load_catalog(settings.catalog), default_places())
    status = 0
    for number, line in enumerate(inp, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            print(f"outpost classify: line {number}: not JSON: {exc}", file=sys.stderr)
            status = 1
            continue
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(text, str):
            print(f"outpost classify: line {number}: no `text` string", file=sys.stderr)
            status = 1
            continue
        found = matcher.classify(text)
        item["topics"] = list(found.topics)
        item["places"] = list(found.places)
        item["lang"] = found.lang
        item["severity"] = found.severity
        item["oblasts"] = list(found.oblasts)
        item["border_km"] = dict(found.border_km)
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return status


def _explain(settings: Settings, text: str, out: TextIO) -> int:
    from bot.matching import Matcher, default_places, load_catalog  # noqa: PLC0415
    from bot.matching.lang import language_candidates  # noqa: PLC0415

    catalog = load_catalog(settings.catalog)
    matcher = Matcher(catalog, default_places())
    found = matcher.classify(text)
    langs = language_candidates(text)
    read_as = f" (words read as {', '.join(langs)})" if len(langs) > 1 else ""
    print(f"language: {found.lang}{read_as}", file=out)
    if not found.hits:
        print("topics: none", file=out)
    for hit in found.hits:
        pairs = ", ".join(f"{words!r} ~ keyword {keyword!r}" for words, keyword in hit.pairs)
        severity = hit.severity or catalog.topic(hit.topic).severity
        print(f"topic {hit.topic} ({severity}): {pairs}", file=out)
        for words, level, note in hit.graded:
            print(f"  {words!r} graded {level} by a rule: {note}", file=out)
    if found.severity:
        print(f"severity: {found.severity}", file=out)
    for note in found.notes:
        print(f"not counted: {note}", file=out)
    if not found.places:
        print("places: none", file=out)
    for place_id in found.places:
        place = matcher.places.get(place_id)
        if place is None:
            continue
        line = f"place {place.id}: {place.kind}, {place.oblast}"
        if place.kind != "oblast" and place.border_km:
            code, km = min(place.border_km.items(), key=lambda item: item[1])
            line += f", {km:g} km from the {code} border"
        print(line, file=out)
    if found.border_km:
        borders = ", ".join(f"{code} {km:g} km" for code, km in found.border_km)
        print(f"borders: {borders}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
