"""The one place that sends outbox messages through python-telegram-bot.

Telegram's answers become values (`SendResult`) that the dispatcher acts on, so the
dispatcher itself never imports telegram and can be tested with any `Sender`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

# Inline buttons under a message: rows of (label, callback data), as plain data so that
# only this module builds Telegram's keyboard.
Buttons = tuple[tuple[tuple[str, str], ...], ...]


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


@dataclass(frozen=True, slots=True)
class SendOptions:
    """How one message is sent."""

    html: bool = True
    silent: bool = False  # disable_notification
    previews: bool = False
    thread_id: int | None = None  # message_thread_id of a forum topic
    paid: bool = False  # allow_paid_broadcast
    buttons: Buttons = ()  # an inline keyboard; an edit without buttons removes any


class Sender(Protocol):
    """Something that sends and edits messages in chats."""

    async def send(self, chat_id: int, text: str, options: SendOptions) -> SendResult:
        """Send a message and report Telegram's answer."""
        ...

    async def edit(
        self, chat_id: int, message_id: int, text: str, options: SendOptions
    ) -> SendResult:
        """Replace a sent message's text and report Telegram's answer."""
        ...


class TelegramSender:
    """Send through a PTB `Bot`."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, text: str, options: SendOptions) -> SendResult:
        """Send a message and turn Telegram's errors into a `SendResult`."""
        try:
            message = await self._bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML if options.html else None,
                link_preview_options=LinkPreviewOptions(is_disabled=not options.previews),
                disable_notification=options.silent,
                message_thread_id=options.thread_id,
                allow_paid_broadcast=options.paid or None,
                reply_markup=keyboard(options.buttons),
            )
        except TelegramError as exc:
            return _answer(exc)
        return SendResult(SendStatus.SENT, message_id=message.message_id)

    async def edit(
        self, chat_id: int, message_id: int, text: str, options: SendOptions
    ) -> SendResult:
        """Edit a message's text; "not modified" counts as done."""
        try:
            await self._bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML if options.html else None,
                link_preview_options=LinkPreviewOptions(is_disabled=not options.previews),
                reply_markup=keyboard(options.buttons),
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return SendResult(SendStatus.SENT, message_id=message_id)
            return _answer(exc)
        except TelegramError as exc:
            return _answer(exc)
        return SendResult(SendStatus.SENT, message_id=message_id)


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """Build the inline keyboard of some rows of buttons (None for no buttons)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


def make_request() -> HTTPXRequest:
    """Build PTB's request object with room for the sends the pacer lets overlap."""
    return HTTPXRequest(connection_pool_size=256)  # what ApplicationBuilder uses itself


def _answer(exc: TelegramError) -> SendResult:  # noqa: PLR0911 -- one return per kind of answer
    """Turn one of Telegram's errors into a `SendResult`."""
    match exc:
        case RetryAfter():
            delay = exc.retry_after
            seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
            return SendResult(SendStatus.RETRY, retry_after=float(seconds), error=exc.message)
        case ChatMigrated():
            return SendResult(SendStatus.MIGRATED, migrate_to=exc.new_chat_id, error=exc.message)
        case Forbidden():
            return SendResult(SendStatus.BLOCKED, error=exc.message)
        case BadRequest() if "can't parse entities" in exc.message.lower():
            return SendResult(SendStatus.BAD_HTML, error=exc.message)
        case BadRequest():
            return SendResult(SendStatus.FAILED, error=exc.message)
        case NetworkError():  # includes TimedOut and Telegram's 5xx answers
            return SendResult(SendStatus.RETRY, error=exc.message)
    return SendResult(SendStatus.FAILED, error=exc.message)
