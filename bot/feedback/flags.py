"""A chat's "Not relevant" on an alert: recorded once per chat and story, and taken back.

A press is taken only for the chat the message is in, and only if that message is the
alert that chat was sent about that story (the outbox remembers which message it was), so
a button forged with another story's id, in another chat or on another message, counts
for nothing. In a group the flag is the chat's; only the member who set it takes it back.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.models import Flag
from storage import Database

log = logging.getLogger(__name__)


async def delivered(db: Database, *, story_id: int, chat_id: int, message_id: int) -> bool:
    """Tell whether this message is the alert a chat was sent about a story."""
    sent = await db.outbox.sent_message(story_id, chat_id)
    return sent is not None and sent == message_id


async def flag(
    db: Database, *, story_id: int, chat_id: int, message_id: int, user_id: int, now: datetime
) -> Flag:
    """Record a chat's "not relevant" on the alert in one of its messages."""
    if not await delivered(db, story_id=story_id, chat_id=chat_id, message_id=message_id):
        return Flag.REFUSED
    report = await db.feedback.report(story_id)
    if report is None or report.is_announcement:
        return Flag.REFUSED
    added = await db.feedback.flag(report, chat_id=chat_id, user_id=user_id, now=now)
    if added:
        log.info("chat %d marked story %d not relevant", chat_id, story_id)
    return Flag.FLAGGED if added else Flag.ALREADY


async def unflag(
    db: Database, *, story_id: int, chat_id: int, message_id: int, user_id: int
) -> Flag:
    """Take back a chat's "not relevant": only whoever set it can."""
    if not await delivered(db, story_id=story_id, chat_id=chat_id, message_id=message_id):
        return Flag.REFUSED
    async with db.transaction():
        who = await db.feedback.flagged_by(story_id, chat_id)
        if who is None:
            return Flag.NOT_FLAGGED
        if who != user_id:
            return Flag.NOT_YOURS
        await db.feedback.unflag(story_id, chat_id)
    log.info("chat %d took back its mark on story %d", chat_id, story_id)
    return Flag.UNDONE
