"""One Outpost instance run for the length of a block, as the tests drive it.

The real application against the sandbox Bot API, with its background loops off (the test
runs polling cycles and outbox drains itself) and its pacing on the test's clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import OutpostApp, build_application, running
from bot.delivery.pacer import ClockTimer
from bot.runtime.clock import ManualClock
from bot.settings import Settings
from sandbox import SandboxBotAPI


@asynccontextmanager
async def instance(
    sandbox: SandboxBotAPI, settings: Settings, clock: ManualClock
) -> AsyncIterator[OutpostApp]:
    """Run one Outpost instance with these settings for the length of the block."""
    app = build_application(
        settings,
        clock=clock,
        poll_jobs=False,
        dispatch_loop=False,
        base_file_url=sandbox.base_file_url,
        timer=ClockTimer(clock),
    )
    async with running(app):
        yield app
