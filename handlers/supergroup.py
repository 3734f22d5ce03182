"""A group that became a supergroup: its choices, filters, queue and the answer its
/settings menu waits for follow it to the new id.

Telegram announces the move with a service message in each chat (`migrate_to_chat_id` in
the group, `migrate_from_chat_id` in the supergroup); either is enough, and the second one
finds the move done. The delivery side follows a move too, when a send meets the old id.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import Context

log = logging.getLogger(__name__)


async def migrated(update: Update, context: Context) -> None:
    """Move everything stored under the group's id to the supergroup's, in one step."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    core = context.core
    moved = await core.db.chats.migrate(old_id, new_id, now=core.clock.now())
    log.info("chat %d became supergroup %d; %d queued messages follow it", old_id, new_id, moved)
