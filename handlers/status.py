"""/status: the situation right now."""

from __future__ import annotations

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode

from bot import texts
from bot.context import Context


async def status(update: Update, context: Context) -> None:
    """Show per topic the reports of the last 24 h and the latest one; source health."""
    message = update.effective_message
    if message is None:
        return
    core = context.core
    now = core.clock.now()
    board = texts.status_board(
        catalog=core.catalog,
        counts=await core.db.events.count_by_topic(texts.since(now, 24)),
        latest=await core.db.events.latest_by_topic(),
        sources=await core.db.sources.all(),
        now=now,
    )
    await message.reply_text(
        board, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
