"""Logging set-up: text or JSON lines, third-party chatter off, and never the bot token.

python-telegram-bot puts the token in every Bot API URL, and httpx logs request URLs at
INFO; exceptions can carry URLs too. Both formatters redact the configured token and
anything shaped like a Telegram token from the finished line (message, context fields and
traceback alike), and a filter on the handler does the same to the record, for any other
handler that may be added later. `redact_uncaught` does the same for a traceback no
logger sees (an exception that ends the process or a thread: PTB's "The token `...` was
rejected" is one).

`OUTPOST_LOG_FORMAT=json` writes one JSON object a line (python-json-logger): `time`,
`level`, `logger`, `message`, then any context passed as `extra=` (`source`, `chat_id`...)
and `exc_info` for a traceback.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Literal, TextIO

from pythonjsonlogger.json import JsonFormatter

# A Telegram bot token: the bot's numeric id, a colon, 30+ URL-safe characters.
TOKEN_PATTERN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "<redacted-token>"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Libraries whose INFO lines are chatter for an operator: the scheduler's two lines per
# job run, matplotlib's font search and unit notes (16 lines a chart), PIL's decoders,
# aiohttp's access log. httpx and httpcore also log Bot API URLs, which carry the token.
QUIET = ("apscheduler", "matplotlib", "PIL", "aiohttp.access", "pymorphy3")
ALWAYS_QUIET = ("httpx", "httpcore")  # at WARNING even when Outpost logs at DEBUG


class RedactTokens(logging.Filter):
    """Replace tokens in a record's message and traceback before any handler writes it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(secret for secret in secrets if secret)

    def redact(self, text: str) -> str:
        """Return text with every known secret and token-shaped string replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        message = record.getMessage()
        safe = self.redact(message)
        if safe != message:
            record.msg, record.args = safe, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class _TextFormatter(logging.Formatter):
    """The classic one-line format, redacted as a whole."""

    def __init__(self, redactor: RedactTokens) -> None:
        super().__init__(TEXT_FORMAT)
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """Format the record, then redact the finished text."""
        return self._redactor.redact(super().format(record))


class _JsonFormatter(JsonFormatter):
    """One JSON object a line, redacted as a whole.

    Redacting the serialised line is safe: a token's characters (digits, letters, `:`,
    `_`, `-`) are never escaped by JSON, so a token appears in the line exactly as in the
    value it came from.
    """

    def __init__(self, redactor: RedactTokens) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """Format the record as JSON, then redact the finished line."""
        return self._redactor.redact(super().format(record))


def setup_logging(
    level: str,
    *,
    secrets: Iterable[str] = (),
    fmt: Literal["text", "json"] = "text",
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send Outpost's logs to `stream` (stderr) in the chosen format; return the handler.

    The root logger gets this one handler (a previous Outpost handler is replaced, others
    are left alone) and the level; the chatty libraries stay at WARNING unless the level is
    DEBUG, and httpx's request lines stay at WARNING always. Remove the handler with
    `logging.getLogger().removeHandler(handler)`.
    """
    redactor = RedactTokens(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("outpost")
    handler.setFormatter(_JsonFormatter(redactor) if fmt == "json" else _TextFormatter(redactor))
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == "outpost":
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet = max(logging.WARNING, logging.getLevelNamesMapping()[level])
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.NOTSET if level == "DEBUG" else quiet)
    for name in ALWAYS_QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler


def redact_uncaught(secrets: Iterable[str] = ()) -> None:
    """Print uncaught exceptions (of the process and of threads) with tokens redacted."""
    redactor = RedactTokens(secrets)

    def show(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(redactor.redact(text))

    def show_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        sys.stderr.write(f"Exception in thread {args.thread.name if args.thread else '?'}:\n")
        show(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    sys.excepthook = show
    threading.excepthook = show_thread
