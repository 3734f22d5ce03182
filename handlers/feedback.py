"""The buttons under alerts ("Why this alert?", "Not relevant" and its undo) and /feedback.

A tap counts only for the chat its message is in and only on the alert that chat was sent
(bot.feedback checks both); the buttons' labels follow the chat's flag.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest

from bot.context import Context, Core
from bot.feedback import flags
from bot.feedback.why import explain_alert
from bot.models import Flag
from bot.ui import texts
from bot.ui.callbacks import FeedbackPage, FlagTap, UndoNotRelevant, WhyAlert
from bot.ui.i18n import N_
from bot.ui.texts import UI
from handlers.common import REFUSAL, AdminRequest, admin_command, answer, edit, reply, tapped, ui_of

log = logging.getLogger(__name__)

PAGE = 5
EXPLAINED_FOR = timedelta(minutes=10)  # a repeated "Why" within this points at the answer
EXPLAINED_MAX = 50  # stories remembered per chat

NOT_THIS = N_("This button does not belong to an alert this chat was sent.")
ANSWERS = {
    Flag.FLAGGED: N_(
        "Thanks! Noted as not relevant for this chat; it helps tune what Outpost sends."
    ),
    Flag.ALREADY: N_("This chat has already marked this alert as not relevant."),
    Flag.UNDONE: N_("Taken back: the alert counts as relevant again."),
    Flag.NOT_FLAGGED: N_("This alert is not marked as not relevant."),
    Flag.NOT_YOURS: N_("Only the person who marked it can take it back."),
    Flag.REFUSED: NOT_THIS,
}


def _alert_message(update: Update) -> Message | None:
    """Return the message a tap came from, when the bot can still see it."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message if isinstance(message, Message) else None


async def _keyboard(query: CallbackQuery, ui: UI, story_id: int, *, flagged: bool) -> None:
    """Show the alert's buttons as the chat's flag now stands."""
    rows = texts.alert_buttons(ui.lang, story_id, flagged=flagged)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        # The flag stands whatever happens to the buttons: an alert too old to edit, say.
        if "not modified" not in exc.message.lower():
            log.info("could not change the buttons of an alert: %s", exc.message)


async def why(update: Update, context: Context) -> None:
    """Answer "Why this alert?" under the alert, in its chat."""
    query, button, message = update.callback_query, tapped(update, WhyAlert), _alert_message(update)
    if query is None or button is None:
        return
    ui = await ui_of(update, context)
    core = context.core
    if message is None:
        await answer(query, ui._(NOT_THIS))
        return
    reasons = await explain_alert(
        core.db,
        core.matcher,
        core.catalog,
        story_id=button.story,
        chat_id=message.chat_id,
        message_id=message.message_id,
    )
    if reasons is None:
        await answer(query, ui._(NOT_THIS))
        return
    now, chat_id = core.clock.now(), message.chat_id
    if await core.db.chat_state.explained_since(chat_id, button.story, now - EXPLAINED_FOR):
        await answer(query, ui._("The answer was sent a moment ago: see above."))
        return
    await answer(query)
    await reply(message, texts.why_alert(ui, reasons), html=True, previews=False)
    await core.db.chat_state.note_explained(
        chat_id, button.story, now=now, forget_before=now - EXPLAINED_FOR, keep=EXPLAINED_MAX
    )


async def not_relevant(update: Update, context: Context) -> None:
    """Flag the alert as not relevant for its chat (once), or take the flag back."""
    query, message = update.callback_query, _alert_message(update)
    button = tapped(update, FlagTap)
    if query is None or button is None or query.from_user is None:
        return
    ui = await ui_of(update, context)
    if message is None:
        await answer(query, ui._(NOT_THIS))
        return
    core = context.core
    where = {"story_id": button.story, "chat_id": message.chat_id, "message_id": message.message_id}
    if isinstance(button, UndoNotRelevant):
        result = await flags.unflag(core.db, **where, user_id=query.from_user.id)
    else:
        result = await flags.flag(
            core.db, **where, user_id=query.from_user.id, now=core.clock.now()
        )
    if result is not Flag.REFUSED and result is not Flag.NOT_YOURS:
        # The buttons first: once the press is answered they show what it did.
        flagged = result in {Flag.FLAGGED, Flag.ALREADY}
        await _keyboard(query, ui, button.story, flagged=flagged)
    await answer(query, ui._(ANSWERS[result]))


async def _page(core: Core, ui: UI, offset: int) -> tuple[str, InlineKeyboardMarkup | None]:
    stories = await core.db.feedback.page(offset=offset, limit=PAGE + 1)
    body = texts.flagged_page(ui, stories[:PAGE], offset=offset, now=core.clock.now())
    buttons = []
    if offset > 0:
        newer = FeedbackPage(max(offset - PAGE, 0)).encode()
        buttons.append(InlineKeyboardButton(ui._("◀ Newer"), callback_data=newer))
    if len(stories) > PAGE:
        older = FeedbackPage(offset + PAGE).encode()
        buttons.append(InlineKeyboardButton(ui._("Older ▶"), callback_data=older))
    return body, InlineKeyboardMarkup([buttons]) if buttons else None


@admin_command
async def feedback(request: AdminRequest, context: Context) -> None:
    """Show the stories subscribers flagged as not relevant, newest first."""
    body, keyboard = await _page(context.core, request.ui, 0)
    await reply(request.message, body, html=True, markup=keyboard, previews=False)


async def turn_page(update: Update, context: Context) -> None:
    """Show another page of /feedback in place (admins only)."""
    query, button = update.callback_query, tapped(update, FeedbackPage)
    if query is None or button is None:
        return
    ui = await ui_of(update, context)
    core = context.core
    if not core.is_admin(query.from_user.id if query.from_user else None):
        await answer(query, ui._(REFUSAL))
        return
    body, keyboard = await _page(core, ui, button.offset)
    await edit(query, body, html=True, markup=keyboard, previews=False)
    await answer(query)
