"""The one place that talks to Telegram for delivery, and the pacing of every other call.

`TelegramSender` sends outbox messages through python-telegram-bot; Telegram's answers
become values (`SendResult`) that the dispatcher acts on, so the dispatcher itself never
imports telegram and can be tested with any `Sender`.

`PacedRateLimiter` is PTB's rate limiter for the whole application: every message a
handler, the error handler or an admin notice sends waits at the same admission
(`bot.delivery.admission`) as the alerts, ahead of them, and is sent again after a 429
however long Telegram asks to wait. The dispatcher's own requests were admitted before
they were made, so they pass straight through: there is one pacing authority, and no
request is paced twice.

`UpdatesRequest` is the request object of getUpdates alone: it notes every answer for the
updates watch (`bot.runtime.updates`), and turns Telegram's passing 401 and 404 answers
into network errors, which PTB's polling loop retries with backoff instead of ending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum, StrEnum
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import HTTPXRequest, RequestData

if TYPE_CHECKING:
    from bot.delivery.admission import Admission

log = logging.getLogger(__name__)

# Inline buttons under a message: rows of (label, callback data), as plain data so that
# only this module builds Telegram's keyboard.
Buttons = tuple[tuple[tuple[str, str], ...], ...]

JSONAnswer = bool | dict[str, Any] | list[dict[str, Any]]


class Pacing(Enum):
    """What PTB's `rate_limit_args` says about a request."""

    ADMITTED = "admitted"  # the dispatcher's: the admission let it go already


# Requests that put a message in a chat or change one: Telegram counts them against its
# flood limits. Everything else (answering a tap, reading a member, the command menu) is no
# message and goes at once, though a 429 on it is waited out all the same.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendAnimation",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendSticker",
        "sendLocation",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
    }
)


class SendStatus(StrEnum):
    """How Telegram answered."""

    SENT = "sent"
    RETRY = "retry"  # flood control, 5xx, network: try again later
    BLOCKED = "blocked"  # 403: the bot cannot write to this chat any more
    GONE = "gone"  # 400 "chat not found": Telegram no longer knows the chat at all
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
    """Send through a PTB `ExtBot`; each request is one the admission already let go."""

    def __init__(self, bot: ExtBot[Any]) -> None:
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
                rate_limit_args=Pacing.ADMITTED,
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
                rate_limit_args=Pacing.ADMITTED,
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


def chat_is_gone(exc: TelegramError) -> bool:
    """Tell whether Telegram answered that the chat does not exist (for the bot) any more."""
    text = exc.message.lower()
    return isinstance(exc, BadRequest) and any(
        sign in text for sign in ("chat not found", "peer_id_invalid", "chat was deactivated")
    )


def retry_seconds(exc: RetryAfter) -> float:
    """Return how long a 429 asks to wait, in seconds."""
    delay: timedelta | float = exc.retry_after
    return float(delay.total_seconds() if isinstance(delay, timedelta) else delay)


def unanswered(exc: BaseException) -> bool:
    """Tell whether a failed request may still reach Telegram (no answer came back)."""
    return (
        isinstance(exc, TimedOut) or type(exc) is NetworkError or not isinstance(exc, TelegramError)
    )


