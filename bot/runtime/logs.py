"""Logging set-up that never lets the bot token reach a log line.

python-telegram-bot puts the token in every Bot API URL, and httpx logs request URLs at
INFO; exceptions can carry URLs too. A filter on the root handlers redacts the configured
token and anything shaped like a Telegram token, in messages and in tracebacks.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

# A Telegram bot token: the bot's numeric id, a colon, 30+ URL-safe characters.
TOKEN_PATTERN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "<redacted-token>"


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


def setup_logging(level: str, *, secrets: Iterable[str] = ()) -> RedactTokens:
    """Configure the root logger for Outpost and return the redacting filter it installed."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    redactor = RedactTokens(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    # httpx logs every request URL at INFO, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return redactor
