"""Telegram handlers: parse the update, call a service, reply. No SQL, no HTTP here."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
)
from telegram.ext import filters as message

from bot.context import Context
from bot.ui import callbacks
from bot.ui.callbacks import Button
from handlers import (
    admin,
    delivery,
    drafts,
    errors,
    feedback,
    filters,
    gate,
    latest,
    menu,
    once,
    sources,
    start,
    status,
    subscriptions,
    supergroup,
)

Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


def _on_tap(callback: Callback, kind: type[Button]) -> CallbackQueryHandler[Context, None]:
    """Route taps on one kind of button (bot.ui.callbacks) to a handler."""
    return CallbackQueryHandler(callback, pattern=callbacks.pattern(kind))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every Outpost handler to the application: the one list of them."""
    # First of all: an update delivered again (another instance read it before) is dropped.
    app.add_handler(TypeHandler(Update, once.first_sight), group=once.ONCE_GROUP)
    # Before anything else: edits, forwarded commands, other bots' commands and unreadable
    # or oversized arguments stop here (handlers.gate).
    app.add_handler(TypeHandler(Update, gate.screen), group=gate.SCREEN_GROUP)
    # Button data that stands for no button (forged, or of a kind since retired) gets a short
    # answer here; every kind of button has its handler below.
    app.add_handler(CallbackQueryHandler(start.stale_button, pattern=callbacks.undecodable))
    # A group that became a supergroup: before anything else, whatever else its message is.
    app.add_handler(MessageHandler(message.StatusUpdate.MIGRATE, supergroup.migrated), group=-2)
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.help_command))
    app.add_handler(CommandHandler("language", start.language))
    app.add_handler(_on_tap(start.choose_language, callbacks.LanguageChoice))
    app.add_handler(CommandHandler("topics", subscriptions.topics))
    app.add_handler(_on_tap(subscriptions.toggle, callbacks.TopicToggle))
    app.add_handler(CommandHandler("subscribe", subscriptions.subscribe))
    app.add_handler(CommandHandler("unsubscribe", subscriptions.unsubscribe))
    app.add_handler(CommandHandler("mysubs", subscriptions.mysubs))
    app.add_handler(CommandHandler("near", filters.near))
    app.add_handler(CommandHandler("border", filters.border))
    app.add_handler(CommandHandler("region", filters.region))
    app.add_handler(CommandHandler("anywhere", filters.anywhere))
    app.add_handler(CommandHandler("severity", filters.severity))
    app.add_handler(CommandHandler("watch", filters.watch))
    app.add_handler(CommandHandler("unwatch", filters.unwatch))
    app.add_handler(CommandHandler("exclude", filters.exclude))
    app.add_handler(CommandHandler("unexclude", filters.unexclude))
    app.add_handler(CommandHandler("filters", filters.show))
    app.add_handler(CommandHandler("status", status.status))
    app.add_handler(_on_tap(status.picture, callbacks.StatusChart))
    app.add_handler(_on_tap(status.map_picture, callbacks.StatusMap))
    app.add_handler(CommandHandler("latest", latest.latest))
    app.add_handler(_on_tap(latest.turn_page, callbacks.LatestPage))
    app.add_handler(CommandHandler("post", drafts.post))
    app.add_handler(CommandHandler("broadcast", drafts.broadcast))
    app.add_handler(CommandHandler("cancel", drafts.cancel))
    app.add_handler(_on_tap(drafts.step, callbacks.DraftStep))
    app.add_handler(_on_tap(drafts.decide, callbacks.DraftDecision))
    app.add_handler(CommandHandler("stats", admin.stats))
    app.add_handler(CommandHandler("audit", admin.audit))
    app.add_handler(CommandHandler("admins", admin.admins))
    _register_feedback_and_sources(app)
    _register_choices(app)
    # Anything else that looks like a command gets the help text.
    app.add_handler(MessageHandler(message.COMMAND, start.unknown))
    # Plain text in a private chat: an admin answering their /post conversation.
    app.add_handler(
        MessageHandler(
            message.TEXT & ~message.COMMAND & message.ChatType.PRIVATE, drafts.draft_text
        )
    )
    app.add_error_handler(errors.on_error)


def _register_feedback_and_sources(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the handlers of subscribers' feedback and of the admins' source commands."""
    app.add_handler(CommandHandler("feedback", feedback.feedback))
    app.add_handler(_on_tap(feedback.turn_page, callbacks.FeedbackPage))
    app.add_handler(_on_tap(feedback.why, callbacks.WhyAlert))
    app.add_handler(_on_tap(feedback.not_relevant, callbacks.FlagTap))
    app.add_handler(CommandHandler("sources", sources.sources))
    app.add_handler(_on_tap(sources.turn_page, callbacks.SourcesPage))
    app.add_handler(CommandHandler("addsource", sources.addsource))
    app.add_handler(CommandHandler("removesource", sources.removesource))
    app.add_handler(CommandHandler("pausesource", sources.pausesource))
    app.add_handler(CommandHandler("resumesource", sources.resumesource))
    opml_files = (
        message.Document.FileExtension("opml")
        | message.Document.FileExtension("xml")
        | message.Document.MimeType("text/x-opml")
    )
    app.add_handler(MessageHandler(opml_files, sources.opml_document))


def _register_choices(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the handlers of how alerts arrive and of the /settings menu."""
    app.add_handler(CommandHandler("digest", delivery.digest))
    app.add_handler(CommandHandler("timezone", delivery.timezone))
    app.add_handler(CommandHandler("quiet", delivery.quiet))
    app.add_handler(CommandHandler("previews", delivery.previews))
    app.add_handler(CommandHandler("here", delivery.here))
    app.add_handler(CommandHandler("settings", menu.settings))
    app.add_handler(_on_tap(menu.tap, callbacks.SettingsTap))
    # Text the settings menu asked for goes first; it stops there, else falls through.
    app.add_handler(MessageHandler(message.TEXT & ~message.COMMAND, menu.text_reply), group=-1)
