"""Local stand-ins for Telegram and for the sources Outpost reads, used by the demo and tests.

``SandboxBotAPI`` imitates the Telegram Bot API over HTTP for python-telegram-bot;
``SourceServer`` serves feeds and channel pages with the caching behaviour of a real site;
``WebSubHub`` is a hub that such a feed can name, pushing what is published to it.
"""

from sandbox.botapi import RateLimits, SandboxBotAPI, SandboxStats, SentMessage, UploadedFile
from sandbox.hub import WebSubHub
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
    "WebSubHub",
    "parse_telegram_html",
    "utf16_length",
]
