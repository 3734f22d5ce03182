"""Stand-ins for Telegram and for sources, for tests: re-exports of bot.sandbox plus helpers."""

from bot.sandbox import RateLimits, SandboxBotAPI, SentMessage, SourceServer
from tests.fakes.botapi import build_application, polling

__all__ = [
    "RateLimits",
    "SandboxBotAPI",
    "SentMessage",
    "SourceServer",
    "build_application",
    "polling",
]
