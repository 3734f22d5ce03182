"""The one error handler: log the failure, tell the admins (rate-limited per kind), apologise.

Telling the admins and apologising are each best effort and apart: a database locked by
another writer, which may be what failed the handler, costs neither the apology (said in
the user's own language when the chat's cannot be read) nor a second traceback.

Two kinds of error are answers, not bugs, and get one log line instead: a failed
getUpdates (PTB's polling loop tries again with backoff, and the updates watch says at
ERROR when it lasts), and a chat that cannot be written to (blocked, or gone) while a
handler answered in it.
"""

from __future__ import annotations

import html
import logging
import time

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.admin.notices import admin_languages
from bot.context import Context
from bot.delivery.sender import chat_is_gone
from bot.runtime.logs import RedactTokens
from bot.runtime.notices import error_kind
from bot.ui.i18n import pick_language
from bot.ui.texts import UI, ui_for
from handlers.common import reply, send, ui_of

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log an unexpected exception, tell the admins, and apologise to the user."""
    error = context.error
    if update is None and isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("reading updates failed (%s); trying again", error)
        return
    if isinstance(error, Forbidden) or (isinstance(error, BadRequest) and chat_is_gone(error)):
        chat = update.effective_chat if isinstance(update, Update) else None
        log.info("could not answer in chat %s: %s", chat.id if chat else "?", error)
        return
    log.error("handler failed", exc_info=error)
    try:
        await _tell_admins(context)
    except Exception as exc:  # noqa: BLE001 -- best effort: the user's apology comes first
        log.warning("could not tell the admins about the error (%s)", exc)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            ui = await _apology_ui(update, context)
            await reply(
                update.effective_message,
                ui._("Sorry, something went wrong on our side. Please try again later."),
            )
        except Exception:  # noqa: BLE001 -- the apology is best effort; the error is logged
            log.warning("could not send the apology")


async def _apology_ui(update: Update, context: Context) -> UI:
    """Return the chat's UI; without the database (it may be what failed), the user's own.

    The apology is paced like every reply (a 429 is waited out), so only a chat that cannot
    be written to at all goes without it.
    """
    try:
        return await ui_of(update, context)
    except Exception:  # noqa: BLE001 -- a locked or broken database must not cost the apology
        user = update.effective_user
        code = user.language_code if user is not None else None
        core = context.core
        return ui_for(pick_language(code), core.catalog, core.matcher.places)


async def _tell_admins(context: Context) -> None:
    """Send the owners a short, token-free notice, once per kind of error in a while."""
    data = context.bot_data
    try:
        core = data.core
    except RuntimeError:
        return  # the failure happened before the services started
    error = context.error
    if not data.error_notices.allow(error_kind(error), time.monotonic()):
        return
    redactor = RedactTokens([context.bot.token])
    summary = redactor.redact(f"{type(error).__name__}: {error}")[:500]
    languages = await admin_languages(core.db, core.settings.admin_ids)
    for admin_id in sorted(core.settings.admin_ids):
        ui = ui_for(languages[admin_id], core.catalog)
        text = ui._("⚠️ Outpost hit an error: <code>{error}</code>\nDetails are in the log.")
        try:
            await send(context.bot, admin_id, text.format(error=html.escape(summary)), html=True)
        except Exception:  # noqa: BLE001 -- one unreachable admin must not hide the others
            log.warning("could not tell admin %d about an error", admin_id)
