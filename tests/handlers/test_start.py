"""/start: a welcome in two lines with the topics as buttons; and taps nobody takes (forged
or retired button data) get a short answer, never the error handler."""

from __future__ import annotations

import logging

import pytest
from telegram import CallbackQuery, Update, User
from telegram.ext import CallbackQueryHandler

from bot.app import OutpostApp
from bot.matching import default_catalog
from bot.ui.callbacks import TopicToggle, decode
from sandbox import SandboxBotAPI
from tests.helpers.buttons import SENT_BEFORE
from tests.helpers.chat import ALICE, say, tap
from tests.helpers.settings import ADMIN_ID

FORGED = [
    "set:pl:rg:²",  # once int("²") in the settings handler: a ValueError
    "set:dl:z:٣",  # an Arabic-Indic three, which int() took for a zone's index
    "lt:*:²",  # the same in /latest's paging
    "pd:²:next",  # and in the /post conversation
    "dr:99999999999999999999:ok",  # once an integer too big for SQLite
    "set:nothing",
    "x" * 64,
    "",  # Telegram sends 1-64 bytes; PTB routes empty data to any handler with a pattern
]


@pytest.mark.parametrize("data", FORGED, ids=range(len(FORGED)))
async def test_forged_taps_get_a_short_answer_not_an_error(
    sandbox: SandboxBotAPI, outpost: OutpostApp, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    await say(sandbox, ALICE, "/settings")
    menu = sandbox.last_to(ALICE)
    answers = len(sandbox.callback_answers)
    with caplog.at_level(logging.ERROR):
        sandbox.push_callback(chat_id=ALICE, user_id=ALICE, message_id=menu.message_id, data=data)
        await sandbox.wait_for(lambda: len(sandbox.callback_answers) > answers)
    assert sandbox.callback_answers[-1].get("text") == "This button no longer works."
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert sandbox.last_to(ALICE).message_id == menu.message_id  # no apology sent
    assert sandbox.messages_to(ADMIN_ID) == []  # no error notice


# PTB hands empty data to every handler with a pattern; the first, stale_button, answers it.
TAKEN_ONCE = [*SENT_BEFORE, *(data for data in FORGED if data)]


def test_each_tap_has_exactly_one_handler(outpost: OutpostApp) -> None:
    taps = [
        handler
        for group in outpost.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler)
    ]
    for data in TAKEN_ONCE:
        query = CallbackQuery("1", User(ALICE, "A", is_bot=False), "1", data=data)
        update = Update(1, callback_query=query)
        takers = [handler for handler in taps if handler.check_update(update)]
        assert len(takers) == 1, data


async def test_start_welcomes_in_two_lines_with_the_topics_as_buttons(
    sandbox: SandboxBotAPI, outpost: OutpostApp
) -> None:
    chat = 6100
    sandbox.push_message(chat_id=chat, text="/start", language_code="be")
    welcome = (await sandbox.wait_for_messages(chat, 1))[-1]
    text = welcome.text or ""
    what, how = text.split("\n\n")  # what Outpost does; how to start
    assert "Outpost" in what and "Беларусі" in what
    assert "/help" in how
    assert "/topics –" not in text and "/near" not in text  # the commands stay in /help
    assert welcome.reply_markup is not None
    buttons = [b for row in welcome.reply_markup["inline_keyboard"] for b in row]
    catalog = default_catalog()
    assert [decode(b["callback_data"]) for b in buttons] == [
        TopicToggle(name) for name in catalog.names()
    ]
    assert buttons[0]["text"] == f"▫️ {catalog.topic('drills').emoji} Вучэнні"
    await tap(sandbox, chat, TopicToggle("drills"))
    assert await outpost.bot_data.core.db.chats.topics_of(chat) == {"drills"}
    ticked = sandbox.messages_to(chat)[0].reply_markup
    assert ticked is not None
    assert ticked["inline_keyboard"][0][0]["text"].startswith("✅")
    sandbox.push_message(chat_id=chat, text="/help", language_code="be")
    full = (await sandbox.wait_for_messages(chat, 2))[-1]
    assert "/topics –" in (full.text or "") and "/near" in (full.text or "")


async def test_deep_link_welcome_says_the_topic_and_ticks_it(
    sandbox: SandboxBotAPI, outpost: OutpostApp
) -> None:
    chat = 6200
    sandbox.push_message(chat_id=chat, text="/start mobilization", language_code="uk")
    welcome = (await sandbox.wait_for_messages(chat, 1))[-1]
    label = default_catalog().topic("mobilization").display_name("uk")
    assert label in (welcome.text or "")
    assert len((welcome.text or "").split("\n\n")) == 2
    assert welcome.reply_markup is not None
    ticked = [
        decode(b["callback_data"])
        for row in welcome.reply_markup["inline_keyboard"]
        for b in row
        if b["text"].startswith("✅")
    ]
    assert ticked == [TopicToggle("mobilization")]
