"""``SandboxBotAPI``: the object a test or the demo holds, and the user's side of the chats.

It puts the sandbox together (state, limits, methods, server) and gives its holder the
controls Telegram's users and Telegram itself would have: set up chats, block the bot,
migrate a group, order faults, send messages, documents and button presses, then wait for
the bot's replies without sleeping and read what it sent.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterable
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from sandbox.botapi.limits import FaultInjector, FloodControl, RateLimits
from sandbox.botapi.messages import MessageMethods
from sandbox.botapi.methods import BotMethods, method_table
from sandbox.botapi.server import BotAPIServer, SandboxStats
from sandbox.botapi.state import Chat, SandboxState, SentMessage, StoredMessage
from sandbox.telegram_html import utf16_length

__all__ = ["SandboxBotAPI"]

_BOT_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_CHAT_TYPES: Final = frozenset({"private", "group", "supergroup", "channel"})


def _set_text(message: dict[str, Any], text: str) -> None:
    """Give a user's message its text, and the command entity Telegram marks at its start."""
    message["text"] = text
    message.pop("entities", None)
    command = _BOT_COMMAND_RE.match(text)
    if command is not None:
        # PTB's CommandHandler only fires on a bot_command entity at offset 0.
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": utf16_length(command.group())}
        ]


class SandboxBotAPI:
    """An in-process fake Telegram Bot API server for python-telegram-bot.

    Start it, point PTB at ``base_url`` and ``base_file_url``, play the users with the
    ``push_*`` controls and read what the bot did in ``sent``, ``calls`` and the other records.
    """

    def __init__(
        self,
        token: str = "123456:SANDBOX-TOKEN",  # noqa: S107 - a fake bot's fake token
        *,
        bot_id: int = 123456,
        bot_username: str = "outpost_sandbox_bot",
        bot_first_name: str = "Outpost Sandbox",
        limits: RateLimits | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        strict_html: bool = True,
    ) -> None:
        self._state = SandboxState(
            bot_id=bot_id, bot_username=bot_username, bot_first_name=bot_first_name
        )
        self._flood = FloodControl(limits, monotonic)
        self._faults = FaultInjector(
            rng if rng is not None else random.Random()  # noqa: S311 - not security
        )
        self._messages = MessageMethods(
            self._state, self._flood, monotonic=monotonic, strict_html=strict_html
        )
        self._server = BotAPIServer(
            token,
            self._state,
            self._faults,
            method_table(BotMethods(self._state), self._messages),
        )

    # -- the bot and settings -------------------------------------------------------------------

    @property
    def token(self) -> str:
        """Return the only token the server accepts."""
        return self._server.token

    @property
    def bot_id(self) -> int:
        """Return the bot's user id."""
        return self._state.bot_id

    @property
    def bot_username(self) -> str:
        """Return the bot's username, without "@"."""
        return self._state.bot_username

    @property
    def bot_first_name(self) -> str:
        """Return the bot's first name."""
        return self._state.bot_first_name

    @property
    def limits(self) -> RateLimits | None:
        """Return the flood limits enforced, or None when sends are never refused for rate."""
        return self._flood.limits

    @property
    def random_429(self) -> float:
        """Return the probability that a send is refused with a 429 (retry after 1 s)."""
        return self._faults.random_429

    @random_429.setter
    def random_429(self, probability: float) -> None:
        self._faults.random_429 = probability

    @property
    def strict_html(self) -> bool:
        """Return whether a bare "&" in HTML text is refused (Telegram keeps it as text)."""
        return self._messages.strict_html

    @strict_html.setter
    def strict_html(self, strict: bool) -> None:
        self._messages.strict_html = strict

    # -- what tests observe ---------------------------------------------------------------------

    @property
    def sent(self) -> list[SentMessage]:
        """Return every message the bot sent successfully, oldest first."""
        return self._state.sent

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Return every call with a known method: its canonical name and decoded parameters."""
        return self._server.calls

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """Return the parameters of every accepted answerCallbackQuery, oldest first."""
        return self._state.callback_answers

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """Return the command lists set, keyed by (scope, language code)."""
        return self._state.commands

    @property
    def menu_buttons(self) -> dict[int | None, dict[str, Any]]:
        """Return the menu buttons set, keyed by chat id (None for the default)."""
        return self._state.menu_buttons

    @property
    def errors_returned(self) -> list[tuple[str, int, str]]:
        """Return every error answer as (method, error code, description), oldest first."""
        return self._server.errors_returned

    @property
    def stats(self) -> SandboxStats:
        """Return the request counters."""
        return self._server.stats

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port; port 0 picks a free one."""
        await self._server.start(host, port)

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once."""
        await self._server.stop()

    async def __aenter__(self) -> SandboxBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        return self._server.port

    @property
    def base_url(self) -> str:
        """Return the URL for PTB's base_url (PTB appends the token and method)."""
        return self._server.base_url

    @property
    def base_file_url(self) -> str:
        """Return the URL for PTB's base_file_url (PTB appends the token and file path)."""
        return self._server.base_file_url

    # -- setting the scene ----------------------------------------------------------------------

    def register_chat(
        self,
        chat_id: int,
        type: str = "private",  # the Bot API's own name for it, shadowing the builtin
        title: str | None = None,
        *,
        username: str | None = None,
        first_name: str | None = None,
        admins: Iterable[int] = (),
        creator_id: int | None = None,
    ) -> None:
        """Make a chat known, so the bot can send to it."""
        if type not in _CHAT_TYPES:
            raise ValueError(f"unknown chat type {type!r}")
        chat = self._state.chats.get(chat_id)
        if chat is None:
            chat = Chat(id=chat_id, type=type)
            self._state.chats[chat_id] = chat
        chat.type = type
        if title is not None:
            chat.title = title
        elif type != "private" and chat.title is None:
            chat.title = f"Chat {chat_id}"
        if username is not None:
            chat.username = username
        if first_name is not None:
            chat.first_name = first_name
        elif type == "private" and chat.first_name is None:
            chat.first_name = "Test"
        chat.admins.update(admins)
        if creator_id is not None:
            chat.creator_id = creator_id
        self._state.signal.notify()

    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], *, creator_id: int | None = None
    ) -> None:
        """Replace a chat's administrators (include bot_id to make the bot one)."""
        chat = self._state.known_chat(chat_id)
        chat.admins = set(user_ids)
        if creator_id is not None:
            chat.creator_id = creator_id
        self._state.signal.notify()

    def block(self, chat_id: int) -> None:
        """Make the user of a private chat block the bot: sends get 403."""
        self._state.known_chat(chat_id).blocked = True
        self._state.signal.notify()

    def unblock(self, chat_id: int) -> None:
        """Undo block()."""
        self._state.known_chat(chat_id).blocked = False
        self._state.signal.notify()

    def delete_chat(self, chat_id: int) -> None:
        """Make a chat disappear (a group deleted, an account gone): calls naming it get
        Telegram's 400 "chat not found"."""
        self._state.known_chat(chat_id)
        del self._state.chats[chat_id]
        self._state.signal.notify()

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """Upgrade a group to a supergroup with a new id: sends to the old id get 400."""
        old = self._state.known_chat(chat_id)
        old.migrated_to = new_chat_id
        if new_chat_id not in self._state.chats:
            self._state.chats[new_chat_id] = Chat(
                id=new_chat_id,
                type="supergroup",
                title=old.title,
                username=old.username,
                admins=set(old.admins),
                creator_id=old.creator_id,
                members=set(old.members),
            )
        self._state.signal.notify()

    def push_migration(self, chat_id: int, new_chat_id: int, *, user_id: int) -> None:
        """Upgrade a group (`migrate`) and queue the two service messages Telegram sends then:
        `migrate_to_chat_id` in the group and `migrate_from_chat_id` in the supergroup."""
        self.migrate(chat_id, new_chat_id)
        user = self._remember_user(user_id, "Test", None, "en")
        old, new = self._state.chats[chat_id], self._state.chats[new_chat_id]
        for chat, field, value in (
            (old, "migrate_to_chat_id", new_chat_id),
            (new, "migrate_from_chat_id", chat_id),
        ):
            message = self._user_message(chat, user, None)
            message[field] = value
            self._store_user_message(chat, message)
            self._state.updates.put({"message": message})

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of a method (optionally for one chat) fail as given."""
        self._faults.fail_next(
            method,
            error_code=error_code,
            description=description,
            retry_after=retry_after,
            migrate_to_chat_id=migrate_to_chat_id,
            chat_id=chat_id,
            count=count,
        )

    # -- the user's side ------------------------------------------------------------------------

    def push_message(
        self,
        *,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        first_name: str = "Test",
        username: str | None = None,
        chat_title: str | None = None,
        message_thread_id: int | None = None,
        forwarded_from: int | None = None,
    ) -> dict[str, Any]:
        """Queue an update with a text message a user sent; return the Message object.

        `forwarded_from` makes it a message the user forwarded from another user (by id):
        its text and entities are the original's, as Telegram forwards them.
        """
        chat, user = self._user_in_chat(
            chat_id,
            user_id,
            chat_type=chat_type,
            chat_title=chat_title,
            language_code=language_code,
            first_name=first_name,
            username=username,
        )
        message = self._user_message(chat, user, message_thread_id)
        _set_text(message, text)
        if forwarded_from is not None:
            origin = self._remember_user(forwarded_from, "Someone", None, language_code)
            message["forward_origin"] = {
                "type": "user",
                "sender_user": origin,
                "date": message["date"],
            }
        self._store_user_message(chat, message)
        self._state.updates.put({"channel_post" if chat.type == "channel" else "message": message})
        return message

    def edit_message(self, *, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """Queue the update a user's edit of their own earlier message makes; return it."""
        stored = self._state.messages.get((chat_id, message_id))
        if stored is None or stored.from_bot:
            raise ValueError(f"no message {message_id} of a user in chat {chat_id}")
        edited: dict[str, Any] = json.loads(json.dumps(stored.data))
        _set_text(edited, text)
        edited["edit_date"] = int(time.time())
        stored.data = edited
        kind = "edited_channel_post" if "sender_chat" in edited else "edited_message"
        self._state.updates.put({kind: edited})
        return edited

    def push_document(
        self,
        *,
        chat_id: int,
        user_id: int,
        file_name: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_type: str = "private",
        language_code: str = "en",
    ) -> dict[str, Any]:
        """Queue an update with a document a user sent; return the Message object."""
        chat, user = self._user_in_chat(
            chat_id,
            user_id,
            chat_type=chat_type,
            chat_title=None,
            language_code=language_code,
            first_name="Test",
            username=None,
        )
        stored = self._state.store_file(content, "documents", file_name, mime_type)
        message = self._user_message(chat, user, None)
        message["document"] = stored.as_document()
        if caption is not None:
            message["caption"] = caption
        self._store_user_message(chat, message)
        self._state.updates.put({"message": message})
        return message

    def push_callback(
        self, *, chat_id: int, user_id: int, message_id: int, data: str, language_code: str = "en"
    ) -> str:
        """Queue a press on an inline button of a message the bot sent; return the query id."""
        stored = self._state.messages.get((chat_id, message_id))
        if stored is None or not stored.from_bot:
            raise ValueError(f"the bot sent no message {message_id} to chat {chat_id}")
        chat = self._state.chats[chat_id]
        user = self._remember_user(user_id, "Test", None, language_code)
        chat.members.add(user_id)
        query_id = self._state.open_callback()
        self._state.updates.put(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": json.loads(json.dumps(stored.data)),
                    "chat_instance": str(chat_id),
                    "data": data,
                }
            }
        )
        return query_id

    def _remember_user(
        self, user_id: int, first_name: str, username: str | None, language_code: str
    ) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if username is not None:
            user["username"] = username
        self._state.users[user_id] = user
        return user

    def _user_in_chat(
        self,
        chat_id: int,
        user_id: int | None,
        *,
        chat_type: str,
        chat_title: str | None,
        language_code: str,
        first_name: str,
        username: str | None,
    ) -> tuple[Chat, dict[str, Any]]:
        if user_id is None:
            if chat_type != "private":
                raise ValueError("user_id is required for a message in a group or channel")
            user_id = chat_id
        if chat_id not in self._state.chats:
            self.register_chat(
                chat_id,
                chat_type,
                chat_title,
                username=username if chat_type == "private" else None,
                first_name=first_name if chat_type == "private" else None,
            )
        chat = self._state.chats[chat_id]
        if chat.type == "private":
            # A user who writes to the bot has unblocked it.
            chat.blocked = False
        user = self._remember_user(user_id, first_name, username, language_code)
        chat.members.add(user_id)
        return chat, user

    def _user_message(
        self, chat: Chat, user: dict[str, Any], message_thread_id: int | None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "date": int(time.time()),
            "chat": chat.as_dict(),
        }
        if chat.type == "channel":
            message["sender_chat"] = chat.as_dict()
        else:
            message["from"] = user
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
            message["is_topic_message"] = True
        return message

    def _store_user_message(self, chat: Chat, message: dict[str, Any]) -> None:
        self._state.messages[(chat.id, message["message_id"])] = StoredMessage(
            data=message, from_bot=False, sent=None
        )

    # -- observing ------------------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Return what the bot sent to a chat, oldest first."""
        return [message for message in self._state.sent if message.chat_id == chat_id]

    def last_to(self, chat_id: int) -> SentMessage:
        """Return the last message the bot sent to a chat."""
        messages = self.messages_to(chat_id)
        if not messages:
            raise LookupError(f"the bot sent nothing to chat {chat_id}")
        return messages[-1]

    @property
    def pending_updates(self) -> int:
        """Return how many updates wait to be fetched with getUpdates."""
        return len(self._state.updates)

    # -- updates delivered twice, and webhooks ---------------------------------------------------

    @property
    def queued_updates(self) -> list[dict[str, Any]]:
        """Return copies of the updates waiting for getUpdates or the webhook, in order."""
        return [
            json.loads(json.dumps(u)) for u in self._state.updates.first(len(self._state.updates))
        ]

    @property
    def all_updates(self) -> list[dict[str, Any]]:
        """Return copies of every update the sandbox made so far, delivered or not, in order."""
        return [json.loads(json.dumps(u)) for _, u in sorted(self._state.updates.history.items())]

    def redeliver(self, update_id: int) -> None:
        """Queue an update the bot already received once more, under its own update_id.

        What Telegram does when getUpdates is next asked from an offset that never confirmed
        it: the instance that read it stopped before confirming, and another polls now.
        """
        self._state.updates.again(update_id)

    @property
    def webhook(self) -> tuple[str, str | None] | None:
        """Return the webhook set with setWebhook, (url, secret token), or None."""
        return self._state.webhook

    async def deliver_webhook(self, via: str) -> list[tuple[int, int]]:
        """POST every queued update to the webhook, in order; return (update_id, status)s.

        `via` is where the webhook URL's host leads (the operator's reverse proxy ends TLS
        and forwards to the bot's listener): http://127.0.0.1:PORT. The URL's path and the
        secret token header are sent as Telegram sends them; an update answered 2xx leaves
        the queue, any other answer keeps it for the next delivery, as Telegram retries.
        """
        if self._state.webhook is None:
            raise RuntimeError("no webhook is set (setWebhook was not called)")
        url, secret = self._state.webhook
        target = via.rstrip("/") + (urlsplit(url).path or "/")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        answers: list[tuple[int, int]] = []
        async with aiohttp.ClientSession() as session:
            for update in self._state.updates.first(len(self._state.updates)):
                body = json.dumps(update).encode()
                async with session.post(target, data=body, headers=headers) as response:
                    answers.append((int(update["update_id"]), response.status))
                    if 200 <= response.status < 300:
                        self._state.updates.take(int(update["update_id"]))
        return answers

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain argument reads best in tests
    ) -> None:
        """Return once predicate() holds; it is re-checked after every sandbox state change."""
        try:
            await self._state.signal.wait_until(predicate, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"condition not met within {timeout:g} s; {self._recent_activity()}"
            ) from None

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 - as in wait_for
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least count messages to a chat; return them all."""
        try:
            await self._state.signal.wait_until(
                lambda: len(self.messages_to(chat_id)) >= count, timeout
            )
        except TimeoutError:
            have = len(self.messages_to(chat_id))
            raise TimeoutError(
                f"expected {count} message(s) to chat {chat_id} within {timeout:g} s, "
                f"got {have}; {self._recent_activity()}"
            ) from None
        return self.messages_to(chat_id)

    def _recent_activity(self) -> str:
        """Describe the last sends and errors, for a timeout's message."""
        sent = self._state.sent
        lines = [f"{len(sent)} message(s) sent in all"]
        for message in sent[-10:]:
            text = (message.text or "").replace("\n", " ")
            if len(text) > 80:
                text = text[:77] + "..."
            lines.append(
                f"  -> chat {message.chat_id} #{message.message_id} {message.kind}: {text!r}"
            )
        errors = self._server.errors_returned
        if errors:
            lines.append("recent errors:")
            lines.extend(
                f"  {method}: {code} {description}" for method, code, description in errors[-5:]
            )
        lines.append(f"{len(self._state.updates)} update(s) not yet fetched")
        return "\n".join(lines)
