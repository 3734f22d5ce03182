"""Settings for a test's application: the sandbox Bot API, a fresh database, local sources."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings, load_settings
from sandbox import SandboxBotAPI

ADMIN_ID = 42


def make_settings(sandbox: SandboxBotAPI, tmp_path: Path, **overrides: object) -> Settings:
    """Settings pointing at the sandbox, a fresh database and local sources (and overrides)."""
    values: dict[str, object] = dict(
        bot_token=sandbox.token,
        telegram_api_url=sandbox.base_url,
        database=tmp_path / "outpost.sqlite3",
        allow_private_sources=True,
        admin_ids=frozenset({ADMIN_ID}),
        poll_interval=60.0,
        # Matching inline: a test's few items do not repay starting worker processes
        # (test_polling runs a cycle through a real pool).
        parse_workers=0,
        data_dir=tmp_path,
        # A test's conversation happens in moments of simulated time: only the flood tests
        # (tests/handlers/test_gate.py) meet the per-user command budget.
        command_burst=1000,
    )
    values.update(overrides)
    return load_settings(env_file=False, **values)
