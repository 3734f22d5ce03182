"""Talking to the bot as users do: send a message, tap a button, read the buttons.

Each helper drives the sandbox Bot API the way a Telegram client would and waits for the
bot's answer, so a test reads as the conversation it checks.
"""

from __future__ import annotations

from bot.models import Severity
from bot.ui.callbacks import (
    Button,
    DraftKeepPlaces,
    DraftNext,
    DraftNoPlace,
    DraftSeverity,
    DraftStep,
    decode,
)
from sandbox import SandboxBotAPI
from sandbox.botapi import SentMessage

ALICE = 1001
BOB = 1002
YELSK_LINK = "https://news.example.org/2022/10/11/yelsk-drills"


async def say(sandbox: SandboxBotAPI, chat_id: int, text: str, replies: int = 1) -> str:
    """Send a message as a user and return the bot's (last) reply."""
    before = len(sandbox.messages_to(chat_id))
    sandbox.push_message(chat_id=chat_id, text=text)
    messages = await sandbox.wait_for_messages(chat_id, before + replies)
    return messages[-1].text or ""


async def tap(sandbox: SandboxBotAPI, chat_id: int, button: Button | str, replies: int = 0) -> None:
    """Tap a button of the bot's last message that has one with this data."""
    data = button.encode() if isinstance(button, Button) else button
    message = next(
        m
        for m in reversed(sandbox.messages_to(chat_id))
        if m.reply_markup
        and any(
            b["callback_data"] == data for row in m.reply_markup["inline_keyboard"] for b in row
        )
    )
    before = len(sandbox.callback_answers), len(sandbox.messages_to(chat_id))
    sandbox.push_callback(
        chat_id=chat_id, user_id=chat_id, message_id=message.message_id, data=data
    )
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) > before[0])
    await sandbox.wait_for(lambda: len(sandbox.messages_to(chat_id)) >= before[1] + replies)


def last_buttons(sandbox: SandboxBotAPI, chat_id: int) -> list[str]:
    """The callback data of the newest message with buttons."""
    for message in reversed(sandbox.messages_to(chat_id)):
        if message.reply_markup:
            rows = message.reply_markup["inline_keyboard"]
            return [b["callback_data"] for row in rows for b in row]
    return []


async def post_conversation(
    sandbox: SandboxBotAPI, admin: int, command: str, severity: Severity | None = Severity.HIGH
) -> SentMessage:
    """Walk /post TEXT through topics, places and severity (None: as its topics); return
    the preview."""
    await say(sandbox, admin, command)
    step = decode(last_buttons(sandbox, admin)[-1])
    assert isinstance(step, DraftStep)
    draft = step.draft
    await tap(sandbox, admin, DraftNext(draft))
    keep = DraftKeepPlaces(draft)
    await tap(
        sandbox,
        admin,
        keep if keep.encode() in last_buttons(sandbox, admin) else DraftNoPlace(draft),
    )
    await tap(sandbox, admin, DraftSeverity(draft, severity), replies=2)
    return sandbox.messages_to(admin)[-2]
