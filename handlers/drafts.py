"""Admins' drafts: `/post` as a short conversation, `/broadcast`, preview, Confirm or Cancel.

A /post goes text → topics → places → severity → preview; each step is stored on the
draft in the database, so the buttons of an old message or a restart cannot confuse it.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.admin import drafts as draft_actions
from bot.context import Context, Core
from bot.models import Draft, Severity
from bot.ui import texts
from bot.ui.callbacks import (
    Button,
    DraftCancel,
    DraftConfirm,
    DraftDecision,
    DraftKeepPlaces,
    DraftNext,
    DraftNoPlace,
    DraftSeverity,
    DraftStep,
    DraftTopic,
)
from bot.ui.i18n import N_
from bot.ui.texts import SEVERITY_LABELS, UI
from handlers.common import (
    REFUSAL,
    AdminRequest,
    admin_command,
    answer,
    edit,
    reply,
    send,
    tapped,
    ui_of,
)

NOT_YOURS = N_("Only the admin who wrote this draft can confirm or cancel it.")

# The most urgent first; None: the catalog's severity of its topics decides.
SEVERITIES: tuple[tuple[Severity | None, str], ...] = (
    *((level, SEVERITY_LABELS[level]) for level in sorted(Severity, reverse=True)),
    (None, N_("🏷 As its topics")),
)


def _button(label: str, button: Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=button.encode())


def _decision_keyboard(ui: UI, draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(ui._("✅ Confirm"), DraftConfirm(draft_id)),
                _button(ui._("✖️ Cancel"), DraftCancel(draft_id)),
            ]
        ]
    )


def _topics_keyboard(ui: UI, draft: Draft) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(
                f"{'✅' if name in draft.topics else '▫️'} {ui.topic(name)}",
                DraftTopic(draft.id, name),
            )
        ]
        for name in ui.catalog.names()
    ]
    rows.append([_button(ui._("Next ▶"), DraftNext(draft.id))])
    return InlineKeyboardMarkup(rows)


def _places_keyboard(ui: UI, draft: Draft) -> InlineKeyboardMarkup:
    row = [_button(ui._("No place"), DraftNoPlace(draft.id))]
    if draft.places:
        row.insert(0, _button(ui._("Keep"), DraftKeepPlaces(draft.id)))
    return InlineKeyboardMarkup([row])


def _severity_keyboard(ui: UI, draft: Draft) -> InlineKeyboardMarkup:
    buttons = [_button(ui._(label), DraftSeverity(draft.id, level)) for level, label in SEVERITIES]
    return InlineKeyboardMarkup([buttons[:3], buttons[3:]])


def _places_prompt(ui: UI, draft: Draft) -> str:
    if draft.places:
        found = texts.escape(", ".join(ui.place(p) for p in draft.places))
        return ui._(
            "📍 Places found in the text: {places}. Keep them, send other place names, "
            "or tap No place."
        ).format(places=found)
    return ui._("📍 No place found in the text. Send place names, or tap No place.")


async def _show_preview(message: Message, core: Core, ui: UI, draft: Draft) -> None:
    await reply(
        message,
        draft_actions.preview(core, draft, lang=ui.lang),
        html=True,
        markup=_decision_keyboard(ui, draft.id),
    )
    await reply(message, texts.draft_prompt(ui, draft.kind))


async def _ask_topics(message: Message, ui: UI, draft: Draft) -> None:
    await reply(
        message,
        ui._("🏷 Which topics is this update about? Tap to change, then Next."),
        markup=_topics_keyboard(ui, draft),
    )


async def _admin_ui(update: Update, context: Context) -> tuple[UI, bool]:
    ui = await ui_of(update, context)
    user = update.effective_user
    return ui, context.core.is_admin(user.id if user else None)


@admin_command
async def post(request: AdminRequest, context: Context) -> None:
    """Start a verified manual update: `/post` asks for the text, `/post TEXT` skips that."""
    message, ui, core = request.message, request.ui, context.core
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await core.db.admin.create_draft(
            request.user_id, "post", "", now=core.clock.now(), step="text"
        )
        await reply(message, ui._("✍️ Send the text of the update. /cancel stops."))
        return
    found = core.matcher.classify(text)
    draft = await core.db.admin.create_draft(
        request.user_id,
        "post",
        text,
        now=core.clock.now(),
        step="topics",
        topics=found.topics,
        places=found.places,
    )
    await _ask_topics(message, ui, draft)


@admin_command
async def broadcast(request: AdminRequest, context: Context) -> None:
    """Preview an announcement to every chat, to be confirmed or cancelled."""
    message, ui, core = request.message, request.ui, context.core
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await reply(
            message,
            ui._("Write the text after the command: {example}").format(example="/broadcast TEXT"),
        )
        return
    draft = await core.db.admin.create_draft(
        request.user_id, "broadcast", text, now=core.clock.now()
    )
    await _show_preview(message, core, ui, draft)


async def draft_text(update: Update, context: Context) -> None:
    """Take an admin's plain message as the text or the places of their open draft."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    core = context.core
    ui, admin = await _admin_ui(update, context)
    draft = await core.db.admin.open_draft(user.id) if admin else None
    if draft is None:
        return
    if draft.step == "text":
        found = core.matcher.classify(message.text)
        draft = await core.db.admin.update_draft(
            draft.id, step="topics", text=message.text, topics=found.topics, places=found.places
        )
        if draft is not None:
            await _ask_topics(message, ui, draft)
    elif draft.step == "places":
        places = core.matcher.classify(message.text).places
        if not places:
            await reply(
                message,
                ui._("I know no place by that name. Try another spelling, or tap No place."),
                markup=_places_keyboard(ui, draft),
            )
            return
        draft = await core.db.admin.update_draft(draft.id, step="severity", places=places)
        if draft is not None:
            await reply(message, ui._("How urgent is it?"), markup=_severity_keyboard(ui, draft))


