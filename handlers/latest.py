"""/latest [TOPIC]: the newest stories, paged with buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Context, Core
from bot.matching import resolve_topic
from bot.ui import texts
from bot.ui.callbacks import LatestPage
from bot.ui.texts import UI
from handlers.common import answer, edit, reply, tapped, ui_of

PAGE = 5


async def _page(
    core: Core, ui: UI, topic: str | None, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    stories = await core.db.events.latest_stories(topic=topic, offset=offset, limit=PAGE + 1)
    more = len(stories) > PAGE
    body = texts.latest(ui, stories[:PAGE], topic=topic, now=core.clock.now(), offset=offset)
    buttons = []
    if offset > 0:
        newer = LatestPage(topic, max(offset - PAGE, 0)).encode()
        buttons.append(InlineKeyboardButton(ui._("◀ Newer"), callback_data=newer))
    if more:
        older = LatestPage(topic, offset + PAGE).encode()
        buttons.append(InlineKeyboardButton(ui._("Older ▶"), callback_data=older))
    return body, InlineKeyboardMarkup([buttons]) if buttons else None


async def latest(update: Update, context: Context) -> None:
    """Show the newest stories, optionally of one topic."""
    message = update.effective_message
    if message is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    topic = None
    if context.args:
        topic = resolve_topic(core.catalog, " ".join(context.args))
        if topic is None:
            await reply(
                message,
                ui._("Unknown topic. Topics: {topics}").format(topics=texts.topic_list(ui)),
                html=True,
            )
            return
    body, keyboard = await _page(core, ui, topic, 0)
    await reply(
        message,
        body,
        html=True,
        markup=keyboard,
        previews=False,
    )


async def turn_page(update: Update, context: Context) -> None:
    """Show another page of /latest in place."""
    query, button = update.callback_query, tapped(update, LatestPage)
    if query is None or button is None:
        return
    core = context.core
    topic = button.topic if button.topic in core.catalog.names() else None
    offset = button.offset
    body, keyboard = await _page(core, await ui_of(update, context), topic, offset)
    await edit(
        query,
        body,
        html=True,
        markup=keyboard,
        previews=False,
    )
    await answer(query)
