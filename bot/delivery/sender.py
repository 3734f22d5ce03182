"""The one place that sends outbox messages through python-telegram-bot.

Telegram's answers become values (`SendResult`) that the dispatcher acts on, so the
dispatcher itself never imports telegram and can be tested with any `Sender`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

log = logging.getLogger(__name__)


class SendStatus(StrEnum):
    """How Telegram answered."""

    SENT = "sent"
    RETRY = "retry"  # flood control, 5xx, network: try again later
    BLOCKED = "blocked"  # 403: the bot cannot write to this chat any more
    MIGRATED = "migrated"  # the group became a supergroup with a new id
    BAD_HTML = "bad_html"  # 400 can't parse entities: send as plain text instead
    FAILED = "failed"  # any other refusal: retrying would not help


@dataclass(frozen=True, slots=True)
class SendResult:
    """Telegram's answer to one send."""

    status: SendStatus
    message_id: int | None = None
    retry_after: float | None = None
    migrate_to: int | None = None
    error: str = ""


class Sender(Protocol):
    """Something that sends one message to one chat."""

    async def send(self, chat_id: int, text: str, *, html: bool) -> SendResult:
        """Send a message and report Telegram's answer."""
        ...


class TelegramSender:
    """Send through a PTB `Bot`."""

    def __init__(self, bot: Bot, *, link_previews: bool = False) -> None:
        self._bot = bot
        self._previews = LinkPreviewOptions(is_disabled=not link_previews)

    async def send(  # noqa: PLR0911 -- one return per kind of Telegram answer reads best
        self, chat_id: int, text: str, *, html: bool
    ) -> SendResult:
        """Send a message and turn Telegram's errors into a `SendResult`."""
        try:
            message = await self._bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML if html else None,
                link_preview_options=self._previews,
            )
        except RetryAfter as exc:
            delay = exc.retry_after
            seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
            return SendResult(SendStatus.RETRY, retry_after=float(seconds), error=exc.message)
        except ChatMigrated as exc:
            return SendResult(SendStatus.MIGRATED, migrate_to=exc.new_chat_id, error=exc.message)
        except Forbidden as exc:
            return SendResult(SendStatus.BLOCKED, error=exc.message)
        except BadRequest as exc:
            if "can't parse entities" in exc.message.lower():
                return SendResult(SendStatus.BAD_HTML, error=exc.message)
            return SendResult(SendStatus.FAILED, error=exc.message)
        except NetworkError as exc:  # includes TimedOut and Telegram's 5xx answers
            return SendResult(SendStatus.RETRY, error=exc.message)
        return SendResult(SendStatus.SENT, message_id=message.message_id)
