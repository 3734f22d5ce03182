"""`outpost demo`: the whole bot on this machine, with no token and no internet.

A sandbox Telegram Bot API and a server for the packaged sample sources run locally; the
real application polls them, matches, and delivers to a demo subscriber, whose messages are
printed as they arrive. A scripted admin posts a manual update; the subscriber asks /status.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import TextIO

from selectolax.lexbor import LexborHTMLParser

from bot.admin.intake import add_source
from bot.app import OutpostApp, build_application, running
from bot.models import SourceKind
from bot.settings import load_settings
from sandbox import SandboxBotAPI, SourceServer

SUBSCRIBER = 1001
ADMIN = 42
# The order the admin adds them in, which is the order they are first polled: the news
# feed, whose hostile title (markup in a headline, shown escaped) is a test rather than a
# report, comes last, so the subscriber's first alert is a real-looking one.
SAMPLES = (
    ("channel_be.html", "s/belwatch_demo", SourceKind.TELEGRAM, "Belarus Watch"),
    ("analysis_en.atom", "atom/analysis_en.atom", SourceKind.RSS, "Posture Notes"),
    ("news_ru.rss", "rss/news_ru.rss", SourceKind.RSS, "Новости Полесья"),
)


def as_terminal_text(html: str) -> str:
    """Show Telegram HTML in a terminal: tags dropped, links as "text (url)"."""
    tree = LexborHTMLParser(f"<div>{html.replace(chr(10), '<br>')}</div>")
    for link in tree.css("a"):
        href = link.attributes.get("href") or ""
        link.replace_with(f"{link.text()} ({href})")
    for br in tree.css("br"):
        br.replace_with("\n")
    root = tree.body
    return root.text() if root is not None else html


class Transcript:
    """Prints what the demo users see, with the time since the demo started."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._start = time.monotonic()

    def say(self, who: str, text: str) -> None:
        """Print one line or message."""
        stamp = f"[{time.monotonic() - self._start:5.1f}s]"
        body = text.replace("\n", "\n" + " " * 10)
        print(f"{stamp} {who}: {body}", file=self._out, flush=True)


async def _follow(sandbox: SandboxBotAPI, chat_id: int, who: str, log: Transcript) -> None:
    """Print every message the bot sends to a chat, as it arrives."""
    shown = 0

    def more(seen: int) -> bool:
        return len(sandbox.messages_to(chat_id)) > seen

    while True:
        await sandbox.wait_for(lambda: more(shown), timeout=3600)  # noqa: B023 -- read at once
        for message in sandbox.messages_to(chat_id)[shown:]:
            log.say(f"bot → {who}", as_terminal_text(message.text or ""))
        shown = len(sandbox.messages_to(chat_id))


async def _say(
    sandbox: SandboxBotAPI,
    log: Transcript,
    chat_id: int,
    who: str,
    text: str,
    *,
    replies: int = 1,
) -> None:
    """Type a message as a demo user and wait for the bot's answer."""
    before = len(sandbox.messages_to(chat_id))
    log.say(who, text)
    sandbox.push_message(chat_id=chat_id, text=text, first_name=who)
    await sandbox.wait_for(lambda: len(sandbox.messages_to(chat_id)) >= before + replies)


async def _tap(
    sandbox: SandboxBotAPI,
    log: Transcript,
    chat_id: int,
    who: str,
    label: str,
    *,
    replies: int = 0,
) -> None:
    """Tap the button with this label on the bot's newest message that has it."""
    for message in reversed(sandbox.messages_to(chat_id)):
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        button = next((b for row in rows for b in row if b.get("text") == label), None)
        if button is not None:
            break
    else:
        raise RuntimeError(f"no button {label!r} in chat {chat_id}")
    answers, before = len(sandbox.callback_answers), len(sandbox.messages_to(chat_id))
    log.say(who, f"[taps {label}]")
    sandbox.push_callback(
        chat_id=chat_id,
        user_id=chat_id,
        message_id=message.message_id,
        data=button["callback_data"],
    )
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) > answers)
    await sandbox.wait_for(lambda: len(sandbox.messages_to(chat_id)) >= before + replies)
    if not replies and message.edits:
        log.say(f"bot → {who} (edited)", as_terminal_text(message.text or ""))


def _fresh_database(folder: Path) -> Path:
    """Return the demo's database file, made empty beforehand.

    An empty file is an empty database; the demo means to start afresh, so the warning about
    a database created where none was expected (a mount that failed, a typo) is not for it.
    """
    path = folder / "demo.sqlite3"
    path.touch()
    return path


