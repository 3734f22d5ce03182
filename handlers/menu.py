"""/settings: one inline menu, edited in place, over the same services as the commands.

The screens come from bot.ui.menu; a tap's callback data (`set:…`) becomes a call of
bot.chats.filters, bot.chats.delivery or storage, exactly as the matching
command would make. When a screen asks for words, a place or a time zone, the chat's
in-memory `chat_data` remembers who is expected to answer (for ten minutes); a restart
forgets it, which only means tapping the button again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.chats import ChoiceError
from bot.chats import filters as chat_filters
from bot.chats.delivery import (
    describe,
    parse_digest,
    parse_previews,
    parse_quiet,
    parse_timezone,
)
from bot.context import Context, Core
from bot.models import QuietMode
from bot.ui import menu, texts
from bot.ui.commands import commands_for
from bot.ui.i18n import LANGUAGES, N_
from bot.ui.texts import UI
from handlers.common import chat_change, may_change, register_chat, ui_of

WAIT = "settings_wait"  # chat_data key: what the menu waits for, from whom, since when
PLACE = "settings_place"  # chat_data key: the place chosen before its radius
WAIT_FOR = timedelta(minutes=10)
Screen = tuple[str, menu.Rows]

SETTINGS_REFUSAL = N_("Only the group's admins can change its settings.")


def _markup(rows: menu.Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def _screen(core: Core, ui: UI, chat_id: int, section: str) -> Screen:
    """Return the text and buttons of one screen of the menu."""
    db = core.db
    audience, prefs = await db.filters.get(chat_id), await db.chats.prefs(chat_id)
    chosen = await db.chats.topics_of(chat_id)
    described = texts.escape(describe(prefs, ui._))
    screens: dict[str, Callable[[], Screen]] = {
        "tp": lambda: menu.topics(ui, chosen),
        "sv": lambda: menu.severity(ui, audience.min_severity),
        "kw": lambda: menu.keywords(ui, audience),
        "pl": lambda: menu.places(
            ui, texts.filters_summary(ui, audience, chat_filters.COUNTRY_NAMES)
        ),
        "pl:rg": lambda: menu.regions(ui, core.matcher.places.oblasts()),
        "pl:bd": lambda: menu.borders(ui, chat_filters.COUNTRY_NAMES),
        "dl": lambda: menu.delivery(ui, prefs, described),
        "dl:hr": lambda: menu.digest_hours(ui, prefs.digest_hour),
        "dl:tz": lambda: menu.zones(ui, prefs.timezone),
        "qt": lambda: menu.quiet(ui, prefs, described),
        "lg": lambda: menu.languages(ui),
        "pv": lambda: menu.previews(ui, prefs),
    }
    return screens.get(section, lambda: menu.main(ui))()


async def settings(update: Update, context: Context) -> None:
    """Open the settings menu."""
    request = await chat_change(update, context, refusal=SETTINGS_REFUSAL)
    if request is None:
        return
    text, rows = menu.main(request.ui)
    await request.message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=_markup(rows))


async def _apply(core: Core, chat_id: int, action: str, context: Context) -> str:
    """Make the change a tap asks for; return the screen to show next."""
    db, places = core.db, core.matcher.places
    parts = action.split(":")
    match parts:
        case ["tp", name] if name in core.catalog.names():
            if not await db.chats.subscribe(chat_id, name, now=core.clock.now()):
                await db.chats.unsubscribe(chat_id, name)
        case ["sv", level]:
            await chat_filters.severity(db, chat_id, [level])
        case ["kw", "clear"]:
            await chat_filters.remove_words(db, chat_id, "watch", "")
        case ["pl", "rg", index] if index.isdigit() and int(index) < len(places.oblasts()):
            await chat_filters.region(db, places, chat_id, [places.oblasts()[int(index)]])
        case ["pl", "nk", km] if km.isdigit() and (place := _state(context).get(PLACE)):
            await chat_filters.near(db, places, chat_id, [*str(place).split(), km])
        case ["pl", "nk", _]:
            pass  # the place was forgotten (a restart): show the places again
        case ["pl", "bk", code, km]:
            await chat_filters.border(db, chat_id, [code, km])
        case ["pl", "any"]:
            await chat_filters.anywhere(db, chat_id)
        case _:
            return await _apply_delivery(core, chat_id, parts)
    return parts[0]


async def _apply_delivery(core: Core, chat_id: int, parts: list[str]) -> str:
    """Make a change of how alerts arrive; return the screen to show next."""
    db = core.db
    match parts:
        case ["dl", mode] if mode in {"instant", "hourly", "daily"}:
            await db.chats.update_prefs(chat_id, **parse_digest([mode]))
        case ["dl", "h", hour]:
            await db.chats.update_prefs(chat_id, **parse_digest(["daily", hour]))
        case ["dl", "z", index] if index.isdigit() and int(index) < len(menu.ZONES):
            await db.chats.update_prefs(chat_id, **parse_timezone([menu.ZONES[int(index)]]))
        case ["qt", "off"]:
            await db.chats.update_prefs(chat_id, **parse_quiet(["off"]))
        case ["qt", "p", hours]:
            prefs = await db.chats.prefs(chat_id)
            words = [hours, prefs.quiet_mode.value] + (["urgent"] if prefs.quiet_urgent else [])
            await db.chats.update_prefs(chat_id, **parse_quiet(words))
        case ["qt", "m", mode] if mode in {"hold", "silent"}:
            await db.chats.update_prefs(chat_id, quiet_mode=QuietMode(mode))
        case ["qt", "u"]:
            prefs = await db.chats.prefs(chat_id)
            await db.chats.update_prefs(chat_id, quiet_urgent=not prefs.quiet_urgent)
        case ["pv", state]:
            await db.chats.update_prefs(chat_id, **parse_previews([state]))
        case _:
            return ":".join(parts)  # a screen to show, not a change
    return parts[0]


def _state(context: Context) -> dict[Any, Any]:
    """Return the chat's in-memory data (every update with a chat has it)."""
    return context.chat_data if context.chat_data is not None else {}


