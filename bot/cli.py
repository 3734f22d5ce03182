"""The `outpost` command line: run the bot, the demo, check its health, back it up, and
operate sources and events; export what subscribers flagged.

It reads flags, calls the library (the services come from `bot.services`) and prints;
PTB and the sandbox are imported only by the commands that run them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from bot.admin.intake import SourceRefusedError, add_source, import_opml
from bot.admin.opml import OpmlError, write_opml
from bot.admin.starter import import_starter
from bot.feedback.export import corpus_lines
from bot.matching.explain import LineError, classify_line, explain
from bot.models import DuplicateSourceError, Event, Source, SourceKind
from bot.pipeline.cycle import run_cycle
from bot.runtime.clock import SystemClock
from bot.runtime.lease import instance_id
from bot.runtime.logs import redact_uncaught, setup_logging
from bot.runtime.probe import probe
from bot.services import load_matcher, open_db, open_services
from bot.settings import Settings, SettingsError, find_env_file, load_settings
from storage import Database, DatabaseFileError, open_database
from storage.backup import BackupError, backup, restore
from storage.transfer import TransferError, transfer
from storage.urls import is_url, redact

log = logging.getLogger("outpost")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outpost", description="Alerts about military activity in and around Belarus."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot against Telegram (needs OUTPOST_BOT_TOKEN)")
    sub.add_parser(
        "health",
        help="ask the running bot's /readyz (OUTPOST_HTTP_LISTEN); exit 0 if ready, else 1",
    )
    backing = sub.add_parser(
        "backup", help="write a consistent copy of the database, even while the bot runs"
    )
    backing.add_argument("file")
    restoring = sub.add_parser(
        "restore", help="check a backup and put it back as the database (stop the bot first)"
    )
    restoring.add_argument("file")
    moving = sub.add_parser(
        "migrate-db",
        help="copy the SQLite database into an empty PostgreSQL one (stop the bot first)",
    )
    moving.add_argument(
        "--to", required=True, metavar="URL", help="postgresql://user@host/db (PGPASSWORD works)"
    )
    moving.add_argument(
        "--from", dest="source", metavar="FILE", help="the SQLite file (default: OUTPOST_DATABASE)"
    )
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
    importing.add_argument("file", nargs="?")
    importing.add_argument(
        "--starter",
        action="store_true",
        help="add Outpost's starter set of public sources (unchecked: run `poll --once` next)",
    )
    export = sources_sub.add_parser("export", help="write the sources as OPML (stdout if no FILE)")
    export.add_argument("file", nargs="?")

    poll = sub.add_parser("poll", help="fetch every source, store, match and queue alerts")
    poll.add_argument("--once", action="store_true", required=True, help="one cycle, then exit")

    chats = sub.add_parser(
        "chats",
        help="chats that started the bot, newest first (a private chat's id is its user's id)",
    )
    chats.add_argument("--limit", type=int, default=20)

    events = sub.add_parser("events", help="show stored events, newest first")
    events.add_argument("--json", action="store_true")
    events.add_argument("--limit", type=int, default=20)

    feedback = sub.add_parser("feedback", help="what subscribers flagged as not relevant")
    feedback_sub = feedback.add_subparsers(dest="action", required=True)
    exporting = feedback_sub.add_parser(
        "export",
        help="write the flagged stories as corpus JSON lines (stdout if no FILE), "
        "for bench/quality.py --corpus",
    )
    exporting.add_argument("file", nargs="?")

    sub.add_parser("classify", help="JSON lines with `text` on stdin; adds `topics` and `places`")
    explaining = sub.add_parser("explain", help="show which topics a text matches, on which words")
    explaining.add_argument("text", nargs="+")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"outpost: {exc}", file=sys.stderr)
        return 2
    try:
        return _command(args, settings)
    except DatabaseFileError as exc:
        print(f"outpost: {exc}", file=sys.stderr)
        return 2


def _command(args: argparse.Namespace, settings: Settings) -> int:  # noqa: PLR0911, PLR0912 -- one return a command
    """Run one command with the settings read."""
    level = settings.log_level
    if args.command == "demo" and "OUTPOST_LOG_LEVEL" not in os.environ:
        level = "WARNING"  # the demo's transcript is its output; logs only when asked for
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    setup_logging(level, secrets=[token], fmt=settings.log_format)
    redact_uncaught([token])
    match args.command:
        case "run":
            return _run(settings)
        case "health":
            return _health(settings, sys.stdout)
        case "backup":
            return _backup(settings, Path(args.file), sys.stdout)
        case "restore":
            return _restore(settings, Path(args.file), sys.stdout)
        case "demo":
            return _demo(args.seconds)
        case "migrate-db":
            return asyncio.run(_migrate_db(settings, args.source, args.to, sys.stdout))
        case "sources":
            return asyncio.run(_sources(settings, args, sys.stdout))
        case "poll":
            return asyncio.run(_poll_once(settings, sys.stdout))
        case "events" | "chats":
            return asyncio.run(_listing(settings, args, sys.stdout))
        case "feedback":
            return asyncio.run(_export_feedback(settings, args.file, sys.stdout))
        case "classify":
            return _classify(settings, sys.stdin, sys.stdout)
        case "explain":
            return _explain(settings, " ".join(args.text), sys.stdout)
    return 2  # pragma: no cover -- argparse refuses other commands


def _demo(seconds: float) -> int:
    try:
        from sandbox.demo import run_demo  # noqa: PLC0415 -- loaded only for the demo
    except ModuleNotFoundError as exc:
        print(
            f"outpost demo needs the sandbox's extra ({exc.name} is missing): "
            "pip install -e '.[demo]' (bash scripts/demo does it)",
            file=sys.stderr,
        )
        return 2
    return asyncio.run(run_demo(seconds=seconds))


def _run(settings: Settings) -> int:
    if settings.bot_token is None:
        print(
            "outpost: no bot token. Create a bot with @BotFather, then set OUTPOST_BOT_TOKEN "
            "in the environment or in .env (see .env.example). To try Outpost without "
            "Telegram, run `outpost demo`.",
            file=sys.stderr,
        )
        return 2
    from bot.app import (  # noqa: PLC0415 -- PTB loads only for the bot itself
        build_application,
        serve_until_stopped,
        token_rejected,
    )

    env = find_env_file()
    log.info(
        "starting: settings from %s; database %s",
        env.resolve() if env else "the environment (no .env found)",
        settings.database_shown,
    )
    try:
        # Start-up retries what the network or Telegram refuse for a while; a token
        # Telegram rejects ends it at once, named without the token itself.
        app = build_application(settings, freeze_heap=True)
        if settings.webhook_url is None:
            app.run_polling(bootstrap_retries=-1)
        else:  # updates come through the HTTP listener (bot.runtime.webhook_http)
            asyncio.run(serve_until_stopped(app))
    except Exception as exc:
        if not token_rejected(exc):
            raise
        print(
            "outpost: Telegram rejected the bot token (OUTPOST_BOT_TOKEN): check it with "
            "@BotFather; a revoked token needs the new one.",
            file=sys.stderr,
        )
        return 2
    return 0


def _health(settings: Settings, out: TextIO) -> int:
    healthy, line = probe(settings.listen_address())
    print(line, file=out if healthy else sys.stderr)
    return 0 if healthy else 1


_PG_DUMP = (
    "outpost: the database is PostgreSQL ({url}): back it up with pg_dump and put it back"
    " with pg_restore (or psql); `outpost {command}` copies SQLite files only"
)


def _backup(settings: Settings, file: Path, out: TextIO) -> int:
    if settings.database_path is None:
        print(_PG_DUMP.format(url=settings.database_shown, command="backup"), file=sys.stderr)
        return 1
    try:
        info = backup(settings.database_path, file)
    except BackupError as exc:
        print(f"outpost: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {info.path} ({info.size} bytes, schema version {info.schema_version})", file=out)
    return 0


async def _migrate_db(settings: Settings, source: str | None, url: str, out: TextIO) -> int:
    """Copy the SQLite database into an empty PostgreSQL one (`storage.transfer`)."""
    if not is_url(url):
        print("outpost: --to takes a postgresql:// URL", file=sys.stderr)
        return 2
    path = Path(source) if source else settings.database_path
    if path is None:
        print(
            "outpost: OUTPOST_DATABASE is not a file: name the SQLite file with --from",
            file=sys.stderr,
        )
        return 2
    running, _ = probe(settings.listen_address(), path="/healthz")
    if running:
        print("outpost: the bot is running; stop it before copying its database", file=sys.stderr)
        return 1
    src = await open_database(path, create=False)
    try:
        dst = await open_database(url)
        try:
            copied = await transfer(
                src, dst, lambda table, rows: print(f"{table}: {rows} rows", file=out)
            )
        finally:
            await dst.close()
    except TransferError as exc:
        print(f"outpost: {exc}", file=sys.stderr)
        return 1
    finally:
        await src.close()
    print(
        f"copied {copied.rows} rows in {len(copied.tables)} tables to {redact(url)};"
        " now set OUTPOST_DATABASE to that URL",
        file=out,
    )
    return 0


def _restore(settings: Settings, file: Path, out: TextIO) -> int:
    running, _ = probe(settings.listen_address(), path="/healthz")
    if running:
        print("outpost: the bot is running; stop it before restoring", file=sys.stderr)
        return 1
    database = settings.database_path
    if database is None:
        print(_PG_DUMP.format(url=settings.database_shown, command="restore"), file=sys.stderr)
        return 1
    replaced = database.exists()
    try:
        info = restore(file, database)
    except BackupError as exc:
        print(f"outpost: {exc}", file=sys.stderr)
        return 1
    print(
        f"restored {database} from {info.path} (schema version "
        f"{info.schema_version}); migrations run when the bot next starts",
        file=out,
    )
    if replaced:
        print(f"the database it replaced is kept as {database}.before-restore", file=out)
    return 0


async def _sources(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "add":
        return await _add_source(settings, args, out)
    async with open_db(settings) as db:
        match args.action:
            case "remove" | "pause" | "resume":
                return await _change_source(db, args, out)
            case "import":
                return await _import(settings, db, args.file, out, starter=args.starter)
            case "export":
                return await _export(db, args.file, out)
        _list_sources(await db.sources.all(), as_json=args.json, out=out)
    return 0


async def _add_source(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    async with open_services(settings, workers=False) as services:
        try:
            source = await add_source(
                services.db,
                args.url,
                now=services.clock.now(),
                allow_private=settings.allow_private_sources,
                name=args.name,
                kind=SourceKind(args.kind) if args.kind else None,
                fetcher=None if args.no_discover else services.fetcher,
                poll_interval=args.interval,
                guard=services.fetcher.guard,
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


async def _import(
    settings: Settings, db: Database, file: str | None, out: TextIO, *, starter: bool
) -> int:
    if starter == (file is not None):
        print("outpost: give an OPML file or --starter (one of them)", file=sys.stderr)
        return 2
    now, allow_private = SystemClock().now(), settings.allow_private_sources
    try:
        if file is None:
            report = await import_starter(db, now=now, allow_private=allow_private)
        else:
            data = await asyncio.to_thread(Path(file).read_bytes)
            report = await import_opml(db, data, now=now, allow_private=allow_private)
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
    if starter:
        print(
            "The starter addresses are unchecked: run `outpost poll --once`, then "
            "`outpost sources list` to see each one's health.",
            file=out,
        )
    return 0


async def _export(db: Database, file: str | None, out: TextIO) -> int:
    document = write_opml(await db.sources.all(), now=SystemClock().now())
    if file is None:
        out.write(document.decode("utf-8"))
    else:
        await asyncio.to_thread(Path(file).write_bytes, document)
        print(f"wrote {file}", file=out)
    return 0


def _list_sources(sources: list[Source], *, as_json: bool, out: TextIO) -> None:
    if as_json:
        json.dump([_json_row(source) for source in sources], out, ensure_ascii=False, indent=2)
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


def _json_row(record: Source | Event) -> dict[str, Any]:
    """A stored record as JSON-ready fields: enums by value, times in ISO 8601."""
    row = asdict(record)
    for key, value in row.items():
        if isinstance(value, Enum):
            row[key] = value.value
        elif hasattr(value, "isoformat"):
            row[key] = value.isoformat()
    return row


async def _poll_once(settings: Settings, out: TextIO) -> int:
    async with open_services(settings, workers=False) as services:
        # Leased like the running instances' polls: beside them, no source is polled twice.
        report = await run_cycle(services.pipeline, all_sources=True, holder=instance_id())
    json.dump(asdict(report), out, ensure_ascii=False)
    out.write("\n")
    return 0


async def _chats(db: Database, limit: int, out: TextIO) -> int:
    for chat in await db.chats.newest(limit):
        state = "" if chat.active else "  (left or blocked the bot)"
        print(
            f"{chat.id:>15}  {chat.type:<10} {chat.language or '-':<3} {chat.title or '-'}{state}",
            file=out,
        )
    return 0


async def _listing(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    """List the newest chats (`outpost chats`) or events (`outpost events`)."""
    async with open_db(settings) as db:
        if args.command == "chats":
            return await _chats(db, args.limit, out)
        events = await db.events.recent(limit=args.limit)
    for event in events:
        if args.json:
            out.write(json.dumps(_json_row(event), ensure_ascii=False) + "\n")
        else:
            topics = ",".join(event.topics) or "-"
            print(
                f"{event.seen_at:%Y-%m-%d %H:%M} [{topics}] {event.title}  {event.link or ''}",
                file=out,
            )
    return 0


async def _export_feedback(settings: Settings, file: str | None, out: TextIO) -> int:
    async with open_db(settings) as db:
        stories = await db.feedback.every()
    text = "".join(line + "\n" for line in corpus_lines(stories))
    if file is None:
        out.write(text)
        return 0
    try:
        await asyncio.to_thread(Path(file).write_text, text, encoding="utf-8")
    except OSError as exc:
        print(f"outpost: cannot write {file}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(stories)} flagged stories to {file}", file=out)
    return 0


def _classify(settings: Settings, inp: TextIO, out: TextIO) -> int:
    _, matcher = load_matcher(settings)
    status = 0
    for number, line in enumerate(inp, start=1):
        if not line.strip():
            continue
        try:
            item = classify_line(matcher, line)
        except LineError as exc:
            print(f"outpost classify: line {number}: {exc}", file=sys.stderr)
            status = 1
            continue
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return status


def _explain(settings: Settings, text: str, out: TextIO) -> int:
    catalog, matcher = load_matcher(settings)
    for line in explain(matcher, catalog, text):
        print(line, file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
