"""Each update handled once, whichever instance reads it and however often it comes.

In polling mode every update's id is noted in the database as it is handled; one noted
before is dropped here, ahead of every other handler. Telegram delivers an update again
when getUpdates is next asked from an offset that never confirmed it, as when the
instance that read it stopped and another took over reading. In webhook mode the same
table already dropped the copy when it was received (`bot.runtime.webhook_http`), and
the update comes from there: nothing to do here.
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import Context

log = logging.getLogger(__name__)

ONCE_GROUP: Final = -2000  # before the screen (handlers.gate) and every other group


async def first_sight(update: Update, context: Context) -> None:
    """Drop an update this bot handled before (polling mode)."""
    core = context.core
    if core.settings.webhook_url is not None:
        return
    if not await core.db.updates.first_sight(update.update_id, now=core.clock.now()):
        log.info("update %d was handled before; dropped", update.update_id)
        raise ApplicationHandlerStop
