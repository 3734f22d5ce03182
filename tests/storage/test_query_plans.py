"""Every statement the bot runs touches only what it needs: no full scan of a growing table.

A representative session runs through the real application with the connection traced
(`Database.trace`): sources are polled, reports stored and joined, alerts sent and edited,
every command answered, pages turned, the retention job run. Then each statement it ran
is planned again with EXPLAIN QUERY PLAN, and any `SCAN` of a table that grows with
history fails the test, naming the statement and its plan. SQLite's planner has no
statistics here (the bot never runs ANALYZE), so its plans on this small database are
the plans it makes on a year-old one.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.context import Core
from bot.pipeline.cycle import run_cycle
from bot.pipeline.store import record_post
from bot.retention import run_retention
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import ALICE, say, tap
from tests.helpers.posts import source_post
from tests.helpers.settings import ADMIN_ID
from tests.helpers.sources import add_samples

# Tables whose rows pile up with time; the others grow with the audience or the operator's
# choices (chats, subscriptions, sources), which every figure may scale with.
GROWING = {
    "events",
    "stories",
    "outbox",
    "story_labels",
    "daily_counts",
    "audit_log",
    "websub",
    "feedback",
    "flagged_stories",
}
_SKIP = re.compile(r"^\s*(--|(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|EXPLAIN)\b)", re.I)
_SCAN = re.compile(r"\bSCAN (\w+)")
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def shape(sql: str) -> str:
    """Return a statement with its literals blanked: one plan per kind of statement."""
    return " ".join(_LITERAL.sub("?", sql).split())


_KEYWORDS = {"WHERE", "JOIN", "LEFT", "ON", "ORDER", "GROUP", "LIMIT", "UNION", "SET", "AS"}
_TABLE = re.compile(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", re.I)


def tables_of(sql: str) -> dict[str, str]:
    """Map each name a statement gives a table (itself or its alias) to the table."""
    names: dict[str, str] = {}
    for table, alias in _TABLE.findall(sql):
        names[table] = table
        if alias and alias.upper() not in _KEYWORDS:
            names[alias] = table
    return names


def full_scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    """Return the plan lines of a statement that walk a growing table whole.

    An index walked in order under a LIMIT (no temporary B-tree to sort) stops after the
    page it was asked for, so it is allowed; any other SCAN of a growing table is not.
    """
    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    names = tables_of(sql)
    sorted_late = any("TEMP B-TREE FOR ORDER BY" in line for line in plan)
    paged = re.search(r"\bLIMIT\s+\S+(\s+OFFSET\s+\S+)?\s*$", sql.strip(), re.I) is not None
    bad = []
    for line in plan:
        found = _SCAN.search(line)
        if found is None or names.get(found.group(1), found.group(1)) not in GROWING:
            continue
        if "USING" in line and "INDEX" in line and paged and not sorted_late:
            continue
        bad.append(line)
    return bad


def last_alert_buttons(sandbox: SandboxBotAPI, chat_id: int) -> list[str]:
    """The callback data under the newest alert in a chat."""
    for message in reversed(sandbox.messages_to(chat_id)):
        rows = message.reply_markup["inline_keyboard"] if message.reply_markup else []
        data = [button["callback_data"] for row in rows for button in row]
        if data and data[0].startswith("why:"):
            return data
    raise LookupError(f"no alert with buttons in chat {chat_id}")


async def report(core: Core, key: str, text: str, *, source: str = "News") -> None:
    """Store one report as a source would."""
    link = f"https://news.example.org/{key}"
    await record_post(
        core.db,
        source_post(
            core.matcher, key, text, text, link=link, canonical_link=link, source_name=source
        ),
        matcher=core.matcher,
        catalog=core.catalog,
        now=core.clock.now(),
    )


async def test_no_statement_scans_a_growing_table(
    sandbox: SandboxBotAPI,
    core: Core,
    source_server: SourceServer,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    statements: dict[str, str] = {}

    def seen(sql: str) -> None:
        if not _SKIP.match(sql):
            statements.setdefault(shape(sql), sql)

    await core.db.trace(seen)
    # Sources polled (a first, silent poll; then news), reports joined into stories.
    await say(sandbox, ALICE, "/subscribe drills mobilization")
    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    start = clock.now()
    for day in range(9, 0, -3):
        clock.set(start - timedelta(days=day))
        await report(core, f"old-{day}", "Военные учения на полигоне под Борисовом")
    clock.set(start)
    await report(core, "a", "Учения у границы возле Мозыря, колонна из 20 машин")
    await report(core, "b", "Учения у границы возле Мозыря, колонна из 20 машин", source="Other")
    # Alerts sent, then a grown story edited.
    await core.dispatcher.drain()
    await report(core, "c", "Колонна из 20 машин у Мозыря: учения у границы", source="Third")
    await core.dispatcher.drain()
    # Every command, and the pages and pictures behind their buttons.
    for command in ("/status", "/status drills", "/status Мозырь", "/latest", "/latest drills"):
        await say(sandbox, ALICE, command)
    await tap(sandbox, ALICE, "st:chart", replies=1)
    await tap(sandbox, ALICE, "st:map", replies=1)
    # The buttons under an alert: why it came, "not relevant", its undo, and again.
    [why, _] = last_alert_buttons(sandbox, ALICE)
    story = why.split(":")[1]
    await tap(sandbox, ALICE, why, replies=1)
    for data in (f"nr:{story}", f"nr:{story}:undo", f"nr:{story}"):
        await tap(sandbox, ALICE, data)
    for command in ("/status", "/stats", "/sources", "/audit", "/mysubs", "/filters", "/feedback"):
        await say(sandbox, ADMIN_ID, command)
    await say(sandbox, ALICE, "/unsubscribe drills")
    # Retention, after enough time for every kind of row to be old.
    clock.advance(timedelta(days=500))
    await run_retention(core.db, core.settings, core.clock)
    await core.db.trace(None)

    conn = sqlite3.connect(core.settings.database)
    try:
        found = {sql: full_scans(conn, sql) for sql in statements.values()}
    finally:
        conn.close()
    scanning = {sql: lines for sql, lines in found.items() if lines}
    assert len(statements) > 60  # the session did run the bot's statements
    assert scanning == {}, "\n\n".join(f"{sql}\n  -> {lines}" for sql, lines in scanning.items())
