"""How alerts reach a chat: /digest, /timezone, /quiet, /previews, /here.

Parsing and the rules live in bot.chats.delivery and storage; these only connect
them to Telegram.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from bot.chats import ChoiceError
from bot.chats.delivery import (
    describe,
    parse_digest,
    parse_previews,
    parse_quiet,
    parse_timezone,
)
from bot.context import Context
from bot.models import DeliveryChange
from handlers.common import chat_change, reply, said

Parser = Callable[[list[str]], DeliveryChange]


async def _change(update: Update, context: Context, parse: Parser) -> None:
    request = await chat_change(update, context)
    if request is None:
        return
    message, ui, chat_id = request.message, request.ui, request.chat_id
    db = context.core.db
    try:
        change = parse(list(context.args or []))
    except ChoiceError as exc:
        await reply(message, f"{said(ui, exc)}.\n\n{describe(await db.chats.prefs(chat_id), ui._)}")
        return
    await reply(message, describe(await db.chats.update_prefs(chat_id, change), ui._))


async def digest(update: Update, context: Context) -> None:
    """Choose instant alerts or an hourly or daily digest."""
    await _change(update, context, parse_digest)


async def timezone(update: Update, context: Context) -> None:
    """Set the chat's time zone for digests and quiet hours."""
    await _change(update, context, parse_timezone)


async def quiet(update: Update, context: Context) -> None:
    """Set or clear quiet hours."""
    await _change(update, context, parse_quiet)


async def previews(update: Update, context: Context) -> None:
    """Turn link previews on or off."""
    await _change(update, context, parse_previews)


async def here(update: Update, context: Context) -> None:
    """Send alerts to the forum topic this command was sent in (or the main chat)."""
    message = update.effective_message
    thread = message.message_thread_id if message and message.is_topic_message else None
    await _change(update, context, lambda _args: DeliveryChange(thread_id=thread))
