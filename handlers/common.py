"""What every handler needs to answer: the chat registered, its language, and the one way
to write back.

Every message a handler writes goes through `reply` (or `send`, `edit`, `answer`), so no
handler can forget Telegram's limits: the text is made sendable (a lone surrogate, which
Telegram cannot carry, becomes U+FFFD), a reply longer than one message is split into parts
Telegram accepts (`bot.delivery.split`, whole lines and well-formed HTML), an edit, which
cannot be split, is cut to one message, and a tap's answer to its 200 characters. Text a
user sent is cut and escaped before it is echoed (`bot.ui.texts.quoted`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import Context
from bot.delivery.split import split_html, split_plain, utf16_units
from bot.ui import callbacks
from bot.ui.i18n import N_, TranslatableError, pick_language
from bot.ui.texts import UI, quoted, ui_for

ButtonT = TypeVar("ButtonT", bound=callbacks.Button)

MAX_ANSWER_UNITS = 200  # a tap's answer (answerCallbackQuery), as Telegram counts it
_SURROGATE = re.compile("[\ud800-\udfff]")


def sendable(text: str) -> str:
    """Return text Telegram can carry: lone surrogates (unpaired halves) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def has_lone_surrogate(text: str | None) -> bool:
    """Tell whether text holds half of a UTF-16 pair, which no encoder will write."""
    return bool(text) and _SURROGATE.search(text or "") is not None


def _parts(text: str, *, html: bool) -> list[str]:
    """Return the messages a text goes as: sendable, each within Telegram's length, none empty."""
    text = sendable(text)
    parts = split_html(text) if html else split_plain(text)
    return [part for part in parts if part.strip()] or ["…"]


def fit(text: str, *, html: bool) -> str:
    """Return text cut to one message, closing any formatting open at the cut."""
    parts = _parts(text, html=html)
    return parts[0] if len(parts) == 1 else parts[0].rstrip() + "\n…"


def _previews(previews: bool | None) -> LinkPreviewOptions | None:
    return None if previews is None else LinkPreviewOptions(is_disabled=not previews)


async def reply(
    message: Message,
    text: str,
    *,
    html: bool = False,
    markup: InlineKeyboardMarkup | None = None,
    previews: bool | None = None,
) -> Message:
    """Answer a message in its chat: the one way handlers reply.

    A text longer than one message goes as several, in order; the buttons ride on the last.
    Pacing is the application's (`bot.delivery.sender.PacedRateLimiter`): each part waits
    for its chat's turn at the admission the alerts share, ahead of them, and a 429 is
    waited out there and the part sent again.
    `previews` None leaves link previews as Telegram shows them.
    """
    parts = _parts(text, html=html)
    sent = message
    for index, part in enumerate(parts):
        sent = await message.reply_text(
            part,
            parse_mode=ParseMode.HTML if html else None,
            reply_markup=markup if index == len(parts) - 1 else None,
            link_preview_options=_previews(previews),
        )
    return sent


async def send(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    html: bool = False,
    markup: InlineKeyboardMarkup | None = None,
    previews: bool | None = None,
) -> None:
    """Write to a chat without replying to a message (as `reply` does, part by part)."""
    parts = _parts(text, html=html)
    for index, part in enumerate(parts):
        await bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML if html else None,
            reply_markup=markup if index == len(parts) - 1 else None,
            link_preview_options=_previews(previews),
        )


async def edit(
    query: CallbackQuery,
    text: str,
    *,
    html: bool = False,
    markup: InlineKeyboardMarkup | None = None,
    previews: bool | None = None,
) -> None:
    """Replace the text of the message a tap came from; an unchanged text is no error."""
    try:
        await query.edit_message_text(
            fit(text, html=html),
            parse_mode=ParseMode.HTML if html else None,
            reply_markup=markup,
            link_preview_options=_previews(previews),
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a tap (stop its spinner), with a short note if given."""
    note = None
    if text:
        note = sendable(text)
        while utf16_units(note) > MAX_ANSWER_UNITS:
            note = note[: MAX_ANSWER_UNITS - 1].rstrip() + "…"
    await query.answer(note, show_alert=alert)


def said(ui: UI, error: TranslatableError, *, html: bool = False) -> str:
    """Say an error in the chat's language, with what the user wrote cut (and escaped)."""
    values = {
        key: quoted(value, html=html) if isinstance(value, str) else value
        for key, value in error.values.items()
    }
    return ui._(error.template).format(**values)


async def register_chat(update: Update, context: Context) -> None:
    """Remember the chat an update came from (its language from the user's Telegram)."""
    chat = update.effective_chat
    if chat is None:
        return
    user = update.effective_user
    title = chat.title or chat.username
    await context.core.db.chats.register(
        chat.id,
        chat_type=chat.type,
        title=sendable(title) if title else None,
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
            await reply(message, ui._(REFUSAL))
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
        await reply(message, ui._(refusal))
        return None
    return ChatRequest(message, chat.id, ui)


def tapped(update: Update, kind: type[ButtonT]) -> ButtonT | None:
    """Return the typed button a tap carries, when it is one of this kind."""
    query = update.callback_query
    button = callbacks.decode(query.data) if query is not None else None
    return button if isinstance(button, kind) else None
