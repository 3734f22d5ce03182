"""Wire python-telegram-bot to the sandbox Bot API, and run polling for the length of a test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from sandbox.botapi import RateLimits, SandboxBotAPI, SentMessage

__all__ = ["RateLimits", "SandboxBotAPI", "SentMessage", "build_application", "polling"]

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    sandbox: SandboxBotAPI, builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] | None = None
) -> AnyApplication:
    """Build a PTB Application whose Bot talks to the sandbox instead of Telegram."""
    builder = builder if builder is not None else ApplicationBuilder()
    return (
        builder.token(sandbox.token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )


@asynccontextmanager
async def polling(app: AnyApplication, *, poll_timeout: int = 1) -> AsyncIterator[AnyApplication]:
    """Run the application with long polling inside the block; stop it cleanly after.

    A short long-poll timeout keeps shutdown quick: PTB waits for the poll in flight.
    """
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
