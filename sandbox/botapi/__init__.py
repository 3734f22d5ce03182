"""A local, in-memory imitation of the Telegram Bot API, served over real HTTP.

``outpost demo`` and the test suite point python-telegram-bot at it with
``ApplicationBuilder().base_url(server.base_url)``, so the real PTB stack (HTTP requests,
JSON decoding, error mapping, long polling) runs unchanged. The server answers the methods
Outpost uses with Bot API-shaped JSON, refuses what Telegram refuses (invalid HTML, long
texts, unknown, blocked or migrated chats, flood limits) with Telegram's error objects, and
lets a test play the user's side: push messages, button presses and documents, then wait for
the bot's replies without sleeping.

The modules, by role: ``controls`` (``SandboxBotAPI``, what a test holds, and the user's
side), ``server`` (HTTP), ``methods`` (the method table; the bot, updates, chats, files) and
``messages`` (sending, editing, deleting, button answers), ``state`` (chats, messages,
files, the update queue), ``limits`` (flood limits and ordered faults), ``params`` (decoding
a call's parameters) and ``errors`` (the Bot API's error answer).
"""

from sandbox.botapi.controls import SandboxBotAPI
from sandbox.botapi.limits import RateLimits
from sandbox.botapi.params import UploadedFile
from sandbox.botapi.server import SandboxStats
from sandbox.botapi.state import SentMessage

__all__ = [
    "RateLimits",
    "SandboxBotAPI",
    "SandboxStats",
    "SentMessage",
    "UploadedFile",
]
