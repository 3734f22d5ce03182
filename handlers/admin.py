"""Admin commands: drafts with preview and confirm, statistics, the audit log, admins."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot import admin_actions, texts
from bot.context import Context
from bot.i18n import N_
from bot.texts import UI
from handlers.common import ui_of

REFUSAL = N_("Sorry, only Outpost admins can do that.")


def _decision_keyboard(ui: UI, draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(ui._("✅ Confirm"), callback_data=f"dr:{draft_id}:ok"),
                InlineKeyboardButton(ui._("✖️ Cancel"), callback_data=f"dr:{draft_id}:no"),
            ]
        ]
    )


async def _draft(update: Update, context: Context, kind: str) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not core.is_admin(user.id):
        await message.reply_text(ui._(REFUSAL))
        return
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await message.reply_text(
            ui._("Write the text after the command: {example}").format(example=f"/{kind} TEXT")
        )
        return
    draft_id = await core.db.admin.create_draft(user.id, kind, text, now=core.clock.now())
    await message.reply_text(
        admin_actions.preview(core, kind, text, lang=ui.lang),
        parse_mode=ParseMode.HTML,
        reply_markup=_decision_keyboard(ui, draft_id),
    )
    await message.reply_text(texts.draft_prompt(ui, kind))


async def post(update: Update, context: Context) -> None:
    """Preview a verified manual update, to be confirmed or cancelled."""
    await _draft(update, context, "post")


async def broadcast(update: Update, context: Context) -> None:
    """Preview an announcement to every chat, to be confirmed or cancelled."""
    await _draft(update, context, "broadcast")


async def decide(update: Update, context: Context) -> None:
    """Confirm or cancel a draft from its preview's buttons."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not core.is_admin(user.id):
        await query.answer(ui._(REFUSAL), show_alert=True)
        return
    _, raw_id, choice = [*query.data.split(":"), "", ""][:3]
    draft = await core.db.admin.draft(int(raw_id)) if raw_id.isdigit() else None
    if draft is None:
        await query.answer(ui._("This draft no longer exists."))
        return
    if choice == "ok":
        published = await admin_actions.publish(core, draft, admin_id=user.id)
        handled = published is not None
        note = (
            texts.published(ui, draft.kind, published.topics, published.queued)
            if published
            else ui._("Already handled.")
        )
    else:
        handled = await admin_actions.cancel(core, draft, admin_id=user.id)
        note = ui._("Cancelled.") if handled else ui._("Already handled.")
    await query.answer(note)
    if handled:
        await query.edit_message_reply_markup(None)
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, note)


async def stats(update: Update, context: Context) -> None:
    """Show subscribers, deliveries and failing sources."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not core.is_admin(user.id):
        await message.reply_text(ui._(REFUSAL))
        return
    figures = await core.db.stats.collect()
    await message.reply_text(texts.stats(ui, figures), parse_mode=ParseMode.HTML)


async def audit(update: Update, context: Context) -> None:
    """Show the newest admin actions."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not core.is_admin(user.id):
        await message.reply_text(ui._(REFUSAL))
        return
    entries = await core.db.admin.recent_audit(limit=20)
    await message.reply_text(texts.audit(ui, entries), parse_mode=ParseMode.HTML)


async def admins(update: Update, context: Context) -> None:
    """List admins; owners can `add ID` or `remove ID`."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not core.is_owner(user.id):
        await message.reply_text(ui._("Sorry, only Outpost owners can manage admins."))
        return
    args = context.args or []
    if len(args) == 2 and args[0] in {"add", "remove"} and args[1].lstrip("-").isdigit():
        target = int(args[1])
        if args[0] == "add":
            done = await admin_actions.add_admin(core, target, owner_id=user.id)
            reply = ui._("{id} is now an admin.") if done else ui._("{id} already was an admin.")
        else:
            done = await admin_actions.remove_admin(core, target, owner_id=user.id)
            reply = ui._("{id} is no longer an admin.") if done else ui._("{id} was not an admin.")
        await message.reply_text(reply.format(id=target))
        return
    if args:
        await message.reply_text(
            ui._("Usage: {usage}").format(
                usage="/admins, /admins add USER_ID, /admins remove USER_ID"
            )
        )
        return
    await message.reply_text(
        texts.admin_list(ui, sorted(core.settings.admin_ids), await core.db.admin.all()),
        parse_mode=ParseMode.HTML,
    )
