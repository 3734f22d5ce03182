"""Admin commands: /post a verified manual update."""

from __future__ import annotations

import uuid

from telegram import Update

from bot.context import Context
from bot.pipeline.alerts import Post, record_post


async def post(update: Update, context: Context) -> None:
    """Send an admin's text through matching and delivery as a verified update."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    core = context.core
    if not core.is_admin(user.id):
        await message.reply_text("Sorry, only Outpost admins can post updates.")
        return
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await message.reply_text("Write the update after the command: /post TEXT")
        return
    title = text.splitlines()[0][:120]
    outcome = await record_post(
        core.db,
        Post(
            item_key=f"admin:{uuid.uuid4()}",
            title=title,
            text=text,
            link=None,
            canonical_link=None,
            published=core.clock.now(),
            source_name="Outpost admins",
            is_admin=True,
            author_id=user.id,
        ),
        matcher=core.matcher,
        catalog=core.catalog,
        now=core.clock.now(),
        audience=core.pipeline.audience,
    )
    core.dispatcher.wake()
    if outcome.topics or outcome.queued:
        await message.reply_text(
            f"Posted. Topics: {', '.join(outcome.topics)}; queued for {outcome.queued} chat(s)."
        )
    else:
        await message.reply_text(
            "Posted, but it matched no topic, so no subscriber was alerted. "
            "Name the activity (e.g. drills, mobilization) in the text."
        )