def _wait(context: Context, kind: str, user_id: int, now: datetime) -> None:
    _state(context)[WAIT] = {"kind": kind, "user": user_id, "since": now}


async def tap(update: Update, context: Context) -> None:
    """Answer a tap on the settings menu: change a setting and redraw the menu."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None or query.data is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not await may_change(update, context):
        await query.answer(ui._(SETTINGS_REFUSAL))
        return
    await register_chat(update, context)
    action = query.data.removeprefix(menu.PREFIX)
    now = core.clock.now()
    _state(context).pop(WAIT, None)
    screen: Screen
    if action == "close":
        await query.edit_message_text(ui._("Settings saved."))
        await query.answer()
        return
    if action.startswith("lg:") and action[3:] in LANGUAGES:
        lang = action[3:]
        await core.db.chats.set_language(chat.id, lang)
        await context.bot.set_my_commands(commands_for(lang), scope=BotCommandScopeChat(chat.id))
        ui = await ui_of(update, context)
        screen = menu.languages(ui)
    elif action == "kw:add":
        _wait(context, "kw", user.id, now)
        screen = menu.keywords_prompt(ui)
    elif action == "pl:near":
        _wait(context, "place", user.id, now)
        screen = menu.place_prompt(ui)
    elif action == "dl:zo":
        _wait(context, "tz", user.id, now)
        screen = menu.zone_prompt(ui)
    elif action.startswith("pl:bd:") and action[6:] in chat_filters.COUNTRY_NAMES:
        screen = menu.border_radius(ui, action[6:], chat_filters.COUNTRY_NAMES)
    else:
        try:
            section = await _apply(core, chat.id, action, context)
        except ChoiceError as exc:
            await query.answer(ui._(exc.template).format(**exc.values), show_alert=True)
            return
        screen = await _screen(core, ui, chat.id, section)
    await _show(query.edit_message_text, screen)
    await query.answer()


async def _show(send: Any, screen: Screen) -> None:
    """Send or edit in a screen; an unchanged screen is not an error."""
    text, rows = screen
    try:
        await send(text, parse_mode=ParseMode.HTML, reply_markup=_markup(rows))
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def text_reply(update: Update, context: Context) -> None:
    """Take the words, place or time zone the menu asked this user for, if it did."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or context.chat_data is None:
        return
    waiting = context.chat_data.get(WAIT)
    core = context.core
    now = core.clock.now()
    if not waiting or waiting["user"] != user.id or now - waiting["since"] > WAIT_FOR:
        return  # not for the menu: other handlers take it
    text = (message.text or "").strip()
    ui = await ui_of(update, context)
    screen: Screen
    try:
        if waiting["kind"] == "kw":
            audience = await chat_filters.add_words(core.db, chat.id, "watch", text, now=now)
            screen = menu.keywords(ui, audience)
        elif waiting["kind"] == "place":
            chat_filters.known_place(core.matcher.places, text)
            context.chat_data[PLACE] = text
            screen = menu.near_radius(ui, text)
        else:
            await core.db.chats.update_prefs(chat.id, **parse_timezone(text.split()))
            screen = await _screen(core, ui, chat.id, "dl")
    except ChoiceError as exc:
        said = texts.escape(ui._(exc.template).format(**exc.values))
        await message.reply_text(said, parse_mode=ParseMode.HTML)
        raise ApplicationHandlerStop from None  # still waiting: the user may try again
    context.chat_data.pop(WAIT, None)
    await _show(message.reply_text, screen)
    raise ApplicationHandlerStop