async def step(  # noqa: PLR0911 -- one return per step of the conversation
    update: Update, context: Context
) -> None:
    """Handle the buttons of the /post conversation (topics, places, severity).

    Each button edits the conversation first and answers the tap last, so when the
    spinner stops the next step is already on screen.
    """
    query, user = update.callback_query, update.effective_user
    button = tapped(update, DraftStep)
    if query is None or user is None or button is None:
        return
    core = context.core
    ui, admin = await _admin_ui(update, context)
    draft = await core.db.admin.draft(button.draft)
    if not admin or draft is None or draft.state != "open" or draft.author_id != user.id:
        await answer(query, ui._("This draft no longer exists."))
        return
    if (
        isinstance(button, DraftTopic)
        and button.topic in core.catalog.names()
        and draft.step == "topics"
    ):
        chosen = set(draft.topics) ^ {button.topic}
        draft = await core.db.admin.update_draft(draft.id, step="topics", topics=sorted(chosen))
        if draft is not None:
            await query.edit_message_reply_markup(_topics_keyboard(ui, draft))
        await answer(query)
        return
    if isinstance(button, DraftNext) and draft.step == "topics":
        if not draft.topics:
            await answer(query, ui._("Pick at least one topic."), alert=True)
            return
        draft = await core.db.admin.update_draft(draft.id, step="places")
        if draft is not None:
            await edit(query, _places_prompt(ui, draft), markup=_places_keyboard(ui, draft))
        await answer(query)
        return
    if isinstance(button, DraftKeepPlaces | DraftNoPlace) and draft.step == "places":
        draft = await core.db.admin.update_draft(
            draft.id, step="severity", places=None if isinstance(button, DraftKeepPlaces) else ()
        )
        if draft is not None:
            await edit(query, ui._("How urgent is it?"), markup=_severity_keyboard(ui, draft))
        await answer(query)
        return
    if isinstance(button, DraftSeverity) and draft.step == "severity":
        draft = await core.db.admin.update_draft(draft.id, step="preview", severity=button.severity)
        await query.edit_message_reply_markup(None)
        if draft is not None and isinstance(query.message, Message):
            await _show_preview(query.message, core, ui, draft)
        await answer(query)
        return
    await answer(query)


async def cancel(update: Update, context: Context) -> None:
    """Drop the admin's open draft."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    core = context.core
    ui, admin = await _admin_ui(update, context)
    draft = await core.db.admin.open_draft(user.id) if admin else None
    if draft is None:
        await reply(message, ui._("Nothing to cancel."))
        return
    await draft_actions.cancel(core, draft, admin_id=user.id)
    await reply(message, ui._("Cancelled."))


async def decide(update: Update, context: Context) -> None:
    """Confirm or cancel a draft from its preview's buttons."""
    query, user = update.callback_query, update.effective_user
    button = tapped(update, DraftDecision)
    if query is None or user is None or button is None:
        return
    core = context.core
    ui, admin = await _admin_ui(update, context)
    if not admin:
        await answer(query, ui._(REFUSAL), alert=True)
        return
    draft = await core.db.admin.draft(button.draft)
    if draft is None or draft.step != "preview":
        await answer(query, ui._("This draft no longer exists."))
        return
    if draft.author_id != user.id:
        # Another admin's draft (a preview forwarded, or its button data forged): only
        # its author confirms or cancels it.
        await answer(query, ui._(NOT_YOURS), alert=True)
        return
    if isinstance(button, DraftConfirm):
        published = await draft_actions.publish(core, draft, admin_id=user.id)
        handled = published is not None
        note = (
            texts.published(ui, draft.kind, published.topics, published.queued)
            if published
            else ui._("Already handled.")
        )
    else:
        handled = await draft_actions.cancel(core, draft, admin_id=user.id)
        note = ui._("Cancelled.") if handled else ui._("Already handled.")
    # Edit and tell first, answer the tap last: once the spinner stops, all is done.
    if handled:
        await query.edit_message_reply_markup(None)
        if query.message is not None:
            await send(context.bot, query.message.chat.id, note)
    await answer(query, note)
