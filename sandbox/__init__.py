"""Local stand-ins for Telegram and for the sources Outpost reads, used by the demo and tests.

``SandboxBotAPI`` imitates the Telegram Bot API over HTTP for python-telegram-bot;
``SourceServer`` serves feeds and channel pages with the caching behaviour of a real site.
"""

from sandbox.botapi import RateLimits, SandboxBotAPI, SandboxStats, SentMessage, UploadedFile
from sandbox.sites import RecordedRequest, SourceServer
from sandbox.telegram_html import (
    HTMLEntity,
    ParsedHTML,
    TelegramHTMLError,
    parse_telegram_html,
    utf16_length,
)

__all__ = [
    "HTMLEntity",
    "ParsedHTML",
    "RateLimits",
    "RecordedRequest",
    "SandboxBotAPI",
    "SandboxStats",
    "SentMessage",
    "SourceServer",
    "TelegramHTMLError",
    "UploadedFile",
    "parse_telegram_html",
    "utf16_length",
]
