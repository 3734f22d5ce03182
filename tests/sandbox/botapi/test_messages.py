"""Sending, editing and deleting messages: HTML, lengths, ids, files."""

from __future__ import annotations

import pytest
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from sandbox import SandboxBotAPI

USER = 42
GROUP = -1001


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
