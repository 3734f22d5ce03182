"""getMe, getUpdates, commands, chats and the other methods about the bot."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import telegram
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    MenuButtonCommands,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Conflict

from sandbox import SandboxBotAPI

USER = 42
GROUP = -1001


async def test_get_me_through_ptb(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    me = await bot.get_me()
    assert me.id == sandbox.bot_id
    assert me.username == sandbox.bot_username
    assert me.is_bot
    assert sandbox.calls[0][0] == "getMe"


async def test_set_my_commands_per_scope_and_language(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands(
        [BotCommand("start", "Начать")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="ru",
    )
    assert sandbox.commands[("default", "")] == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert sandbox.commands[("all_private_chats", "ru")] == [
        {"command": "start", "description": "Начать"}
    ]
    russian = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="ru")
    assert russian == (BotCommand("start", "Начать"),)
    assert await bot.get_my_commands(language_code="be") == ()

    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "Uppercase is invalid")])

    assert await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="ru")
    assert ("all_private_chats", "ru") not in sandbox.commands


async def test_chat_info_members_and_misc_methods(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(GROUP, "supergroup", "Watchers", admins=[7, sandbox.bot_id], creator_id=1)
    sandbox.register_chat(USER, first_name="Ales")
    chat = await bot.get_chat(GROUP)
    assert (chat.id, chat.type, chat.title) == (GROUP, "supergroup", "Watchers")
    private = await bot.get_chat(USER)
    assert private.first_name == "Ales"

    assert (await bot.get_chat_member(GROUP, 7)).status == "administrator"
    assert (await bot.get_chat_member(GROUP, 1)).status == "creator"
    assert (await bot.get_chat_member(GROUP, sandbox.bot_id)).status == "administrator"
    assert (await bot.get_chat_member(GROUP, 99)).status == "left"
    admins = await bot.get_chat_administrators(GROUP)
    assert sorted(member.user.id for member in admins) == sorted([1, 7, sandbox.bot_id])
    sandbox.set_admins(GROUP, [8])
    assert [m.user.id for m in await bot.get_chat_administrators(GROUP)] == [1, 8]
    with pytest.raises(BadRequest, match=r"(?i)no administrators in the private chat"):
        await bot.get_chat_administrators(USER)

    assert await bot.send_chat_action(USER, ChatAction.TYPING)
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert sandbox.menu_buttons[None] == {"type": "commands"}
    assert await bot.delete_webhook()
    info = await bot.get_webhook_info()
    assert info.url == ""
    assert await bot.log_out()
    assert await bot.close()


async def test_get_updates_long_poll_wakes_on_push(
    http: httpx.AsyncClient, sandbox: SandboxBotAPI
) -> None:
    poll = asyncio.create_task(http.post("getUpdates", data={"timeout": "30"}))
    await asyncio.sleep(0.05)
    assert not poll.done()
    pushed = sandbox.push_message(chat_id=USER, text="hello")
    # The poll asked to wait 30 s; it must come back long before, woken by the push.
    response = await asyncio.wait_for(poll, 10)
    updates = response.json()["result"]
    assert [u["message"]["message_id"] for u in updates] == [pushed["message_id"]]

    # Pending updates come back at once; asking from an offset confirms earlier ones.
    again = await http.post("getUpdates", data={"timeout": "10"})
    assert again.json()["result"] == updates
    confirmed = await http.post(
        "getUpdates", data={"offset": str(updates[-1]["update_id"] + 1), "timeout": "0"}
    )
    assert confirmed.json()["result"] == []
    assert sandbox.pending_updates == 0


async def test_get_updates_limit_and_empty_timeout(
    http: httpx.AsyncClient, sandbox: SandboxBotAPI
) -> None:
    for n in range(3):
        sandbox.push_message(chat_id=USER, text=f"m{n}")
    limited = await http.post("getUpdates", data={"limit": "2"})
    assert [u["message"]["text"] for u in limited.json()["result"]] == ["m0", "m1"]
    await http.post("getUpdates", data={"offset": "4"})
    empty = await http.post("getUpdates", data={"timeout": "0.1"})
    assert empty.json() == {"ok": True, "result": []}


async def test_a_webhook_is_set_checked_and_deleted_as_telegram_does(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    for url in ("http://bot.example.org/hook", "https://bot.example.org:9000/hook"):
        with pytest.raises(BadRequest, match=r"(?i)bad webhook"):
            await bot.set_webhook(url)
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("https://bot.example.org/hook", secret_token="no spaces")
    assert sandbox.webhook is None

    assert await bot.set_webhook("https://bot.example.org/hook", secret_token="s3cret")
    assert sandbox.webhook == ("https://bot.example.org/hook", "s3cret")
    assert (await bot.get_webhook_info()).url == "https://bot.example.org/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()

    sandbox.push_message(chat_id=USER, text="hello")
    update_id = sandbox.queued_updates[0]["update_id"]
    assert await bot.delete_webhook()
    assert sandbox.webhook is None
    [update] = await bot.get_updates()
    assert update.update_id == update_id
    # Asked again from an offset that did not confirm it, Telegram sends it again.
    sandbox.redeliver(update_id)
    assert [u.update_id for u in await bot.get_updates()] == [update_id]
    assert [u.update_id for u in await bot.get_updates(offset=update_id + 1)] == []
