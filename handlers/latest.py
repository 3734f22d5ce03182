"""/latest [TOPIC]: the newest stories, paged with buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode

from bot.context import Context, Core
from bot.matching import resolve_topic
from bot.ui import texts
from bot.ui.texts import UI
from handlers.common import ui_of

PAGE = 5


async def _page(
    core: Core, ui: UI, topic: str | None, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    stories = await core.db.events.latest_stories(topic=topic, offset=offset, limit=PAGE + 1)
    more = len(stories) > PAGE
    body = texts.latest(ui, stories[:PAGE], topic=topic, now=core.clock.now(), offset=offset)
    buttons = []
    key = topic or "*"
    if offset > 0:
        buttons.append(
            InlineKeyboardButton(ui._("◀ Newer"), callback_data=f"lt:{key}:{max(offset - PAGE, 0)}")
        )
    if more:
        buttons.append(
            InlineKeyboardButton(ui._("Older ▶"), callback_data=f"lt:{key}:{offset + PAGE}")
        )
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
            await message.reply_text(
                ui._("Unknown topic. Topics: {topics}").format(topics=texts.topic_list(ui)),
                parse_mode=ParseMode.HTML,
            )
            return
    body, keyboard = await _page(core, ui, topic, 0)
    await message.reply_text(
        body,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


async def turn_page(update: Update, context: Context) -> None:
    """Show another page of /latest in place."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    core = context.core
    _, key, raw_offset = [*query.data.split(":"), "", ""][:3]
    topic = None if key == "*" or key not in core.catalog.names() else key
    offset = int(raw_offset) if raw_offset.isdigit() else 0
    body, keyboard = await _page(core, await ui_of(update, context), topic, offset)
    await query.edit_message_text(
        body,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    await query.answer()
