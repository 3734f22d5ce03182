"""/start, /help and unknown commands."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import texts
from bot.context import Context


async def register_chat(update: Update, context: Context) -> None:
    """Remember the chat an update came from."""
    chat = update.effective_chat
    if chat is None:
        return
    user = update.effective_user
    await context.core.db.chats.register(
        chat.id,
        chat_type=chat.type,
        title=chat.title or chat.username,
        language=user.language_code if user else None,
        now=context.core.clock.now(),
    )


async def start(update: Update, context: Context) -> None:
    """Register the chat and greet it."""
    if update.effective_message is None:
        return
    await register_chat(update, context)
    await update.effective_message.reply_text(
        texts.welcome(context.core.catalog), parse_mode=ParseMode.HTML
    )


async def help_command(update: Update, context: Context) -> None:
    """Explain the commands."""
    if update.effective_message is None:
        return
    user = update.effective_user
    extra = texts.ADMIN_HELP if context.core.is_admin(user.id if user else None) else ""
    await update.effective_message.reply_text(texts.HELP + extra, parse_mode=ParseMode.HTML)


async def unknown(update: Update, context: Context) -> None:
    """Answer a command Outpost does not know with the help text."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(
        "I don't know that command.\n\n" + texts.HELP, parse_mode=ParseMode.HTML
    )
