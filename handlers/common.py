"""What every handler needs: the chat registered, its language, and one way to reply."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import RetryAfter

from bot.context import Context
from bot.delivery.split import split_html, split_plain
from bot.ui import callbacks
from bot.ui.i18n import N_, pick_language
from bot.ui.texts import UI, ui_for

ButtonT = TypeVar("ButtonT", bound=callbacks.Button)
log = logging.getLogger(__name__)

REPLY_TRIES = 5  # a part refused with 429 this many times in a row is given up, logged
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def reply(
    message: Message,
    text: str,
    *,
    html: bool = True,
    reply_markup: InlineKeyboardMarkup | None = None,
    previews: bool = False,
) -> Message | None:
    """Answer a command: split to fit Telegram, paced per chat, retried after a 429.

    Every command reply goes through here, so this is the one place to route replies
    through the paced sender (issue 17). A part that gets 429 is sent again after the
    `retry_after` Telegram named instead of being lost with a traceback; parts of one
    reply keep to the chat's own limit (a second apart, three in a group). The buttons go
    on the last part. Returns the last message sent, or None if Telegram kept refusing.
    """
    parts = split_html(text) if html else split_plain(text)
    gap = 1.05 if message.chat.type == "private" else 3.1
    last: Message | None = None
    for number, part in enumerate(parts):
        if number:
            await asyncio.sleep(gap)
        markup = reply_markup if number == len(parts) - 1 else None
        last = await _send_part(message, part, html=html, markup=markup, previews=previews)
    return last


async def _send_part(
    message: Message, text: str, *, html: bool, markup: InlineKeyboardMarkup | None, previews: bool
) -> Message | None:
    """Send one part of a reply, waiting out Telegram's flood answers."""
    for _ in range(REPLY_TRIES):
        try:
            return await message.reply_text(
                text,
                parse_mode=ParseMode.HTML if html else None,
                reply_markup=markup,
                link_preview_options=None if previews else NO_PREVIEW,
            )
        except RetryAfter as exc:
            delay = exc.retry_after
            seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
            log.warning(
                "reply to chat %d: flood control, again in %.0f s", message.chat_id, seconds
            )
            await asyncio.sleep(float(seconds) + 0.1)
    log.error("reply to chat %d given up after %d flood answers", message.chat_id, REPLY_TRIES)
    return None


async def register_chat(update: Update, context: Context) -> None:
    """Remember the chat an update came from (its language from the user's Telegram)."""
    chat = update.effective_chat
    if chat is None:
        return
    user = update.effective_user
    await context.core.db.chats.register(
        chat.id,
        chat_type=chat.type,
        title=chat.title or chat.username,
        language=pick_language(user.language_code) if user and user.language_code else None,
        now=context.core.clock.now(),
    )


async def ui_of(update: Update, context: Context) -> UI:
    """Return the UI in the chat's chosen language, else the user's Telegram language."""
    core = context.core
    chat, user = update.effective_chat, update.effective_user
    stored = await core.db.chats.get(chat.id) if chat is not None else None
    code = stored.language if stored and stored.language else None
    if code is None and user is not None:
        code = user.language_code
    return ui_for(pick_language(code), core.catalog, core.matcher.places)


async def may_change(update: Update, context: Context) -> bool:
    """In groups only the group's admins change its settings; anyone in a private chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == "private":
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in {"creator", "administrator"}


@dataclass(frozen=True, slots=True)
class AdminRequest:
    """An admin's command, after the admin check: who, what message, in which language."""

    message: Message
    user_id: int
    ui: UI


AdminHandler = Callable[[AdminRequest, Context], Awaitable[None]]
REFUSAL = N_("Sorry, only Outpost admins can do that.")


def admin_command(
    handler: AdminHandler,
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Wrap a handler so that only admins reach it; anyone else gets a polite refusal."""

    @functools.wraps(handler)
    async def checked(update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ui = await ui_of(update, context)
        if not context.core.is_admin(user.id):
            await message.reply_text(ui._(REFUSAL))
            return
        await handler(AdminRequest(message, user.id, ui), context)

    return checked


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A command that may change a chat's choices, after the chat was registered."""

    message: Message
    chat_id: int
    ui: UI


TOPICS_REFUSAL = N_("Only the group's admins can change its topics.")


async def chat_change(
    update: Update, context: Context, *, refusal: str = TOPICS_REFUSAL, check: bool = True
) -> ChatRequest | None:
    """Register the chat and, in a group, refuse non-admins; None when there is nothing to do."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return None
    await register_chat(update, context)
    ui = await ui_of(update, context)
    if check and not await may_change(update, context):
        await message.reply_text(ui._(refusal))
        return None
    return ChatRequest(message, chat.id, ui)


def tapped(update: Update, kind: type[ButtonT]) -> ButtonT | None:
    """Return the typed button a tap carries, when it is one of this kind."""
    query = update.callback_query
    button = callbacks.decode(query.data) if query is not None else None
    return button if isinstance(button, kind) else None
