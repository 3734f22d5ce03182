"""Choosing topics: /topics with buttons, /subscribe, /unsubscribe, /mysubs."""

from __future__ import annotations

from collections.abc import Set

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot import texts
from bot.context import Context
from bot.delivery.render import topic_label
from bot.matching import Catalog, resolve_topic
from handlers.start import register_chat


def topics_keyboard(catalog: Catalog, chosen: Set[str]) -> InlineKeyboardMarkup:
    """Build the toggle keyboard: one button a topic, ticked when subscribed."""
    rows = []
    for name in catalog.names():
        mark = "✅" if name in chosen else "▫️"
        label = f"{mark} {topic_label(name, catalog)}"
        rows.append([InlineKeyboardButton(label, callback_data=f"t:{name}")])
    return InlineKeyboardMarkup(rows)


async def topics(update: Update, context: Context) -> None:
    """Show the topic keyboard."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    await register_chat(update, context)
    chosen = await context.core.db.chats.topics_of(chat.id)
    await message.reply_text(
        "Tap a topic to subscribe or unsubscribe:",
        reply_markup=topics_keyboard(context.core.catalog, chosen),
    )


async def toggle(update: Update, context: Context) -> None:
    """Flip one topic from the keyboard and redraw it."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or query.data is None:
        return
    core = context.core
    name = query.data.removeprefix("t:")
    if name not in core.catalog.names():
        await query.answer("Unknown topic")
        return
    await register_chat(update, context)
    if not await core.db.chats.subscribe(chat.id, name, now=core.clock.now()):
        await core.db.chats.unsubscribe(chat.id, name)
        note = f"Unsubscribed from {topic_label(name, core.catalog)}"
    else:
        note = f"Subscribed to {topic_label(name, core.catalog)}"
    await query.answer(note)
    chosen = await core.db.chats.topics_of(chat.id)
    await query.edit_message_reply_markup(topics_keyboard(core.catalog, chosen))


async def _change(update: Update, context: Context, *, subscribe: bool) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    core = context.core
    command = "subscribe" if subscribe else "unsubscribe"
    if not context.args:
        await message.reply_text(
            f"Which topic? For example <code>/{command} drills</code>. "
            f"Topics: {texts.topic_list(core.catalog)}",
            parse_mode=ParseMode.HTML,
        )
        return
    await register_chat(update, context)
    done, unknown = [], []
    for word in context.args:
        name = resolve_topic(core.catalog, word)
        if name is None:
            unknown.append(word)
        elif subscribe:
            await core.db.chats.subscribe(chat.id, name, now=core.clock.now())
            done.append(name)
        else:
            await core.db.chats.unsubscribe(chat.id, name)
            done.append(name)
    lines = []
    if done:
        verb = "Subscribed to" if subscribe else "Unsubscribed from"
        labels = ", ".join(topic_label(name, core.catalog) for name in done)
        lines.append(f"{verb}: {texts.escape(labels)}")
    if unknown:
        lines.append(
            f"Unknown topic: {texts.escape(', '.join(unknown))}. "
            f"Topics: {texts.topic_list(core.catalog)}"
        )
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


async def subscribe(update: Update, context: Context) -> None:
    """Subscribe to the topics named after the command."""
    await _change(update, context, subscribe=True)


async def unsubscribe(update: Update, context: Context) -> None:
    """Unsubscribe from the topics named after the command."""
    await _change(update, context, subscribe=False)


async def mysubs(update: Update, context: Context) -> None:
    """List the chat's topics."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    chosen = await context.core.db.chats.topics_of(chat.id)
    await message.reply_text(
        texts.my_subscriptions(chosen, context.core.catalog), parse_mode=ParseMode.HTML
    )
