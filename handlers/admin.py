"""Admin commands: statistics, the audit log, admins (drafts are in handlers.drafts)."""

from __future__ import annotations

import re

from telegram import Update

from bot.admin import admins as admin_roles
from bot.context import Context
from bot.ui import texts
from handlers.common import AdminRequest, admin_command, reply, ui_of

_USER_ID = re.compile(r"-?[0-9]{1,18}")


@admin_command
async def stats(request: AdminRequest, context: Context) -> None:
    """Show subscribers, deliveries and failing sources."""
    figures = await context.core.db.stats.collect(now=context.core.clock.now())
    await reply(request.message, texts.stats(request.ui, figures), html=True, previews=False)


@admin_command
async def audit(request: AdminRequest, context: Context) -> None:
    """Show the newest admin actions."""
    entries = await context.core.db.admin.recent_audit(limit=20)
    await reply(request.message, texts.audit(request.ui, entries), html=True, previews=False)


async def admins(update: Update, context: Context) -> None:
    """List admins; owners can `add ID` or `remove ID`."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not core.is_owner(user.id):
        await reply(message, ui._("Sorry, only Outpost owners can manage admins."))
        return
    args = context.args or []
    # ASCII digits that fit a Telegram id: int() refuses "²", "--5" and 4,300 digits.
    if len(args) == 2 and args[0] in {"add", "remove"} and _USER_ID.fullmatch(args[1]):
        target = int(args[1])
        if args[0] == "add":
            done = await admin_roles.add_admin(core, target, owner_id=user.id)
            said = ui._("{id} is now an admin.") if done else ui._("{id} already was an admin.")
        else:
            done = await admin_roles.remove_admin(core, target, owner_id=user.id)
            said = ui._("{id} is no longer an admin.") if done else ui._("{id} was not an admin.")
        await reply(message, said.format(id=target))
        return
    if args:
        await reply(
            message,
            ui._("Usage: {usage}").format(
                usage="/admins, /admins add USER_ID, /admins remove USER_ID"
            ),
        )
        return
    await reply(
        message,
        texts.admin_list(ui, sorted(core.settings.admin_ids), await core.db.admin.all()),
        html=True,
    )
