"""The `outpost` command line, run as a separate process the way an operator runs it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandbox import SourceServer
from storage import open_database
from tests.helpers.cli import outpost
from tests.helpers.paths import PROJECT, SAMPLES


async def test_run_without_token_says_how_to_set_one(tmp_path: Path) -> None:
    code, _, err = await outpost("run", cwd=tmp_path)
    assert code != 0
    assert "OUTPOST_BOT_TOKEN" in err
    assert "Traceback" not in err


async def test_a_wrong_setting_is_one_clear_line(tmp_path: Path) -> None:
    code, _, err = await outpost("events", env={"OUTPOST_POLL_INTERVAL": "often"}, cwd=tmp_path)
    assert code == 2
    assert "OUTPOST_POLL_INTERVAL" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


async def test_the_token_never_shows_in_an_error(tmp_path: Path) -> None:
    token = "987654:SECRET-token-value"
    code, out, err = await outpost(
        "events", env={"OUTPOST_BOT_TOKEN": token, "OUTPOST_ADMIN_IDS": "x"}, cwd=tmp_path
    )
    assert code == 2
    assert "SECRET" not in err + out


async def test_classify_adds_topics_and_places() -> None:
    lines = [
        {"id": 1, "text": "Эшелон с танками Т-72 замечен на станции Осиповичи"},
        {"id": 2, "text": "Философы обсуждают учение Аристотеля"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    code, out, _ = await outpost("classify", stdin=stdin)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["id"] == 1
    assert "equipment" in rows[0]["topics"]
    assert rows[0]["places"] == ["Asipovichy"]
    assert rows[1]["topics"] == []


async def test_classify_reports_bad_lines_and_goes_on() -> None:
    code, out, err = await outpost(
        "classify", stdin='not json\n{"no_text": 1}\n{"text": "military drills"}\n'
    )
    assert code == 1
    assert "line 1" in err
    assert "line 2" in err
    assert json.loads(out)["topics"] == ["drills"]


async def test_explain_names_the_words() -> None:
    code, out, _ = await outpost("explain", "У", "Мазыры", "пачаліся", "вучэнні", "войскаў")
    assert code == 0
    assert "language: be" in out
    assert "topic drills" in out
    assert "вучэнні" in out
    assert "Mazyr" in out


async def test_sources_poll_and_events(tmp_path: Path, source_server: SourceServer) -> None:
    feed = source_server.add_file("rss/news_ru.rss", SAMPLES / "news_ru.rss")
    env = {
        "OUTPOST_DATABASE": str(tmp_path / "cli.sqlite3"),
        "OUTPOST_ALLOW_PRIVATE_SOURCES": "true",
    }
    code, out, _ = await outpost("sources", "add", feed, "--name", "News", env=env)
    assert code == 0
    assert "added source 1" in out
    code, _, err = await outpost("sources", "add", feed, env=env)
    assert code == 1
    assert "already added" in err

    code, out, _ = await outpost("poll", "--once", env=env)
    assert code == 0
    summary = json.loads(out)
    assert summary["new_events"] == 6
    assert summary["failed"] == 0

    code, out, _ = await outpost("sources", "list", "--json", env=env)
    listed = json.loads(out)
    assert listed[0]["name"] == "News"
    assert listed[0]["last_success_at"] is not None
    assert listed[0]["etag"]

    code, out, _ = await outpost("events", "--json", "--limit", "3", env=env)
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) == 3
    assert all(event["link"].startswith("https://news.example.org/") for event in events)


async def test_private_sources_are_refused_by_default(tmp_path: Path) -> None:
    env = {"OUTPOST_DATABASE": str(tmp_path / "cli.sqlite3")}
    code, _, err = await outpost("sources", "add", "http://127.0.0.1:8080/feed", env=env)
    assert code == 1
    assert "refused" in err


async def test_python_m_bot_runs_the_cli() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "explain",
        "Начались учения войск",
        stdout=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("OUTPOST_")},
        cwd=PROJECT,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    assert "topic drills" in out.decode()


async def test_chats_lists_who_started_the_bot_so_an_admin_finds_their_id(
    tmp_path: Path,
) -> None:
    db = await open_database(tmp_path / "outpost.sqlite3")
    now = datetime(2022, 10, 12, tzinfo=UTC)
    try:
        await db.chats.register(
            123456789, chat_type="private", title="anna", language="be", now=now
        )
        await db.chats.register(
            -100777,
            chat_type="supergroup",
            title="Watchers",
            language=None,
            now=now + timedelta(minutes=1),
        )
    finally:
        await db.close()
    code, out, err = await outpost("chats", cwd=tmp_path)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["-100777", "supergroup", "-", "Watchers"]
    assert lines[1].split() == ["123456789", "private", "be", "anna"]


async def test_backup_and_restore_of_postgresql_point_to_its_own_tools(tmp_path: Path) -> None:
    env = {
        "OUTPOST_DATABASE": "postgresql://outpost:s3cret@db.invalid/outpost",
        "OUTPOST_DATA_DIR": str(tmp_path),
    }
    for command in ("backup", "restore"):
        code, _, err = await outpost(command, str(tmp_path / "copy.sqlite3"), env=env)
        assert code == 1
        assert "pg_dump" in err and "pg_restore" in err
        assert "s3cret" not in err and len(err.strip().splitlines()) == 1
