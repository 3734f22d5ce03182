"""Chats the bot cannot write to: unknown, blocked, migrated."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest, ChatMigrated, Forbidden

from sandbox import SandboxBotAPI

USER = 42


async def test_unknown_chat(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(777, "hello")


async def test_blocked_chat_is_forbidden(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    sandbox.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hello")
    sandbox.unblock(USER)
    await bot.send_message(USER, "hello")


async def test_migrated_group(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(-5, "group", "Old group")
    sandbox.migrate(-5, -1005)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-5, "hello")
    assert caught.value.new_chat_id == -1005
    message = await bot.send_message(-1005, "hello")
    assert message.chat.type == "supergroup"
    assert message.chat.title == "Old group"
