"""/settings: one inline menu, edited in place, over the same services as the commands.

The screens come from bot.ui.menu; a tap's typed button (bot.ui.callbacks) becomes a call
of bot.chats.filters, bot.chats.delivery or storage, exactly as the matching command
would make. When a screen asks for words, a place or a time zone, the database remembers
who is expected to answer (for ten minutes, `storage.chat_state`), so the answer is taken
by whichever instance reads it, after a restart or a switch of instance too. The answer
is taken only if its author may still change the chat's settings when it arrives: rights
are checked at every step that writes, not once when the step began.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.chats import ChoiceError
from bot.chats import filters as chat_filters
from bot.chats.delivery import describe, parse_quiet, parse_timezone
from bot.context import Context, Core
from bot.models import Awaiting, Delivery, DeliveryChange, Prompt
from bot.ui import menu, texts
from bot.ui.callbacks import (
    AskKeywords,
    AskPlace,
    AskZone,
    ChooseBorder,
    ClearKeywords,
    Close,
    QuietOff,
    Section,
    SetAnywhere,
    SetBorder,
    SetDelivery,
    SetDigestHour,
    SetLanguage,
    SetNear,
    SetPreviews,
    SetQuiet,
    SetQuietMode,
    SetRegion,
    SetSeverity,
    SettingsTap,
    SetTopic,
    SetZone,
    Show,
    ToggleUrgent,
)
from bot.ui.commands import commands_for
from bot.ui.i18n import LANGUAGES, N_
from bot.ui.texts import UI
from handlers.common import (
    answer,
    chat_change,
    edit,
    may_change,
    register_chat,
    reply,
    said,
    tapped,
    ui_of,
)

WAIT_FOR = timedelta(minutes=10)
Screen = tuple[str, menu.Rows]

SETTINGS_REFUSAL = N_("Only the group's admins can change its settings.")


def _markup(rows: menu.Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=button.encode()) for label, button in row]
            for row in rows
        ]
    )


async def _screen(core: Core, ui: UI, chat_id: int, section: Section) -> Screen:
    """Return the text and buttons of one screen of the menu."""
    db = core.db
    audience, prefs = await db.filters.get(chat_id), await db.chats.prefs(chat_id)
    chosen = await db.chats.topics_of(chat_id)
    described = texts.escape(describe(prefs, ui._))
    screens: dict[Section, Callable[[], Screen]] = {
        Section.TOPICS: lambda: menu.topics(ui, chosen),
        Section.SEVERITY: lambda: menu.severity(ui, audience.min_severity),
        Section.KEYWORDS: lambda: menu.keywords(ui, audience),
        Section.PLACES: lambda: menu.places(ui, texts.filters_summary(ui, audience)),
        Section.REGIONS: lambda: menu.regions(ui, core.matcher.places.oblasts()),
        Section.BORDERS: lambda: menu.borders(ui, chat_filters.COUNTRY_NAMES),
        Section.DELIVERY: lambda: menu.delivery(ui, prefs, described),
        Section.DIGEST_HOURS: lambda: menu.digest_hours(ui, prefs.digest_hour),
        Section.ZONES: lambda: menu.zones(ui, prefs.timezone),
        Section.QUIET: lambda: menu.quiet(ui, prefs, described),
        Section.LANGUAGES: lambda: menu.languages(ui),
        Section.PREVIEWS: lambda: menu.previews(ui, prefs),
    }
    return screens.get(section, lambda: menu.main(ui))()


async def settings(update: Update, context: Context) -> None:
    """Open the settings menu."""
    request = await chat_change(update, context, refusal=SETTINGS_REFUSAL)
    if request is None:
        return
    text, rows = menu.main(request.ui)
    await reply(request.message, text, html=True, markup=_markup(rows))


async def _apply(  # noqa: PLR0911 -- one return per kind of button
    core: Core, chat_id: int, button: SettingsTap
) -> Section:
    """Make the change a tap asks for; return the screen to show next."""
    db, places = core.db, core.matcher.places
    match button:
        case Show(section):
            return section
        case SetTopic(name) if name in core.catalog.names():
            if not await db.chats.subscribe(chat_id, name, now=core.clock.now()):
                await db.chats.unsubscribe(chat_id, name)
            return Section.TOPICS
        case SetSeverity(level):
            await chat_filters.set_severity(db, chat_id, level)
            return Section.SEVERITY
        case ClearKeywords():
            await chat_filters.remove_words(db, chat_id, "watch", "")
            return Section.KEYWORDS
        case SetRegion(index) if index < len(places.oblasts()):
            await chat_filters.region(db, places, chat_id, [places.oblasts()[index]])
            return Section.PLACES
        case SetNear(km):
            place = await db.chat_state.place(chat_id)
            if place:
                await chat_filters.near(db, places, chat_id, [*place.split(), str(km)])
            return Section.PLACES  # without a place (retention forgot it): the places again
        case SetBorder(code, km):
            await chat_filters.border(db, chat_id, [code, str(km)])
            return Section.PLACES
        case SetAnywhere():
            await chat_filters.anywhere(db, chat_id)
            return Section.PLACES
    return await _apply_delivery(core, chat_id, button)


async def _apply_delivery(  # noqa: PLR0911 -- one return per kind of button
    core: Core, chat_id: int, button: SettingsTap
) -> Section:
    """Make a change of how alerts arrive; return the screen to show next."""
    db = core.db
    match button:
        case SetDelivery(mode):
            await db.chats.update_prefs(chat_id, DeliveryChange(delivery=mode))
            return Section.DELIVERY
        case SetDigestHour(hour):
            change = DeliveryChange(delivery=Delivery.DAILY, digest_hour=hour)
            await db.chats.update_prefs(chat_id, change)
            return Section.DELIVERY
        case SetZone(index) if index < len(menu.ZONES):
            await db.chats.update_prefs(chat_id, parse_timezone([menu.ZONES[index]]))
            return Section.DELIVERY
        case QuietOff():
            await db.chats.update_prefs(chat_id, parse_quiet(["off"]))
            return Section.QUIET
        case SetQuiet(hours):
            prefs = await db.chats.prefs(chat_id)
            words = [hours, prefs.quiet_mode.value] + (["urgent"] if prefs.quiet_urgent else [])
            await db.chats.update_prefs(chat_id, parse_quiet(words))
            return Section.QUIET
        case SetQuietMode(mode):
            await db.chats.update_prefs(chat_id, DeliveryChange(quiet_mode=mode))
            return Section.QUIET
        case ToggleUrgent():
            prefs = await db.chats.prefs(chat_id)
            change = DeliveryChange(quiet_urgent=not prefs.quiet_urgent)
            await db.chats.update_prefs(chat_id, change)
            return Section.QUIET
        case SetPreviews(on):
            await db.chats.update_prefs(chat_id, DeliveryChange(link_previews=on))
            return Section.PREVIEWS
    return Section.MAIN


async def _wait(core: Core, chat_id: int, prompt: Prompt, user_id: int, now: datetime) -> None:
    await core.db.chat_state.await_answer(chat_id, Awaiting(prompt, user_id, now))


async def tap(update: Update, context: Context) -> None:
    """Answer a tap on the settings menu: change a setting and redraw the menu."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    button = tapped(update, SettingsTap)
    if query is None or chat is None or user is None or button is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    if not await may_change(update, context):
        await answer(query, ui._(SETTINGS_REFUSAL))
        return
    await register_chat(update, context)
    now = core.clock.now()
    await core.db.chat_state.stop_waiting(chat.id)
    screen: Screen
    match button:
        case Close():
            await edit(query, ui._("Settings saved."))
            await answer(query)
            return
        case SetLanguage(lang) if lang in LANGUAGES:
            await core.db.chats.set_language(chat.id, lang)
            scope = BotCommandScopeChat(chat.id)
            await context.bot.set_my_commands(commands_for(lang), scope=scope)
            ui = await ui_of(update, context)
            screen = menu.languages(ui)
        case AskKeywords():
            await _wait(core, chat.id, Prompt.KEYWORDS, user.id, now)
            screen = menu.keywords_prompt(ui)
        case AskPlace():
            await _wait(core, chat.id, Prompt.PLACE, user.id, now)
            screen = menu.place_prompt(ui)
        case AskZone():
            await _wait(core, chat.id, Prompt.ZONE, user.id, now)
            screen = menu.zone_prompt(ui)
        case ChooseBorder(code) if code in chat_filters.COUNTRY_NAMES:
            screen = menu.border_radius(ui, code)
        case _:
            try:
                section = await _apply(core, chat.id, button)
            except ChoiceError as exc:
                await answer(query, said(ui, exc), alert=True)
                return
            screen = await _screen(core, ui, chat.id, section)
    text, rows = screen
    await edit(query, text, html=True, markup=_markup(rows))
    await answer(query)


