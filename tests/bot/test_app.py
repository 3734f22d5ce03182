"""The composition root: what the started application set up, and what it closes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI
from tests.helpers.settings import make_settings


async def test_the_services_are_opened_and_closed_with_the_application(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> None:
    app = build_application(
        make_settings(sandbox, tmp_path), clock=clock, poll_jobs=False, dispatch_loop=False
    )
    async with running(app):
        core = app.bot_data.core
        assert core.clock is clock
        assert core.pipeline.db is core.db
        assert not core.http.is_closed
        english = {row["command"]: row["description"] for row in sandbox.commands[("default", "")]}
        assert english["status"] == "What is going on right now"
        assert {row["command"] for row in sandbox.commands[("default", "ru")]} == set(english)
    assert core.http.is_closed
    with pytest.raises(
        ValueError, match=r"no active connection|Connection closed"
    ):  # aiosqlite, closed
        await core.db.sources.all()
