"""/start (with deep links), /help, /language and unknown commands."""

from __future__ import annotations

from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Context
from bot.matching import resolve_topic
from bot.ui import texts
from bot.ui.callbacks import LanguageChoice
from bot.ui.commands import commands_for
from bot.ui.i18n import LANGUAGES, NAMES
from handlers.common import answer, edit, may_change, register_chat, reply, tapped, ui_of
from handlers.subscriptions import topics_keyboard


async def start(update: Update, context: Context) -> None:
    """Greet the chat in two lines with the topics as buttons; `/start TOPIC` (a deep link)
    also subscribes. The commands are in /help."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    await register_chat(update, context)
    ui = await ui_of(update, context)
    core = context.core
    topic = resolve_topic(core.catalog, context.args[0]) if context.args else None
    subscribed = None
    if topic is not None and await may_change(update, context):
        await core.db.chats.subscribe(chat.id, topic, now=core.clock.now())
        subscribed = topic
    chosen = await core.db.chats.topics_of(chat.id)
    await reply(
        message,
        texts.welcome(ui, subscribed),
        html=True,
        markup=topics_keyboard(ui, chosen),
    )


async def help_command(update: Update, context: Context) -> None:
    """Explain the commands."""
    if update.effective_message is None:
        return
    ui = await ui_of(update, context)
    user = update.effective_user
    admin = context.core.is_admin(user.id if user else None)
    await reply(update.effective_message, texts.help_text(ui, admin=admin), html=True)


def _language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(NAMES[lang], callback_data=LanguageChoice(lang).encode())]
            for lang in LANGUAGES
        ]
    )


async def language(update: Update, context: Context) -> None:
    """Offer the interface languages."""
    message = update.effective_message
    if message is None:
        return
    await register_chat(update, context)
    ui = await ui_of(update, context)
    await reply(message, ui._("Choose the language:"), markup=_language_keyboard())


async def choose_language(update: Update, context: Context) -> None:
    """Set the chat's language from the keyboard and its command menu with it."""
    query, chat = update.callback_query, update.effective_chat
    button = tapped(update, LanguageChoice)
    if query is None or chat is None or button is None:
        return
    lang = button.lang
    if lang not in LANGUAGES or not await may_change(update, context):
        await answer(query)
        return
    await register_chat(update, context)
    await context.core.db.chats.set_language(chat.id, lang)
    ui = await ui_of(update, context)
    await answer(query, NAMES[lang])
    await edit(query, ui._("Language: {name}").format(name=NAMES[lang]))
    await context.bot.set_my_commands(commands_for(lang), scope=BotCommandScopeChat(chat.id))


async def unknown(update: Update, context: Context) -> None:
    """Answer a command Outpost does not know with the help text."""
    if update.effective_message is None:
        return
    ui = await ui_of(update, context)
    await reply(
        update.effective_message,
        ui._("I don't know that command.") + "\n\n" + texts.help_text(ui),
        html=True,
    )


async def stale_button(update: Update, context: Context) -> None:
    """Answer a tap whose data no other handler takes: forged, or from a button long gone."""
    query = update.callback_query
    if query is None:
        return
    ui = await ui_of(update, context)
    await answer(query, ui._("This button no longer works."))
