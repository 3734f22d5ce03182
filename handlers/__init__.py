"""Telegram handlers: parse the update, call a service, reply. No SQL, no HTTP here."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import admin, errors, preferences, start, status, subscriptions


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every Outpost handler to the application: the one list of them."""
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.help_command))
    app.add_handler(CommandHandler("topics", subscriptions.topics))
    app.add_handler(CallbackQueryHandler(subscriptions.toggle, pattern=r"^t:"))
    app.add_handler(CommandHandler("subscribe", subscriptions.subscribe))
    app.add_handler(CommandHandler("unsubscribe", subscriptions.unsubscribe))
    app.add_handler(CommandHandler("mysubs", subscriptions.mysubs))
    app.add_handler(CommandHandler("status", status.status))
    app.add_handler(CommandHandler("digest", preferences.digest))
    app.add_handler(CommandHandler("timezone", preferences.timezone))
    app.add_handler(CommandHandler("quiet", preferences.quiet))
    app.add_handler(CommandHandler("previews", preferences.previews))
    app.add_handler(CommandHandler("here", preferences.here))
    app.add_handler(CommandHandler("post", admin.post))
    # Anything else that looks like a command gets the help text.
    app.add_handler(MessageHandler(filters.COMMAND, start.unknown))
    app.add_error_handler(errors.on_error)
