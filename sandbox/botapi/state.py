"""What the sandbox Bot API knows: chats, users, messages, files and the queue of updates.

One ``SandboxState`` is shared by the methods (which read and change it on the bot's
behalf), the user-side controls (which change it on the users' behalf) and the server
(which tells waiters when it changed). It holds no HTTP and no Bot API parameter rules
beyond finding the chat a call names.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.botapi.errors import APIError, bad_request
from sandbox.botapi.params import chat_ref

__all__ = [
    "ChangeSignal",
    "Chat",
    "SandboxState",
    "SentMessage",
    "StoredFile",
    "StoredMessage",
    "UpdateQueue",
]


@dataclass(slots=True)
class SentMessage:
    """One message the bot sent successfully, as a test wants to inspect it."""

    message_id: int
    chat_id: int
    text: str | None  # the text, or the caption of a photo or document, as sent
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    disable_notification: bool
    link_preview_options: dict[str, Any] | None
    message_thread_id: int | None
    kind: str  # "message", "photo" or "document"
    content: bytes | None = None  # uploaded bytes of a photo or document
    edits: list[str] = field(default_factory=list)  # texts given to editMessageText, in order
    allow_paid_broadcast: bool = False
    visible_text: str = ""  # text with the HTML markup parsed out
    entities: list[dict[str, Any]] = field(default_factory=list)
    file_name: str | None = None
    mime_type: str | None = None
    deleted: bool = False
    sent_at: float = 0.0  # on the sandbox's monotonic clock, for benchmarks


@dataclass(slots=True)
class Chat:
    """A chat as the sandbox keeps it; ``as_dict`` is the Bot API's Chat object."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    admins: set[int] = field(default_factory=set)
    creator_id: int | None = None
    members: set[int] = field(default_factory=set)
    blocked: bool = False  # a private chat whose user blocked the bot
    bot_removed: bool = False  # a group or channel the bot was kicked from or left
    migrated_to: int | None = None
    next_message_id: int = 1

    def as_dict(self) -> dict[str, Any]:
        """Return the chat as the Bot API shows it inside a Message."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.username is not None:
            data["username"] = self.username
        if self.first_name is not None:
            data["first_name"] = self.first_name
        return data

    def take_message_id(self) -> int:
        """Return the next message id of this chat and advance it.

        One sequence per chat, shared by the user's and the bot's messages, as in Telegram.
        """
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass(slots=True)
class StoredFile:
    """A file the bot or a user sent; ``content`` is None for a file sent by URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes | None
    file_name: str | None
    mime_type: str | None

    def as_document(self) -> dict[str, Any]:
        """Return the file as the Bot API's Document object."""
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
        }
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        if self.content is not None:
            data["file_size"] = len(self.content)
        return data


@dataclass(slots=True)
class StoredMessage:
    """A message in a chat, kept so that it can be edited, deleted or have a button pressed."""

    data: dict[str, Any]  # the Message object as the Bot API returns it
    from_bot: bool
    sent: SentMessage | None