async def text_reply(update: Update, context: Context) -> None:
    """Take the words, place or time zone the menu asked this user for, if it did."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    core = context.core
    waiting = await core.db.chat_state.awaiting(chat.id)
    now = core.clock.now()
    if waiting is None or waiting.user_id != user.id or now - waiting.since > WAIT_FOR:
        return  # not for the menu: other handlers take it
    ui = await ui_of(update, context)
    if not await may_change(update, context):
        # Rights are those held now, not when the button was tapped: a group admin
        # demoted in the meantime changes nothing by answering.
        await core.db.chat_state.stop_waiting(chat.id)
        await reply(message, ui._(SETTINGS_REFUSAL))
        raise ApplicationHandlerStop
    text = (message.text or "").strip()
    screen: Screen
    try:
        if waiting.prompt is Prompt.KEYWORDS:
            audience = await chat_filters.add_words(core.db, chat.id, "watch", text, now=now)
            screen = menu.keywords(ui, audience)
        elif waiting.prompt is Prompt.PLACE:
            place = chat_filters.known_place(core.matcher.places, text)
            await core.db.chat_state.set_place(chat.id, text, now=now)
            screen = menu.near_radius(ui, place.id)
        else:
            await core.db.chats.update_prefs(chat.id, parse_timezone(text.split()))
            screen = await _screen(core, ui, chat.id, Section.DELIVERY)
    except ChoiceError as exc:
        await reply(message, said(ui, exc))
        raise ApplicationHandlerStop from None  # still waiting: the user may try again
    await core.db.chat_state.stop_waiting(chat.id)
    text, rows = screen
    await reply(message, text, html=True, markup=_markup(rows))
    raise ApplicationHandlerStop
