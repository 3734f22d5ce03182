"""Choosing topics: /topics with buttons, /subscribe, /unsubscribe, /mysubs."""

from __future__ import annotations

from collections.abc import Set

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Context
from bot.matching import resolve_topic
from bot.ui import texts
from bot.ui.callbacks import TopicToggle
from bot.ui.texts import UI
from handlers.common import answer, may_change, register_chat, reply, tapped, ui_of


def topics_keyboard(ui: UI, chosen: Set[str]) -> InlineKeyboardMarkup:
    """Build the toggle keyboard: one button a topic, ticked when subscribed."""
    rows = []
    for name in ui.catalog.names():
        mark = "✅" if name in chosen else "▫️"
        label, data = f"{mark} {ui.topic(name)}", TopicToggle(name).encode()
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    return InlineKeyboardMarkup(rows)


async def topics(update: Update, context: Context) -> None:
    """Show the topic keyboard."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    await register_chat(update, context)
    ui = await ui_of(update, context)
    chosen = await context.core.db.chats.topics_of(chat.id)
    await reply(
        message,
        ui._("Tap a topic to subscribe or unsubscribe:"),
        markup=topics_keyboard(ui, chosen),
    )


async def toggle(update: Update, context: Context) -> None:
    """Flip one topic from the keyboard and redraw it."""
    query, chat = update.callback_query, update.effective_chat
    button = tapped(update, TopicToggle)
    if query is None or chat is None or button is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    name = button.topic
    if name not in core.catalog.names():
        await answer(query, ui._("Unknown topic"))
        return
    if not await may_change(update, context):
        await answer(query, ui._("Only the group's admins can change its topics."))
        return
    await register_chat(update, context)
    if await core.db.chats.subscribe(chat.id, name, now=core.clock.now()):
        note = ui._("Subscribed to {topic}").format(topic=ui.topic(name))
    else:
        await core.db.chats.unsubscribe(chat.id, name)
        note = ui._("Unsubscribed from {topic}").format(topic=ui.topic(name))
    chosen = await core.db.chats.topics_of(chat.id)
    await query.edit_message_reply_markup(topics_keyboard(ui, chosen))
    await answer(query, note)


async def _change(update: Update, context: Context, *, subscribe: bool) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not context.args:
        example = "/subscribe drills" if subscribe else "/unsubscribe drills"
        await reply(
            message,
            ui._("Which topic? For example <code>{example}</code>. Topics: {topics}").format(
                example=example, topics=texts.topic_list(ui)
            ),
            html=True,
        )
        return
    if not await may_change(update, context):
        await reply(message, ui._("Only the group's admins can change its topics."))
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
        labels = texts.escape(", ".join(ui.topic(name) for name in done))
        verb = ui._("Subscribed to: {topics}") if subscribe else ui._("Unsubscribed from: {topics}")
        lines.append(verb.format(topics=labels))
    if unknown:
        lines.append(
            ui._("Unknown topic: {words}. Topics: {topics}").format(
                words=texts.quoted(", ".join(unknown)), topics=texts.topic_list(ui)
            )
        )
    await reply(message, "\n".join(lines), html=True)


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
    ui = await ui_of(update, context)
    chosen = await context.core.db.chats.topics_of(chat.id)
    await reply(message, texts.my_subscriptions(ui, chosen), html=True)