class PacedRateLimiter(BaseRateLimiter[Pacing]):
    """Pace every Bot API call of the application through the one admission.

    Messages wait for their chat's turn, ahead of every alert; a 429 pauses the chat (or,
    when several chats get one, everything, alerts included) in the shared pacing state,
    and the request is made again once the pause is over: a reply is never dropped for
    flood control. Requests that are not messages go at once. `on_answer` hears of every
    answer Telegram gave to a call other than getUpdates (which PTB never rate limits).
    """

    def __init__(self, admission: Admission, *, on_answer: Callable[[], None] | None = None):
        self._admission = admission
        self._on_answer = on_answer
        self._stack: AsyncExitStack | None = None

    async def initialize(self) -> None:
        """Nothing yet: the admission is held open from the first message on."""

    async def shutdown(self) -> None:
        """Let go of the admission (the dispatcher, if still running, keeps its own hold)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    async def _open(self) -> None:
        """Hold the admission open until shutdown (PTB skips that if start-up failed)."""
        if self._stack is None:
            stack = AsyncExitStack()
            await stack.enter_async_context(self._admission.open())
            self._stack = stack

    async def process_request(  # noqa: PLR0917 -- PTB's signature
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONAnswer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Pacing | None,
    ) -> JSONAnswer:
        """Make the request when its chat's turn comes; after a 429, wait and make it again."""
        if rate_limit_args is Pacing.ADMITTED:
            return await callback(*args, **kwargs)
        chat = data.get("chat_id")
        chat_id = chat if endpoint in MESSAGE_METHODS and isinstance(chat, int) else None
        if chat_id is not None:
            await self._open()
        while True:
            if chat_id is not None:
                await self._admission.reply_turn(chat_id)
            retry_after: float | None = None
            unsure = True
            try:
                answer = await callback(*args, **kwargs)
            except RetryAfter as exc:
                retry_after, unsure = retry_seconds(exc), False
                self._answered()
            except TelegramError as exc:
                unsure = unanswered(exc)
                if not unsure:
                    self._answered()
                raise
            else:
                unsure = False
                self._answered()
                return answer
            finally:
                if chat_id is not None:
                    self._admission.reply_answered(chat_id, retry_after=retry_after, unsure=unsure)
            log.info(
                "flood control on %s to chat %s: sending again in %.0f s",
                endpoint,
                chat_id,
                retry_after,
            )
            if chat_id is None:
                await self._admission.timer.sleep(retry_after)

    def _answered(self) -> None:
        if self._on_answer is not None:
            self._on_answer()


class UpdatesWatch(Protocol):
    """Who hears how getUpdates went (`bot.runtime.updates.UpdatesHealth`)."""

    def updates_ok(self) -> None:
        """Note a getUpdates answered with updates (or none)."""
        ...

    def updates_failed(self, reason: str) -> None:
        """Note a getUpdates that failed."""
        ...


class UpdatesRequest(HTTPXRequest):
    """The request object of getUpdates: answers noted, passing 401/404 made retryable.

    During its own incidents Telegram answers some getUpdates with 401 or 404 for a few
    seconds; PTB takes both for a rejected token and ends its polling loop for good, which
    leaves a bot that sends alerts but never reads a command again. Here they become
    network errors, retried by that loop with its backoff. A token that is really wrong
    is found at start (getMe), and one revoked later shows in the updates watch.
    """

    def __init__(self, watch: UpdatesWatch) -> None:
        # PTB's own getUpdates request: one connection, the long poll's read timeout.
        super().__init__(connection_pool_size=1)
        self._watch = watch

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,  # PTB's timeouts, passed on as they came
    ) -> tuple[int, bytes]:
        """Make the request; note the answer; a 401 or 404 becomes a network error."""
        try:
            code, payload = await super().do_request(url, method, request_data, *args, **kwargs)
        except TelegramError as exc:
            self._watch.updates_failed(type(exc).__name__)
            raise
        if code == HTTPStatus.OK:
            self._watch.updates_ok()
        else:
            self._watch.updates_failed(f"HTTP {code}")
        if code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND):
            raise NetworkError(f"getUpdates answered HTTP {code}; polling again shortly")
        return code, payload


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
        case BadRequest() if chat_is_gone(exc):
            return SendResult(SendStatus.GONE, error=exc.message)
        case BadRequest():
            return SendResult(SendStatus.FAILED, error=exc.message)
        case NetworkError():  # includes TimedOut and Telegram's 5xx answers
            return SendResult(SendStatus.RETRY, error=exc.message)
    return SendResult(SendStatus.FAILED, error=exc.message)
