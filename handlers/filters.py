"""Place filters, minimum severity, own keywords and exclusions: /near, /border, /region,
/anywhere, /severity, /watch, /unwatch, /exclude, /unexclude, /filters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.chats import ChoiceError
from bot.chats import filters as chat_filters
from bot.context import Context, Core
from bot.models import ChatFilters
from bot.ui import texts
from handlers.common import chat_change, reply, said

Change = Callable[[Core, int, list[str], str], Awaitable[ChatFilters]]


async def _apply(update: Update, context: Context, change: Change, *, changes: bool = True) -> None:
    """Register the chat, apply a change and reply with the chat's filters or the error."""
    request = await chat_change(update, context, check=changes)
    if request is None:
        return
    message, ui = request.message, request.ui
    text = (message.text or "").partition(" ")[2]
    try:
        audience = await change(context.core, request.chat_id, list(context.args or ()), text)
    except ChoiceError as exc:
        await reply(message, said(ui, exc))
        return
    await reply(message, texts.filters_summary(ui, audience), html=True)


async def near(update: Update, context: Context) -> None:
    """/near PLACE [km]."""
    await _apply(
        update,
        context,
        lambda core, chat_id, args, _: chat_filters.near(
            core.db, core.matcher.places, chat_id, args
        ),
    )


async def border(update: Update, context: Context) -> None:
    """/border COUNTRY [km]."""
    await _apply(
        update, context, lambda core, chat_id, args, _: chat_filters.border(core.db, chat_id, args)
    )


async def region(update: Update, context: Context) -> None:
    """/region NAME."""
    await _apply(
        update,
        context,
        lambda core, chat_id, args, _: chat_filters.region(
            core.db, core.matcher.places, chat_id, args
        ),
    )


async def anywhere(update: Update, context: Context) -> None:
    """/anywhere: drop the place filters."""
    await _apply(
        update, context, lambda core, chat_id, _, __: chat_filters.anywhere(core.db, chat_id)
    )


async def severity(update: Update, context: Context) -> None:
    """/severity low|medium|high."""
    await _apply(
        update,
        context,
        lambda core, chat_id, args, _: chat_filters.severity(core.db, chat_id, args),
    )


async def watch(update: Update, context: Context) -> None:
    """/watch WORDS."""
    await _apply(
        update,
        context,
        lambda core, chat_id, _, text: chat_filters.add_words(
            core.db, chat_id, "watch", text, now=core.clock.now()
        ),
    )


async def unwatch(update: Update, context: Context) -> None:
    """/unwatch [WORDS]."""
    await _apply(
        update,
        context,
        lambda core, chat_id, _, text: chat_filters.remove_words(core.db, chat_id, "watch", text),
    )


async def exclude(update: Update, context: Context) -> None:
    """/exclude WORDS."""
    await _apply(
        update,
        context,
        lambda core, chat_id, _, text: chat_filters.add_words(
            core.db, chat_id, "exclude", text, now=core.clock.now()
        ),
    )


async def unexclude(update: Update, context: Context) -> None:
    """/unexclude [WORDS]."""
    await _apply(
        update,
        context,
        lambda core, chat_id, _, text: chat_filters.remove_words(core.db, chat_id, "exclude", text),
    )


async def show(update: Update, context: Context) -> None:
    """/filters: what the chat has set."""
    await _apply(
        update,
        context,
        lambda core, chat_id, _, __: core.db.filters.get(chat_id),
        changes=False,
    )
