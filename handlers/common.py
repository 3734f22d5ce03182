"""What every handler needs before it replies: the chat registered and its language."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import Message, Update

from bot.context import Context
from bot.ui import callbacks
from bot.ui.i18n import N_, pick_language
from bot.ui.texts import UI, ui_for

ButtonT = TypeVar("ButtonT", bound=callbacks.Button)


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
