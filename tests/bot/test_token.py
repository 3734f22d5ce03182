"""The bot token appears nowhere: not when Telegram rejects it at start, not in a traceback
that no logger sees. `outpost` runs as its own process against the sandbox Bot API."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sandbox import SandboxBotAPI

# Shaped like a real token (id, colon, 35 characters), so only the exact string or the
# shape can give it away; the sandbox answers 401 to anything but its own.
WRONG_TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"


PROJECT = Path(__file__).resolve().parents[2]


async def outpost(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    """Run `python -m bot ARGS` in a clean folder; return its exit code and its output."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("OUTPOST_")
    }
    environment.update(env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,  # no .env of a developer's is read
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, output.decode("utf-8", "replace")


async def test_a_token_telegram_rejects_at_start_is_not_printed(
    sandbox: SandboxBotAPI, tmp_path: Path
) -> None:
    code, output = await outpost(
        tmp_path,
        "run",
        OUTPOST_BOT_TOKEN=WRONG_TOKEN,
        OUTPOST_TELEGRAM_API_URL=sandbox.base_url,
        OUTPOST_DATABASE=str(tmp_path / "outpost.sqlite3"),
        OUTPOST_PARSE_WORKERS="0",
        PYTHONPATH=str(PROJECT),
    )
    assert code == 2
    assert "rejected the bot token" in output
    assert WRONG_TOKEN not in output
    assert WRONG_TOKEN.split(":")[1] not in output
    assert "Task was destroyed" not in output
    assert ("getMe", 401, "Unauthorized") in sandbox.errors_returned


async def test_an_uncaught_traceback_is_redacted(tmp_path: Path) -> None:
    script = (
        "import threading\n"
        "from bot.runtime.logs import redact_uncaught\n"
        f"redact_uncaught(['{WRONG_TOKEN}'])\n"
        "def fail():\n"
        f"    raise RuntimeError('thread saw https://api.telegram.org/bot{WRONG_TOKEN}/getMe')\n"
        "thread = threading.Thread(target=fail)\n"
        "thread.start()\n"
        "thread.join()\n"
        f"raise ValueError('The token `{WRONG_TOKEN}` was rejected by the server.')\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        cwd=PROJECT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    text = output.decode()
    assert process.returncode == 1
    assert "RuntimeError: thread saw" in text
    assert "ValueError: The token `<redacted-token>` was rejected" in text
    assert WRONG_TOKEN not in text
