"""The user's side: pushed messages, waiting, and round trips through a PTB Application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from sandbox import SandboxBotAPI
from tests.helpers.botapi import build_application, polling

USER = 42
GROUP = -1001


async def test_push_message_adds_bot_command_entity(sandbox: SandboxBotAPI) -> None:
    message = sandbox.push_message(chat_id=USER, text="/subscribe@outpost_sandbox_bot now")
    command = "/subscribe@outpost_sandbox_bot"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": len(command)}]
    assert message["from"]["id"] == USER
    assert message["chat"] == {"id": USER, "type": "private", "first_name": "Test"}
    plain = sandbox.push_message(chat_id=USER, text="no command")
    assert "entities" not in plain
    assert plain["message_id"] == message["message_id"] + 1
    with pytest.raises(ValueError, match="user_id"):
        sandbox.push_message(chat_id=GROUP, text="hi", chat_type="group")


async def test_wait_for_times_out_with_a_helpful_message(sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    with pytest.raises(TimeoutError, match="expected 1 message"):
        await sandbox.wait_for_messages(USER, timeout=0.05)
    with pytest.raises(TimeoutError, match="0 message"):
        await sandbox.wait_for(lambda: False, timeout=0.05)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    assert update.effective_user is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Subscribe", callback_data="sub")]])
    await update.effective_message.reply_html(
        f"<b>Hello</b>, {update.effective_user.first_name}!", reply_markup=keyboard
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"pressed {query.data}")
    await query.edit_message_text("Subscribed ✅")


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    file = await message.document.get_file()
    data = await file.download_as_bytearray()
    await message.reply_text(f"got {len(data)} bytes: {data.decode()}")


@pytest.fixture
async def running_app(sandbox: SandboxBotAPI) -> AsyncIterator[Any]:
    app = build_application(sandbox)
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(MessageHandler(filters.Document.ALL, _document))
    async with polling(app) as running:
        yield running


async def test_polling_command_round_trip(running_app: Any, sandbox: SandboxBotAPI) -> None:
    sandbox.push_message(chat_id=USER, text="/start", first_name="Ales")
    [reply] = await sandbox.wait_for_messages(USER, timeout=5)
    assert reply.visible_text == "Hello, Ales!"
    assert reply.parse_mode == "HTML"

    # In a group the command may name the bot.
    sandbox.push_message(
        chat_id=GROUP, user_id=7, chat_type="supergroup", text="/start@outpost_sandbox_bot"
    )
    [group_reply] = await sandbox.wait_for_messages(GROUP, timeout=5)
    assert group_reply.visible_text == "Hello, Test!"


async def test_polling_callback_round_trip(running_app: Any, sandbox: SandboxBotAPI) -> None:
    sandbox.push_message(chat_id=USER, text="/start")
    [reply] = await sandbox.wait_for_messages(USER, timeout=5)
    query_id = sandbox.push_callback(
        chat_id=USER, user_id=USER, message_id=reply.message_id, data="sub"
    )
    await sandbox.wait_for(lambda: bool(sandbox.last_to(USER).edits), timeout=5)
    assert sandbox.callback_answers == [
        {
            "callback_query_id": query_id,
            "text": "pressed sub",
            "show_alert": False,
            "url": None,
            "cache_time": None,
        }
    ]
    assert sandbox.last_to(USER).edits == ["Subscribed ✅"]
    with pytest.raises(ValueError, match="sent no message"):
        sandbox.push_callback(chat_id=USER, user_id=USER, message_id=999, data="x")


async def test_polling_document_download_round_trip(
    running_app: Any, sandbox: SandboxBotAPI
) -> None:
    sandbox.push_document(
        chat_id=USER,
        user_id=USER,
        file_name="sources.txt",
        content=b"https://example.org/feed",
        mime_type="text/plain",
    )
    [reply] = await sandbox.wait_for_messages(USER, timeout=5)
    assert reply.text == "got 24 bytes: https://example.org/feed"
    assert any(name == "getFile" for name, _ in sandbox.calls)


async def test_a_forwarded_message_names_its_origin(sandbox: SandboxBotAPI) -> None:
    forwarded = sandbox.push_message(chat_id=USER, text="/start", forwarded_from=7)
    assert forwarded["forward_origin"]["type"] == "user"
    assert forwarded["forward_origin"]["sender_user"]["id"] == 7
    assert forwarded["entities"][0]["type"] == "bot_command"  # forwarded as written


async def test_an_edit_queues_an_edited_message(sandbox: SandboxBotAPI) -> None:
    sent = sandbox.push_message(chat_id=USER, text="/broadcast one")
    edited = sandbox.edit_message(chat_id=USER, message_id=sent["message_id"], text="plain now")
    assert edited["message_id"] == sent["message_id"]
    assert edited["text"] == "plain now"
    assert "entities" not in edited
    assert "edit_date" in edited
    with pytest.raises(ValueError, match="no message"):
        sandbox.edit_message(chat_id=USER, message_id=999, text="x")


async def test_a_deleted_chat_is_not_found(sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(GROUP, "supergroup", "Gone soon")
    sandbox.delete_chat(GROUP)
    app = build_application(sandbox)
    async with polling(app):
        with pytest.raises(BadRequest, match="Chat not found"):
            await app.bot.send_message(GROUP, "hello?")
    assert ("sendMessage", 400, "Bad Request: chat not found") in sandbox.errors_returned
