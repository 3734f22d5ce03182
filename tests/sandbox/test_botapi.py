"""The sandbox Bot API, driven by the real python-telegram-bot stack and by raw HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import telegram
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MenuButtonCommands,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from sandbox import RateLimits, SandboxBotAPI
from tests.helpers.botapi import build_application, polling

USER = 42
GROUP = -1001


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without it PTB 22 warns on RetryAfter.retry_after, and warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxBotAPI]:
    server = SandboxBotAPI()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def bot(sandbox: SandboxBotAPI) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(
        sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    )
    async with client:
        yield client


@pytest.fixture
async def http(sandbox: SandboxBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{sandbox.base_url}{sandbox.token}/") as client:
        yield client


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- protocol -------------------------------------------------------------------------------


async def test_get_me_through_ptb(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    me = await bot.get_me()
    assert me.id == sandbox.bot_id
    assert me.username == sandbox.bot_username
    assert me.is_bot
    assert sandbox.calls[0][0] == "getMe"


async def test_wrong_token_is_unauthorized(sandbox: SandboxBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{sandbox.base_url}999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    wrong = telegram.Bot("999:WRONG", base_url=sandbox.base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    await wrong.shutdown()


async def test_unknown_method_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.post("sendTelepathy", data={"chat_id": "1"})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive_and_get_with_query_works(
    http: httpx.AsyncClient, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(USER)
    response = await http.get("SENDMESSAGE", params={"chat_id": USER, "text": "hi"})
    assert response.status_code == 200
    assert response.json()["result"]["text"] == "hi"
    assert sandbox.calls[-1][0] == "sendMessage"


async def test_json_body_is_accepted(http: httpx.AsyncClient, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    response = await http.post(
        "sendMessage",
        json={"chat_id": USER, "text": "<b>x</b>", "parse_mode": "html", "reply_markup": markup},
    )
    assert response.status_code == 200, response.text
    sent = sandbox.last_to(USER)
    assert sent.reply_markup == markup
    assert sent.visible_text == "x"
    assert sent.parse_mode == "html"


@pytest.mark.parametrize(
    ("data", "description"),
    [
        ({"text": "hi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": "abc", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": str(USER)}, "Bad Request: message text is empty"),
        (
            {"chat_id": str(USER), "text": "hi", "reply_markup": "{not json"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {"chat_id": str(USER), "text": "hi", "link_preview_options": "[1"},
            "Bad Request: can't parse link preview options JSON object",
        ),
        (
            {"chat_id": str(USER), "text": "hi", "message_thread_id": "x"},
            "Bad Request: invalid message_thread_id specified",
        ),
        (
            {"chat_id": str(USER), "text": "hi", "parse_mode": "BBCode"},
            "Bad Request: unsupported parse_mode",
        ),
        (
            {
                "chat_id": str(USER),
                "text": "hi",
                "reply_markup": json.dumps({"inline_keyboard": [[{"text": "no action"}]]}),
            },
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {
                "chat_id": str(USER),
                "text": "hi",
                "reply_markup": json.dumps(
                    {"inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]}
                ),
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
    ],
)
async def test_malformed_send_message_gets_telegram_shaped_400(
    http: httpx.AsyncClient, sandbox: SandboxBotAPI, data: dict[str, str], description: str
) -> None:
    sandbox.register_chat(USER)
    response = await http.post("sendMessage", data=data)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error_code": 400, "description": description}
    assert sandbox.sent == []


async def test_malformed_bodies_never_give_500(
    http: httpx.AsyncClient, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(USER)
    bad_json = await http.post(
        "sendMessage", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    not_object = await http.post("sendMessage", json=[1, 2])
    bad_multipart = await http.post(
        "sendMessage",
        content=b"garbage",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    edit = await http.post(
        "editMessageText", data={"chat_id": str(USER), "message_id": "one", "text": "x"}
    )
    for response in (bad_json, not_object, bad_multipart, edit):
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["ok"] is False
        assert body["error_code"] == 400
        assert body["description"].startswith("Bad Request: ")


async def test_token_is_never_logged_or_recorded(
    bot: telegram.Bot, sandbox: SandboxBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox.register_chat(USER)
    await bot.send_message(USER, "hello")
    with pytest.raises(BadRequest):
        await bot.send_message(USER, "<b>", parse_mode=ParseMode.HTML)
    # httpx logs request URLs (token included) at INFO; only the sandbox's own records count.
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("sandbox")]
    assert any("sendMessage" in line for line in ours)
    assert not any(sandbox.token in line for line in ours)
    assert sandbox.token not in repr(sandbox.calls)
    assert sandbox.token not in repr(sandbox.errors_returned)


# -- sending --------------------------------------------------------------------------------


async def test_send_message_html_records_and_returns_a_ptb_message(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(USER)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Mute", callback_data="mute:1")]])
    message = await bot.send_message(
        USER,
        '<b>Alert</b> &amp; <a href="https://example.org/?a=1&amp;b=2">link</a>',
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        disable_notification=True,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        allow_paid_broadcast=True,
    )
    assert message.text == "Alert & link"
    assert message.from_user is not None
    assert message.from_user.id == sandbox.bot_id
    assert message.chat.id == USER
    assert message.reply_markup == markup
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 5),
        ("text_link", 8, 4),
    ]
    assert message.entities[1].url == "https://example.org/?a=1&b=2"
    assert message.text_html == '<b>Alert</b> &amp; <a href="https://example.org/?a=1&b=2">link</a>'

    sent = sandbox.last_to(USER)
    assert sent.message_id == message.message_id
    assert sent.kind == "message"
    assert sent.text is not None
    assert sent.text.startswith("<b>Alert</b>")
    assert sent.parse_mode == "HTML"
    assert sent.reply_markup == markup.to_dict()
    assert sent.disable_notification is True
    assert sent.allow_paid_broadcast is True
    assert sent.link_preview_options == {"is_disabled": True}
    assert sent.visible_text == "Alert & link"


async def test_message_ids_increment_per_chat(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    sandbox.register_chat(GROUP, "supergroup", "Watchers")
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (USER, USER, GROUP, USER)]
    assert ids == [1, 2, 1, 3]
    group_message = sandbox.last_to(GROUP)
    assert group_message.message_id == 1
    assert [m.message_id for m in sandbox.messages_to(USER)] == [1, 2, 3]


async def test_invalid_html_is_refused_like_telegram(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(USER)
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(USER, "Alert <script>x</script>", parse_mode=ParseMode.HTML)
    assert "can't parse entities" in caught.value.message.lower()
    assert sandbox.errors_returned[-1] == (
        "sendMessage",
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "script" at byte offset 6',
    )
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "a < b", parse_mode="html")
    assert sandbox.sent == []
    # Without parse_mode the same text is fine.
    await bot.send_message(USER, "a < b")
    assert sandbox.last_to(USER).visible_text == "a < b"


async def test_length_is_counted_in_utf16_after_parsing(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(USER)
    await bot.send_message(USER, "😀" * 2048)  # 4096 UTF-16 code units
    await bot.send_message(USER, "<b>" + "&amp;" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "😀" * 2048 + "x")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode=ParseMode.HTML)
    assert len(sandbox.sent) == 2


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


async def test_fail_next_retry_after(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    sandbox.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hello")
    assert caught.value.retry_after == timedelta(seconds=7)
    await bot.send_message(USER, "hello")  # only the next call failed
    assert sandbox.stats.http_429 == 1
    assert len(sandbox.sent) == 1


async def test_fail_next_for_one_chat_and_several_times(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(USER)
    sandbox.register_chat(USER + 1)
    sandbox.fail_next(
        "SENDMESSAGE",
        error_code=403,
        description="Forbidden: user is deactivated",
        chat_id=USER + 1,
        count=2,
    )
    await bot.send_message(USER, "fine")
    for _ in range(2):
        with pytest.raises(Forbidden, match="user is deactivated"):
            await bot.send_message(USER + 1, "nope")
    await bot.send_message(USER + 1, "fine now")
    assert [m.chat_id for m in sandbox.sent] == [USER, USER + 1]


async def test_fail_next_migration(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(GROUP, "supergroup")
    sandbox.fail_next(
        "sendMessage",
        error_code=400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-2002,
    )
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(GROUP, "x")
    assert caught.value.new_chat_id == -2002


async def test_random_429_is_reproducible(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    sandbox.random_429 = 1.0
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "x")
    sandbox.random_429 = 0.0
    await bot.send_message(USER, "x")

    outcomes = []
    for _ in range(2):
        seeded = SandboxBotAPI(rng=random.Random(7))  # noqa: S311 - reproducible, not secret
        seeded.random_429 = 0.5
        await seeded.start()
        seeded.register_chat(USER)
        try:
            async with httpx.AsyncClient(base_url=f"{seeded.base_url}{seeded.token}/") as client:
                codes = [
                    (
                        await client.post("sendMessage", data={"chat_id": USER, "text": "x"})
                    ).status_code
                    for _ in range(12)
                ]
        finally:
            await seeded.stop()
        outcomes.append(codes)
        assert seeded.stats.http_429 == codes.count(429)
    assert outcomes[0] == outcomes[1]
    assert {200, 429} == set(outcomes[0])


# -- rate limits ------------------------------------------------------------------------------


async def test_private_chat_rate_limit_with_fake_clock() -> None:
    clock = FakeClock()
    sandbox = SandboxBotAPI(limits=RateLimits(), monotonic=clock)
    await sandbox.start()
    try:
        sandbox.register_chat(USER)
        sandbox.register_chat(USER + 1)
        async with telegram.Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            await bot.send_message(USER, "1")
            await bot.send_message(USER + 1, "other chat is independent")
            clock.now += 0.5
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(USER, "2")
            assert caught.value.retry_after == timedelta(seconds=1)
            clock.now += 0.5
            await bot.send_message(USER, "2")
    finally:
        await sandbox.stop()
    assert sandbox.stats.http_429 == 1
    assert sandbox.errors_returned[-1] == (
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
    )


async def test_group_rate_limit_is_per_minute() -> None:
    clock = FakeClock()
    sandbox = SandboxBotAPI(limits=RateLimits(global_per_s=1000), monotonic=clock)
    await sandbox.start()
    sandbox.register_chat(GROUP, "supergroup")
    try:
        async with httpx.AsyncClient(base_url=f"{sandbox.base_url}{sandbox.token}/") as http:

            async def send() -> httpx.Response:
                return await http.post("sendMessage", data={"chat_id": GROUP, "text": "x"})

            for _ in range(20):
                assert (await send()).status_code == 200
                clock.now += 0.1
            refused = await send()
            assert refused.status_code == 429
            # The first send was 2 s ago, so the window frees up in 58 s.
            assert refused.json()["parameters"] == {"retry_after": 58}
            clock.now += 58
            assert (await send()).status_code == 200
    finally:
        await sandbox.stop()
    assert sandbox.stats.http_429 == 1


async def test_global_rate_limit() -> None:
    clock = FakeClock()
    sandbox = SandboxBotAPI(limits=RateLimits(global_per_s=3, private_per_s=100), monotonic=clock)
    await sandbox.start()
    try:
        async with telegram.Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            for chat in range(1, 5):
                sandbox.register_chat(chat)
            for chat in range(1, 4):
                await bot.send_message(chat, "x")
            with pytest.raises(RetryAfter):
                await bot.send_message(4, "x")
            clock.now += 1
            await bot.send_message(4, "x")
    finally:
        await sandbox.stop()
    assert sandbox.stats.http_429 == 1


async def test_edits_count_against_the_rate_limits() -> None:
    clock = FakeClock()
    sandbox = SandboxBotAPI(limits=RateLimits(global_per_s=3, private_per_s=100), monotonic=clock)
    await sandbox.start()
    try:
        async with telegram.Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            for chat in (1, 2):
                sandbox.register_chat(chat)
            first = await bot.send_message(1, "v1")
            await bot.send_message(2, "x")
            await bot.edit_message_text("v2", chat_id=1, message_id=first.message_id)
            with pytest.raises(RetryAfter):  # the fourth request in a second, an edit or not
                await bot.edit_message_text("v3", chat_id=1, message_id=first.message_id)
            clock.now += 1
            await bot.edit_message_text("v3", chat_id=1, message_id=first.message_id)
    finally:
        await sandbox.stop()
    assert sandbox.stats.http_429 == 1
    assert sandbox.last_to(1).edits == ["v2", "v3"]


# -- editing and other methods ------------------------------------------------------------------


async def test_edit_message_text(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more")]])
    message = await bot.send_message(USER, "<b>v1</b>", parse_mode="HTML", reply_markup=markup)

    edited = await bot.edit_message_text(
        "<i>v2</i>", chat_id=USER, message_id=message.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "v2"
    assert edited.reply_markup is None
    sent = sandbox.last_to(USER)
    assert sent.edits == ["<i>v2</i>"]
    assert sent.text == "<i>v2</i>"
    assert sent.reply_markup is None

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<em>v2</em>", chat_id=USER, message_id=message.message_id, parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.edit_message_text(
            "<b>x", chat_id=USER, message_id=message.message_id, parse_mode="HTML"
        )

    await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=markup)
    assert sandbox.last_to(USER).reply_markup == markup.to_dict()
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=markup)

    assert await bot.delete_message(USER, message.message_id)
    assert sandbox.last_to(USER).deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, message.message_id)


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


async def test_send_photo_and_document_store_bytes(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(USER)
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    photo_message = await bot.send_photo(
        USER, picture, caption="<b>Map</b>", parse_mode=ParseMode.HTML
    )
    assert photo_message.caption == "Map"
    assert photo_message.caption_entities[0].type == "bold"
    photo = sandbox.last_to(USER)
    assert photo.kind == "photo"
    assert photo.content == picture
    assert photo.text == "<b>Map</b>"

    doc_message = await bot.send_document(USER, b"a,b\n1,2\n", filename="report.csv")
    assert doc_message.document is not None
    assert doc_message.document.file_name == "report.csv"
    document = sandbox.last_to(USER)
    assert (document.kind, document.content, document.file_name) == (
        "document",
        b"a,b\n1,2\n",
        "report.csv",
    )

    # The bot's own uploads can be fetched back through getFile.
    photo_file = await bot.get_file(photo_message.photo[-1].file_id)
    assert bytes(await photo_file.download_as_bytearray()) == picture

    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(USER, picture, caption="x" * 1025)


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


# -- updates ------------------------------------------------------------------------------------


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


async def test_stop_ends_a_pending_long_poll(sandbox: SandboxBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(
            client.post(f"{sandbox.base_url}{sandbox.token}/getUpdates", data={"timeout": "30"})
        )
        await asyncio.sleep(0.05)
        await asyncio.wait_for(sandbox.stop(), 5)
        response = await asyncio.wait_for(poll, 5)
    assert response.json() == {"ok": True, "result": []}


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


# -- full round trips through a PTB Application ---------------------------------------------


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


def test_rate_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimits(private_per_s=0)
