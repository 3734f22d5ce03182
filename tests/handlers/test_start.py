"""Taps nobody takes: forged or retired button data gets a short answer, never the error
handler."""

from __future__ import annotations

import logging

import pytest
from telegram import CallbackQuery, Update, User
from telegram.ext import CallbackQueryHandler

from bot.app import OutpostApp
from sandbox import SandboxBotAPI
from tests.helpers.buttons import SENT_BEFORE
from tests.helpers.chat import ALICE, say
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
