"""Run the `outpost` command line as a separate process, the way an operator runs it."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from tests.helpers.paths import PROJECT


async def outpost(
    *args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path | None = None
) -> tuple[int, str, str]:
    """Run `python -m bot.cli ARGS` and return its exit code, stdout and stderr.

    No OUTPOST_ variable of the test's own environment leaks in, and the data directory is
    the working directory unless `env` names one, so that no test opens the user's real one.
    """
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OUTPOST_")}
    full_env["OUTPOST_DATA_DIR"] = str(cwd or tempfile.gettempdir())
    full_env.update(env or {})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=full_env,
        cwd=cwd or PROJECT,
    )
    out, err = await process.communicate(stdin.encode())
    return process.returncode or 0, out.decode(), err.decode()
