"""The front door: what every update passes before any handler sees it.

Two layers, each where it is cheapest:

- `ChatOrderedProcessor`, PTB's update processor: updates of one chat are handled in the
  order they came, different chats at the same time, so a reply that waits for its chat's
  turn (Telegram allows about one message a second in a chat) holds up no one else. The
  per-user command budget (`bot.runtime.flood`) is charged here, before any lock or handler:
  past it the user gets one "slow down" and is then ignored for a while.
- `screen`, the first handler of all (group `SCREEN_GROUP`): an edited message never runs
  anything again (editing an old /broadcast must not open a second draft), a forwarded
  message never runs a command, a command addressed to another bot (/start@other_bot) is
  not ours to answer, and a message whose text cannot be read (a lone surrogate) or whose
  command argument is longer than that command takes is answered with what to do instead.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable
from typing import Any, Final

from telegram import Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseUpdateProcessor

from bot.context import Context
from bot.runtime.clock import Clock
from bot.runtime.flood import CommandBudget, Verdict
from bot.ui.i18n import N_, pick_language, translator
from handlers.common import answer, has_lone_surrogate, reply, ui_of

log = logging.getLogger(__name__)

SCREEN_GROUP: Final = -1000  # before every other handler group
# The longest argument a command takes, in characters; a manual update is a whole message.
MAX_ARGUMENT_CHARS: Final = 1000
ARGUMENT_LIMITS: Final = {"post": 4000, "broadcast": 4000, "addsource": 2100}

SLOW_DOWN = N_("Slow down, please: too many commands at once. I will answer again shortly.")
UNREADABLE = N_(
    "Some characters of that message cannot be read (half of an emoji?). Please send it again."
)
TOO_LONG = N_("That is too long for /{command}: at most {n} characters after the command.")


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Handle each chat's updates in order and different chats at once; stop floods first."""

    def __init__(
        self, budget: CommandBudget, clock: Clock, *, max_concurrent_updates: int = 256
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._budget = budget
        self._clock = clock
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat -> (lock, users)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Charge the sender's budget, then handle the update in its chat's turn."""
        key: int | None = None
        if isinstance(update, Update):
            user, chat = update.effective_user, update.effective_chat
            if user is not None:
                verdict = self._budget.charge(user.id, self._clock.now().timestamp())
                if verdict is not Verdict.ADMIT:
                    _drop(coroutine)
                    if verdict is Verdict.IGNORE:
                        return
                    coroutine = _slow_down(update)  # after the answers it is owed, in turn
            key = chat.id if chat is not None else user.id if user is not None else None
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def _drop(coroutine: Awaitable[Any]) -> None:
    """Discard an update's processing that will never run (without a "never awaited")."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()


async def _slow_down(update: Update) -> None:
    """Tell a flooding user, once, to slow down (in their Telegram language)."""
    user = update.effective_user
    tr = translator(pick_language(user.language_code if user else None))
    try:
        if update.callback_query is not None:
            await answer(update.callback_query, tr.gettext(SLOW_DOWN))
        elif update.effective_message is not None:
            await reply(update.effective_message, tr.gettext(SLOW_DOWN))
    except TelegramError as exc:
        log.info("could not ask user %s to slow down: %s", user.id if user else "?", exc)


def _command(message: Message) -> tuple[str, str | None, int] | None:
    """Return a message's leading command, the bot it names (/cmd@bot) and the length of
    what follows it, if the message starts with a command."""
    entities = message.entities or ()
    first = entities[0] if entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    written = message.parse_entity(first)
    name, _, bot = written[1:].partition("@")
    return name.lower(), bot or None, len(message.text or "") - len(written)


async def screen(update: Update, context: Context) -> None:
    """Stop what must not reach any handler; answer what is wrong with an unreadable one."""
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop  # an edit never runs a command or a conversation step
    message = update.message or update.channel_post
    if message is None:
        return
    document = message.document.file_name if message.document else None
    if any(has_lone_surrogate(text) for text in (message.text, message.caption, document)):
        # Nothing can encode it (not even PTB, to find the command): say so, where the
        # message was for the bot, and run nothing.
        if message.chat.type == "private" or (message.text or "").startswith("/"):
            ui = await ui_of(update, context)
            await reply(message, ui._(UNREADABLE))
        raise ApplicationHandlerStop
    command = _command(message) if message.text else None
    if command is not None:
        name, addressed, _ = command
        if message.forward_origin is not None:
            log.debug("ignored a forwarded /%s in chat %d", name, message.chat.id)
            raise ApplicationHandlerStop
        if addressed is not None and addressed.lower() != (context.bot.username or "").lower():
            raise ApplicationHandlerStop  # for another bot in the group
    if command is not None:
        name, _, length = command
        limit = ARGUMENT_LIMITS.get(name, MAX_ARGUMENT_CHARS)
        if length > limit:
            ui = await ui_of(update, context)
            await reply(message, ui._(TOO_LONG).format(command=name[:32], n=limit))
            raise ApplicationHandlerStop