class ChangeSignal:
    """Wake every waiter whenever the sandbox's state changes.

    An ``asyncio.Condition`` would need its lock to notify, and the user-side controls that
    change state are synchronous; an event swapped for a fresh one on each change gives the
    same wake-all semantics without a lock.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone waiting in ``wait_until``."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], seconds: float) -> None:
        """Return once predicate() holds, checking it after each change; TimeoutError after."""
        async with asyncio.timeout(seconds):
            while not predicate():
                await self._event.wait()


class UpdateQueue:
    """Updates waiting for getUpdates, numbered in the order they happened."""

    def __init__(self, signal: ChangeSignal) -> None:
        self._signal = signal
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self.history: dict[int, dict[str, Any]] = {}  # every update put, by its id

    def __len__(self) -> int:
        return len(self._updates)

    def put(self, update: dict[str, Any]) -> None:
        """Give the update the next update_id, queue it and wake a long poll."""
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        self.history[update["update_id"]] = update
        self._updates.append(update)
        self._signal.notify()

    def again(self, update_id: int) -> None:
        """Queue an update already delivered once more, under its own id.

        Telegram does so when getUpdates is asked again from an offset that did not
        confirm it (another instance took over polling before the first confirmed it).
        """
        if any(u["update_id"] == update_id for u in self._updates):
            return  # still queued: it comes again anyway
        self._updates.append(self.history[update_id])
        self._updates.sort(key=lambda update: int(update["update_id"]))
        self._signal.notify()

    def take(self, update_id: int) -> None:
        """Drop one update from the queue (a webhook delivered it)."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]
        self._signal.notify()

    def confirm(self, offset: int) -> None:
        """Apply getUpdates' offset: a positive one confirms every update before it.

        A negative offset keeps only the last ``-offset`` updates, as Telegram does.
        """
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def first(self, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` of the oldest updates, leaving them queued."""
        return self._updates[:limit]

    def clear(self) -> None:
        """Drop every pending update."""
        self._updates.clear()


def _file_unique_id(content: bytes | None, fallback: str) -> str:
    if content is None:
        return hashlib.sha256(fallback.encode()).hexdigest()[:16]
    return hashlib.sha256(content).hexdigest()[:16]


class SandboxState:
    """The sandbox's world, and the records of what the bot did in it that tests read."""

    def __init__(self, *, bot_id: int, bot_username: str, bot_first_name: str) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name

        # What tests observe.
        self.sent: list[SentMessage] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}

        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.signal = ChangeSignal()
        self.updates = UpdateQueue(self.signal)
        # The webhook setWebhook set, (url, secret_token or None); None: getUpdates is used.
        self.webhook: tuple[str, str | None] | None = None
        self.closing = False  # set while the server stops, so long polls return at once
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._next_file_number = 1
        self._next_callback_number = 1
        self._open_callbacks: set[str] = set()

    # -- chats and users ----------------------------------------------------------------------

    def known_chat(self, chat_id: int) -> Chat:
        """Return a chat a test set up; KeyError (a test's mistake) when there is none."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise KeyError(f"chat {chat_id} is not known to the sandbox; register_chat() it")
        return chat

    def find_chat(self, ref: int | str) -> Chat:
        """Return the chat a Bot API call names by id or @username, or Telegram's 400."""
        if isinstance(ref, str):
            wanted = ref.removeprefix("@").lower()
            for chat in self.chats.values():
                if chat.username is not None and chat.username.lower() == wanted:
                    return chat
            raise bad_request("chat not found")
        found = self.chats.get(ref)
        if found is None:
            raise bad_request("chat not found")
        return found

    def writable_chat(self, params: dict[str, Any]) -> Chat:
        """Return the chat a message goes to, refusing it the way Telegram does."""
        chat = self.find_chat(chat_ref(params))
        if chat.migrated_to is not None:
            raise APIError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.blocked:
            raise APIError(403, "Forbidden: bot was blocked by the user")
        if chat.bot_removed:
            if chat.type == "channel":
                raise APIError(403, "Forbidden: bot is not a member of the channel chat")
            raise APIError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        return chat

    def bot_user(self) -> dict[str, Any]:
        """Return the bot as the Bot API's User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def user_dict(self, user_id: int) -> dict[str, Any]:
        """Return a User object for any id: the bot, a user seen before, or a placeholder."""
        if user_id == self.bot_id:
            return self.bot_user()
        return self.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User {user_id}",
        }

    def status_in(self, chat: Chat, user_id: int) -> str:
        """Return a user's ChatMember status in a chat."""
        if user_id == chat.creator_id:
            return "creator"
        if user_id in chat.admins:
            return "administrator"
        if user_id == self.bot_id:
            return "left" if chat.bot_removed or chat.blocked else "member"
        if chat.type == "private" and user_id == chat.id:
            return "member"
        return "member" if user_id in chat.members else "left"

    # -- callback queries ---------------------------------------------------------------------

    def open_callback(self) -> str:
        """Return a fresh callback query id that awaits answerCallbackQuery."""
        query_id = f"{self.bot_id}{self._next_callback_number:08d}"
        self._next_callback_number += 1
        self._open_callbacks.add(query_id)
        return query_id

    def close_callback(self, query_id: str | None) -> bool:
        """Mark a callback query answered; False when it was unknown or answered already."""
        if not query_id or query_id not in self._open_callbacks:
            return False
        self._open_callbacks.discard(query_id)
        return True

    # -- files --------------------------------------------------------------------------------

    def store_file(
        self, content: bytes | None, folder: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Keep a file under a new file_id and a download path in ``folder``."""
        number = self._next_file_number
        self._next_file_number += 1
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        file_id = f"SANDBOX-{folder.upper()}-{number}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=_file_unique_id(content, file_id),
            file_path=f"{folder}/file_{number}{suffix}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def file(self, file_id: str) -> StoredFile | None:
        """Return the file with this file_id, if any."""
        return self._files.get(file_id)

    def file_at(self, file_path: str) -> StoredFile | None:
        """Return the file served at this download path, if any."""
        return self._files_by_path.get(file_path)
