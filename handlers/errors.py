"""The one error handler: log the failure, apologise to the user."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import Context

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log an unexpected exception and tell the user something went wrong."""
    log.error("handler failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(
                "Sorry, something went wrong on our side. Please try again later."
            )
        except Exception:  # noqa: BLE001 -- the apology is best effort; the error is logged
            log.warning("could not send the apology")