async def run_demo(*, seconds: float = 40.0, out: TextIO = sys.stdout) -> int:
    """Run the scripted demo; return 0 when the subscriber got alerts."""
    log = Transcript(out)
    sandbox = SandboxBotAPI()
    sources = SourceServer()
    await sandbox.start()
    await sources.start()
    followers: list[asyncio.Task[None]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="outpost-demo-") as tmp:
            settings = load_settings(
                env_file=False,
                bot_token=sandbox.token,
                telegram_api_url=sandbox.base_url,
                database=_fresh_database(Path(tmp)),
                allow_private_sources=True,
                admin_ids=frozenset({ADMIN}),
                poll_interval=2.0,
                min_poll_interval=1.0,
                # A new source's first poll is normally silent; the demo shows its alerts.
                backfill_alerts=10,
                # A few sample items: starting worker processes would cost more than it saves.
                parse_workers=0,
            )
            sandbox.register_chat(SUBSCRIBER, "private")
            sandbox.register_chat(ADMIN, "private")
            app = build_application(settings, freeze_heap=True)
            async with asyncio.timeout(seconds), running(app):
                log.say(
                    "demo",
                    f"sandbox Telegram at {sandbox.base_url.rsplit('/', 1)[0]}, "
                    f"sample sources at {sources.url('')}",
                )
                followers.append(asyncio.create_task(_follow(sandbox, SUBSCRIBER, "Alex", log)))
                followers.append(asyncio.create_task(_follow(sandbox, ADMIN, "Admin", log)))
                await _say(sandbox, log, SUBSCRIBER, "Alex", "/start")
                await _say(
                    sandbox,
                    log,
                    SUBSCRIBER,
                    "Alex",
                    "/subscribe drills equipment mobilization air deployments",
                )
                core = app.bot_data.core
                samples = resources.files("sandbox") / "samples"
                for file_name, path, kind, name in SAMPLES:
                    sources.add(
                        path,
                        (samples / file_name).read_bytes(),
                        content_type=_content_type(file_name),
                    )
                    source = await add_source(
                        core.db,
                        sources.url(path),
                        now=core.clock.now(),
                        allow_private=True,
                        name=name,
                        kind=kind,
                    )
                    log.say("admin", f"added source {source.name} ({source.kind}) {source.url}")
                core.sources_changed()  # added here, not by /addsource: wake the loop
                log.say("demo", "waiting for the next polling cycle…")
                await sandbox.wait_for(lambda: len(sandbox.messages_to(SUBSCRIBER)) > 2)
                await _outbox_settled(app)
                await _say(
                    sandbox,
                    log,
                    ADMIN,
                    "Admin",
                    "/post Военкоматы Лунинецкого района вручают повестки резервистам: "
                    "мобилизация на сборы, сверка военных билетов.",
                )
                # The /post conversation: topics (found in the text), places, severity.
                await _tap(sandbox, log, ADMIN, "Admin", "Next ▶")
                await _tap(sandbox, log, ADMIN, "Admin", "No place")
                await _tap(sandbox, log, ADMIN, "Admin", "🔴 High", replies=2)
                await _tap(sandbox, log, ADMIN, "Admin", "✅ Confirm", replies=1)
                await _outbox_settled(app)
                await _say(sandbox, log, SUBSCRIBER, "Alex", "/status")
                # Alex switches the interface to Belarusian in /settings and asks again.
                await _say(sandbox, log, SUBSCRIBER, "Alex", "/settings")
                await _tap(sandbox, log, SUBSCRIBER, "Alex", "🌐 Language")
                await _tap(sandbox, log, SUBSCRIBER, "Alex", "Беларуская")
                await _say(sandbox, log, SUBSCRIBER, "Alex", "/mysubs")
                counts = await core.db.outbox.counts()
                log.say(
                    "demo",
                    f"done: {counts.get('sent', 0)} alerts delivered, "
                    f"{counts.get('pending', 0)} pending, {counts.get('failed', 0)} failed",
                )
    except TimeoutError:
        print("outpost demo: stopped after the time limit", file=out)
        return 1
    finally:
        for task in followers:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await sources.stop()
        await sandbox.stop()
    return 0


async def _outbox_settled(app: OutpostApp) -> None:
    """Wait until the dispatcher has nothing left to send (the demo's own pacing)."""
    db = app.bot_data.core.db
    # The outbox lives in SQLite, which has no change notification to await.
    while (await db.outbox.counts()).get("pending", 0):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.2)  # let the transcript print the last messages


def _content_type(file_name: str) -> str:
    if file_name.endswith(".html"):
        return "text/html; charset=utf-8"
    if file_name.endswith(".atom"):
        return "application/atom+xml; charset=utf-8"
    return "application/rss+xml; charset=utf-8"
