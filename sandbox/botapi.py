"""A local, in-memory imitation of the Telegram Bot API, served over real HTTP.

``outpost demo`` and the test suite point python-telegram-bot at it with
``ApplicationBuilder().base_url(server.base_url)``, so the real PTB stack (HTTP requests,
JSON decoding, error mapping, long polling) runs unchanged. The server answers the methods
Outpost uses with Bot API-shaped JSON, refuses what Telegram refuses (invalid HTML, long
texts, unknown, blocked or migrated chats, flood limits) with Telegram's error objects, and
lets a test play the user's side: push messages, button presses and documents, then wait for
the bot's replies without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import math
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import BodyPartReader, web

from sandbox.telegram_html import (
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    TelegramHTMLError,
    parse_telegram_html,
    utf16_length,
)

__all__ = [
    "RateLimits",
    "SandboxBotAPI",
    "SandboxStats",
    "SentMessage",
    "UploadedFile",
]

logger = logging.getLogger(__name__)

_MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024  # Telegram's limit for bot uploads
_MAX_CALLBACK_DATA_BYTES: Final = 64
_MAX_COMMANDS: Final = 100
_MAX_UPDATES_PER_CALL: Final = 100
_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_CHAT_TYPES: Final = frozenset({"private", "group", "supergroup", "channel"})
_SEND_METHODS: Final = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Fields of an inline keyboard button that make it do something; a button needs one.
_BUTTON_ACTIONS: Final = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD: Final = "query is too old and response timeout expired or query ID is invalid"
_SHUTDOWN_TIMEOUT_S: Final = 2.0


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Telegram's flood limits for a bot: overall, per private chat and per group or channel."""

    global_per_s: float = 30.0
    private_per_s: float = 1.0
    group_per_min: float = 20.0
    paid_per_s: float = 1000.0  # sends with allow_paid_broadcast, counted apart from the rest

    def __post_init__(self) -> None:
        if min(self.global_per_s, self.private_per_s, self.group_per_min) <= 0:
            raise ValueError("rate limits must be positive")


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
class SandboxStats:
    """Counters a benchmark reads after a run."""

    requests: int = 0
    errors: int = 0
    http_429: int = 0


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart request, as it appears in ``calls``."""

    filename: str | None
    content: bytes
    content_type: str | None


class _APIError(Exception):
    """A Bot API error response: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, int] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters or {}


def _bad_request(reason: str) -> _APIError:
    return _APIError(400, f"Bad Request: {reason}")


def _too_many_requests(retry_after: int) -> _APIError:
    return _APIError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass(slots=True)
class _Fault:
    method: str  # lower-case method name
    error_code: int
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    chat_id: int | None
    remaining: int


@dataclass(frozen=True, slots=True)
class _SendOptions:
    """The parameters every send method shares, checked before anything is recorded."""

    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    disable_notification: bool
    allow_paid_broadcast: bool
    message_thread_id: int | None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> _SendOptions:
        return cls(
            parse_mode=_parse_mode(params),
            reply_markup=_reply_markup(params),
            disable_notification=_bool_param(params, "disable_notification"),
            allow_paid_broadcast=_bool_param(params, "allow_paid_broadcast"),
            message_thread_id=_int_param(params, "message_thread_id"),
        )


@dataclass(slots=True)
class _Chat:
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
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.username is not None:
            data["username"] = self.username
        if self.first_name is not None:
            data["first_name"] = self.first_name
        return data


@dataclass(slots=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes | None
    file_name: str | None
    mime_type: str | None


@dataclass(slots=True)
class _StoredMessage:
    data: dict[str, Any]  # the Message object as the Bot API returns it
    from_bot: bool
    sent: SentMessage | None


class _Window:
    """A sliding-window counter: at most ``capacity`` events in any ``period`` seconds."""

    def __init__(self, capacity: int, period: float) -> None:
        self._capacity = capacity
        self._period = period
        self._stamps: deque[float] = deque()

    @classmethod
    def per_second(cls, rate: float) -> _Window:
        # A rate below one per second becomes one event per 1/rate seconds.
        if rate >= 1:
            return cls(int(rate), 1.0)
        return cls(1, 1.0 / rate)

    def wait_time(self, now: float) -> float:
        while self._stamps and self._stamps[0] <= now - self._period:
            self._stamps.popleft()
        if len(self._stamps) < self._capacity:
            return 0.0
        return self._stamps[0] + self._period - now

    def add(self, now: float) -> None:
        self._stamps.append(now)


class _ChangeSignal:
    """Wake every waiter whenever the sandbox's state changes.

    An ``asyncio.Condition`` would need its lock to notify, and the push_* methods that
    change state are synchronous; an event swapped for a fresh one on each change gives the
    same wake-all semantics without a lock.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], seconds: float) -> None:
        async with asyncio.timeout(seconds):
            while not predicate():
                await self._event.wait()


def _admin_rights() -> dict[str, bool]:
    rights = (
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
        "can_post_messages",
        "can_edit_messages",
        "can_pin_messages",
    )
    return {"can_be_edited": False, "is_anonymous": False, "can_promote_members": False} | {
        right: True for right in rights
    }


def _member_dict(status: str, user: dict[str, Any]) -> dict[str, Any]:
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {"status": "administrator", "user": user, **_admin_rights()}
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    return {"status": status, "user": user}


# -- parameter decoding ---------------------------------------------------------------------


def _text_param(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool | dict | list | UploadedFile):
        raise _bad_request(f"invalid {name} specified")
    return str(value)


def _int_param(params: dict[str, Any], name: str, *, missing: str | None = None) -> int | None:
    """Return an integer parameter; None when absent, unless ``missing`` names the error."""
    value = params.get(name)
    if value is None or value == "":
        if missing is not None:
            raise _bad_request(missing)
        return None
    if isinstance(value, bool):
        raise _bad_request(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise _bad_request(f"invalid {name} specified") from None


def _required_int(params: dict[str, Any], name: str, missing: str) -> int:
    value = _int_param(params, name, missing=missing)
    if value is None:  # pragma: no cover - _int_param raises when the value is missing
        raise _bad_request(missing)
    return value


def _float_param(params: dict[str, Any], name: str) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _bad_request(f"invalid {name} specified")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _bad_request(f"invalid {name} specified") from None
    if not math.isfinite(number):
        raise _bad_request(f"invalid {name} specified")
    return number


def _bool_param(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"true", "1"}:
        return True
    if text in {"false", "0", ""}:
        return False
    raise _bad_request(f"invalid {name} specified")


def _json_param(params: dict[str, Any], name: str, what: str | None = None) -> Any:
    """Return a parameter that PTB sends JSON-encoded inside a form; None when absent."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value  # came in an application/json body, already decoded
    try:
        return json.loads(value)
    except ValueError:
        raise _bad_request(f"can't parse {what or name} JSON object") from None


def _chat_ref(params: dict[str, Any]) -> int | str:
    value = params.get("chat_id")
    if value is None or value == "":
        raise _bad_request("chat_id is empty")
    if isinstance(value, bool):
        raise _bad_request("chat not found")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.startswith("@"):
        return text
    try:
        return int(text)
    except ValueError:
        raise _bad_request("chat not found") from None


def _reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    markup = _json_param(params, "reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return markup  # reply keyboards and ForceReply are stored as given
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in keyboard:
        for button in row:
            _check_button(button)
    return markup


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not _BUTTON_ACTIONS.intersection(button):
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= _MAX_CALLBACK_DATA_BYTES:
        raise _bad_request("BUTTON_DATA_INVALID")


def _parse_mode(params: dict[str, Any], name: str = "parse_mode") -> str | None:
    mode = _text_param(params, name)
    if mode is None or mode == "":
        return None
    if mode.lower() not in {"html", "markdown", "markdownv2"}:
        raise _bad_request("unsupported parse_mode")
    return mode


def _scope_key(params: dict[str, Any]) -> str:
    scope = _json_param(params, "scope", "BotCommandScope")
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise _bad_request("can't parse BotCommandScope JSON object")
    key = str(scope["type"])
    # Chat-specific scopes get their chat (and user) in the key so they don't overwrite
    # each other.
    for extra in ("chat_id", "user_id"):
        if extra in scope:
            key += f":{scope[extra]}"
    return key


def _file_unique_id(content: bytes | None, fallback: str) -> str:
    if content is None:
        return hashlib.sha256(fallback.encode()).hexdigest()[:16]
    return hashlib.sha256(content).hexdigest()[:16]


_Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class SandboxBotAPI:
    """An in-process fake Telegram Bot API server for python-telegram-bot."""

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
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.limits = limits
        self.random_429: float = 0.0  # probability that a send is refused with a 429
        self.strict_html = strict_html  # refuse a bare "&" that Telegram would keep as text
        self._monotonic = monotonic
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - not security

        # What tests observe.
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.errors_returned: list[tuple[str, int, str]] = []
        self.stats = SandboxStats()

        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_file_number = 1
        self._next_callback_number = 1
        self._open_callbacks: set[str] = set()
        self._faults: list[_Fault] = []
        self._global_window: _Window | None = None
        self._paid_window: _Window | None = None
        self._chat_windows: dict[int, _Window] = {}
        if limits is not None:
            self._global_window = _Window.per_second(limits.global_per_s)
            self._paid_window = _Window.per_second(limits.paid_per_s)

        self._signal = _ChangeSignal()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("getUpdates", self._get_updates),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("logOut", self._true),
                ("close", self._true),
                ("sendMessage", self._send_message),
                ("editMessageText", self._edit_message_text),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("answerCallbackQuery", self._answer_callback_query),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("sendPhoto", self._send_photo),
                ("sendDocument", self._send_document),
                ("sendChatAction", self._send_chat_action),
                ("getChat", self._get_chat),
                ("getChatMember", self._get_chat_member),
                ("getChatAdministrators", self._get_chat_administrators),
                ("setChatMenuButton", self._set_chat_menu_button),
                ("getChatMenuButton", self._get_chat_menu_button),
                ("getFile", self._get_file),
            )
        }

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port; port 0 picks a free one."""
        if self._runner is not None:
            raise RuntimeError("SandboxBotAPI is already running")
        app = web.Application(client_max_size=_MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        # No access log: request lines contain the bot token. Handler cancellation ends a
        # long poll whose client went away instead of leaving it parked until its timeout.
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT_S,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._closing = False
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        logger.info("sandbox Bot API listening on %s:%d", host, self._port)

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._signal.notify()
        await runner.cleanup()
        logger.info("sandbox Bot API stopped")

    async def __aenter__(self) -> SandboxBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        if self._port is None:
            raise RuntimeError("SandboxBotAPI is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Return the URL for PTB's base_url (PTB appends the token and method)."""
        return f"http://{self._netloc()}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the URL for PTB's base_file_url (PTB appends the token and file path)."""
        return f"http://{self._netloc()}/file/bot"

    def _netloc(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self.port}"

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
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = _Chat(id=chat_id, type=type)
            self._chats[chat_id] = chat
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
        self._signal.notify()

    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], *, creator_id: int | None = None
    ) -> None:
        """Replace a chat's administrators (include bot_id to make the bot one)."""
        chat = self._known_chat(chat_id)
        chat.admins = set(user_ids)
        if creator_id is not None:
            chat.creator_id = creator_id
        self._signal.notify()

    def block(self, chat_id: int) -> None:
        """Make the user of a private chat block the bot: sends get 403."""
        self._known_chat(chat_id).blocked = True
        self._signal.notify()

    def unblock(self, chat_id: int) -> None:
        """Undo block()."""
        self._known_chat(chat_id).blocked = False
        self._signal.notify()

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """Upgrade a group to a supergroup with a new id: sends to the old id get 400."""
        old = self._known_chat(chat_id)
        old.migrated_to = new_chat_id
        if new_chat_id not in self._chats:
            self._chats[new_chat_id] = _Chat(
                id=new_chat_id,
                type="supergroup",
                title=old.title,
                username=old.username,
                admins=set(old.admins),
                creator_id=old.creator_id,
                members=set(old.members),
            )
        self._signal.notify()

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
        self._faults.append(
            _Fault(
                method=method.lower(),
                error_code=error_code,
                description=description,
                retry_after=retry_after,
                migrate_to_chat_id=migrate_to_chat_id,
                chat_id=chat_id,
                remaining=count,
            )
        )

    # -- the user's side ----------------------------------------------------------------------

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
    ) -> dict[str, Any]:
        """Queue an update with a text message a user sent; return the Message object."""
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
        message["text"] = text
        command = _BOT_COMMAND_RE.match(text)
        if command is not None:
            # PTB's CommandHandler only fires on a bot_command entity at offset 0.
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(command.group())}
            ]
        self._store_user_message(chat, message)
        self._enqueue({"channel_post" if chat.type == "channel" else "message": message})
        return message

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
        stored = self._store_file(content, "documents", file_name, mime_type)
        message = self._user_message(chat, user, None)
        message["document"] = self._document_dict(stored)
        if caption is not None:
            message["caption"] = caption
        self._store_user_message(chat, message)
        self._enqueue({"message": message})
        return message

    def push_callback(
        self, *, chat_id: int, user_id: int, message_id: int, data: str, language_code: str = "en"
    ) -> str:
        """Queue a press on an inline button of a message the bot sent; return the query id."""
        stored = self._messages.get((chat_id, message_id))
        if stored is None or not stored.from_bot:
            raise ValueError(f"the bot sent no message {message_id} to chat {chat_id}")
        chat = self._chats[chat_id]
        user = self._remember_user(user_id, "Test", None, language_code)
        chat.members.add(user_id)
        query_id = f"{self.bot_id}{self._next_callback_number:08d}"
        self._next_callback_number += 1
        self._open_callbacks.add(query_id)
        self._enqueue(
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

    def push_my_chat_member(
        self,
        *,
        chat_id: int,
        user_id: int,
        new_status: str,
        old_status: str = "member",
        chat_type: str = "private",
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """Queue a change of the bot's membership in a chat (e.g. a user blocking the bot).

        In a private chat "kicked" blocks the bot and "member" unblocks it; in a group or
        channel "kicked" or "left" makes sends fail with 403 until it is "member" again.
        """
        if chat_id not in self._chats:
            self.register_chat(chat_id, chat_type, chat_title)
        chat = self._chats[chat_id]
        removed = new_status in {"kicked", "left"}
        if chat.type == "private":
            chat.blocked = removed
        else:
            chat.bot_removed = removed
        user = self._users.get(user_id) or self._remember_user(user_id, "Test", None, "en")
        bot_user = self._bot_user()
        update = {
            "chat": chat.as_dict(),
            "from": user,
            "date": int(time.time()),
            "old_chat_member": _member_dict(old_status, bot_user),
            "new_chat_member": _member_dict(new_status, bot_user),
        }
        self._enqueue({"my_chat_member": update})
        return update

    # -- observing ----------------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Return what the bot sent to a chat, oldest first."""
        return [message for message in self.sent if message.chat_id == chat_id]

    def last_to(self, chat_id: int) -> SentMessage:
        """Return the last message the bot sent to a chat."""
        messages = self.messages_to(chat_id)
        if not messages:
            raise LookupError(f"the bot sent nothing to chat {chat_id}")
        return messages[-1]

    @property
    def pending_updates(self) -> int:
        """Return how many updates wait to be fetched with getUpdates."""
        return len(self._updates)

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain argument reads best in tests
    ) -> None:
        """Return once predicate() holds; it is re-checked after every sandbox state change."""
        try:
            await self._signal.wait_until(predicate, timeout)
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
            await self._signal.wait_until(lambda: len(self.messages_to(chat_id)) >= count, timeout)
        except TimeoutError:
            have = len(self.messages_to(chat_id))
            raise TimeoutError(
                f"expected {count} message(s) to chat {chat_id} within {timeout:g} s, "
                f"got {have}; {self._recent_activity()}"
            ) from None
        return self.messages_to(chat_id)

    def _recent_activity(self) -> str:
        lines = [f"{len(self.sent)} message(s) sent in all"]
        for message in self.sent[-10:]:
            text = (message.text or "").replace("\n", " ")
            if len(text) > 80:
                text = text[:77] + "..."
            lines.append(
                f"  -> chat {message.chat_id} #{message.message_id} {message.kind}: {text!r}"
            )
        if self.errors_returned:
            lines.append("recent errors:")
            lines.extend(
                f"  {method}: {code} {description}"
                for method, code, description in self.errors_returned[-5:]
            )
        lines.append(f"{len(self._updates)} update(s) not yet fetched")
        return "\n".join(lines)

    # -- HTTP ---------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        self.stats.requests += 1
        method = request.match_info["method"]
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            return self._error_response(method, _APIError(401, "Unauthorized"))
        entry = self._methods.get(method.lower())
        if entry is None:
            return self._error_response(method, _APIError(404, "Not Found"))
        name, handler = entry
        try:
            params = await _read_params(request)
        except _APIError as exc:
            return self._error_response(name, exc)
        self.calls.append((name, params))
        logger.debug("sandbox Bot API call %s", name)
        try:
            self._inject_fault(name, params)
            result = await handler(params)
        except _APIError as exc:
            self._signal.notify()
            return self._error_response(name, exc)
        except Exception:
            # A sandbox bug must not look like a Telegram answer; log it for the test's output.
            logger.exception("sandbox Bot API failed on %s", name)
            self._signal.notify()
            return self._error_response(name, _APIError(500, "Internal Server Error"))
        self._signal.notify()
        return web.json_response({"ok": True, "result": result})

    def _error_response(self, method: str, error: _APIError) -> web.Response:
        self.errors_returned.append((method, error.error_code, error.description))
        self.stats.errors += 1
        if error.error_code == 429:
            self.stats.http_429 += 1
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": error.error_code,
            "description": error.description,
        }
        if error.parameters:
            payload["parameters"] = error.parameters
        return web.json_response(payload, status=error.error_code)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None or stored.content is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    def _inject_fault(self, name: str, params: dict[str, Any]) -> None:
        lowered = name.lower()
        for fault in self._faults:
            if fault.method != lowered:
                continue
            if fault.chat_id is not None:
                try:
                    if _chat_ref(params) != fault.chat_id:
                        continue
                except _APIError:
                    continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            parameters: dict[str, int] = {}
            if fault.retry_after is not None:
                parameters["retry_after"] = fault.retry_after
            if fault.migrate_to_chat_id is not None:
                parameters["migrate_to_chat_id"] = fault.migrate_to_chat_id
            raise _APIError(fault.error_code, fault.description, parameters)
        if name in _SEND_METHODS and self.random_429 > 0 and self._rng.random() < self.random_429:
            raise _too_many_requests(1)

    # -- chats and users ----------------------------------------------------------------------

    def _known_chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"chat {chat_id} is not known to the sandbox; register_chat() it")
        return chat

    def _find_chat(self, ref: int | str) -> _Chat:
        if isinstance(ref, str):
            wanted = ref.removeprefix("@").lower()
            for chat in self._chats.values():
                if chat.username is not None and chat.username.lower() == wanted:
                    return chat
            raise _bad_request("chat not found")
        found = self._chats.get(ref)
        if found is None:
            raise _bad_request("chat not found")
        return found

    def _writable_chat(self, params: dict[str, Any]) -> _Chat:
        """Return the chat a message goes to, refusing it the way Telegram does."""
        chat = self._find_chat(_chat_ref(params))
        if chat.migrated_to is not None:
            raise _APIError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.blocked:
            raise _APIError(403, "Forbidden: bot was blocked by the user")
        if chat.bot_removed:
            if chat.type == "channel":
                raise _APIError(403, "Forbidden: bot is not a member of the channel chat")
            raise _APIError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        return chat

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

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
        self._users[user_id] = user
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
    ) -> tuple[_Chat, dict[str, Any]]:
        if user_id is None:
            if chat_type != "private":
                raise ValueError("user_id is required for a message in a group or channel")
            user_id = chat_id
        if chat_id not in self._chats:
            self.register_chat(
                chat_id,
                chat_type,
                chat_title,
                username=username if chat_type == "private" else None,
                first_name=first_name if chat_type == "private" else None,
            )
        chat = self._chats[chat_id]
        if chat.type == "private":
            # A user who writes to the bot has unblocked it.
            chat.blocked = False
        user = self._remember_user(user_id, first_name, username, language_code)
        chat.members.add(user_id)
        return chat, user

    def _user_message(
        self, chat: _Chat, user: dict[str, Any], message_thread_id: int | None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat),
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

    def _store_user_message(self, chat: _Chat, message: dict[str, Any]) -> None:
        self._messages[(chat.id, message["message_id"])] = _StoredMessage(
            data=message, from_bot=False, sent=None
        )

    @staticmethod
    def _next_message_id(chat: _Chat) -> int:
        # One sequence per chat, shared by the user's and the bot's messages, as in Telegram.
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return message_id

    def _enqueue(self, update: dict[str, Any]) -> None:
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        self._updates.append(update)
        self._signal.notify()

    # -- files --------------------------------------------------------------------------------

    def _store_file(
        self, content: bytes | None, folder: str, file_name: str | None, mime_type: str | None
    ) -> _StoredFile:
        number = self._next_file_number
        self._next_file_number += 1
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        file_id = f"SANDBOX-{folder.upper()}-{number}"
        stored = _StoredFile(
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

    @staticmethod
    def _document_dict(stored: _StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
        }
        if stored.file_name is not None:
            data["file_name"] = stored.file_name
        if stored.mime_type is not None:
            data["mime_type"] = stored.mime_type
        if stored.content is not None:
            data["file_size"] = len(stored.content)
        return data

    def _input_file(self, params: dict[str, Any], name: str, folder: str) -> _StoredFile:
        """Return the file a send method names: an upload, a known file_id or a URL."""
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            return self._store_file(value.content, folder, value.filename, value.content_type)
        if isinstance(value, str) and value:
            known = self._files.get(value)
            if known is not None:
                return known
            if value.startswith(("http://", "https://")):
                return self._store_file(None, folder, value.rsplit("/", 1)[-1], None)
            raise _bad_request("wrong file identifier/HTTP URL specified")
        raise _bad_request(f"there is no {name} in the request")

    # -- validation ---------------------------------------------------------------------------

    def _parse_text(self, text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
        """Return the visible text and entities of a text, as Telegram would parse it."""
        if parse_mode is None or parse_mode.lower() != "html":
            return text, []
        try:
            parsed = parse_telegram_html(text, strict=self.strict_html)
        except TelegramHTMLError as exc:
            raise _bad_request(f"can't parse entities: {exc.reason}") from None
        return parsed.visible_text, [entity.to_dict() for entity in parsed.entities]

    def _message_text(self, params: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
        text = _text_param(params, "text")
        if not text:
            raise _bad_request("message text is empty")
        visible, entities = self._parse_text(text, _parse_mode(params))
        # Telegram trims surrounding whitespace before it checks emptiness and length.
        if not visible.strip():
            raise _bad_request("message text is empty")
        if utf16_length(visible.strip()) > MAX_MESSAGE_LENGTH:
            raise _bad_request("message is too long")
        return text, visible, entities

    def _caption(self, params: dict[str, Any]) -> tuple[str | None, str, list[dict[str, Any]]]:
        caption = _text_param(params, "caption")
        if not caption:
            return None, "", []
        visible, entities = self._parse_text(caption, _parse_mode(params))
        if utf16_length(visible.strip()) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return caption, visible, entities

    def _check_rate(self, chat: _Chat, *, paid: bool = False) -> None:
        """Refuse a send or edit that would break the flood limits; count it if it passes.

        A paid broadcast (allow_paid_broadcast) is counted against its own, much higher,
        overall limit instead of the usual one; per-chat limits apply to it all the same.
        """
        if self.limits is None or self._global_window is None:
            return
        overall = self._global_window
        if paid and self._paid_window is not None:
            overall = self._paid_window
        now = self._monotonic()
        window = self._chat_windows.get(chat.id)
        if window is None:
            if chat.id > 0:
                window = _Window.per_second(self.limits.private_per_s)
            else:
                window = _Window(max(1, int(self.limits.group_per_min)), 60.0)
            self._chat_windows[chat.id] = window
        wait = max(overall.wait_time(now), window.wait_time(now))
        if wait > 0:
            raise _too_many_requests(max(1, math.ceil(wait)))
        overall.add(now)
        window.add(now)

    # -- methods ------------------------------------------------------------------------------

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int_param(params, "offset")
        limit = _int_param(params, "limit") or _MAX_UPDATES_PER_CALL
        limit = min(max(limit, 1), _MAX_UPDATES_PER_CALL)
        timeout = max(_float_param(params, "timeout") or 0.0, 0.0)
        if offset is not None:
            if offset > 0:
                # Asking from an offset confirms every update before it.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
        if not self._updates and timeout > 0 and not self._closing:
            with contextlib.suppress(TimeoutError):  # an empty answer ends a long poll
                await self._signal.wait_until(lambda: bool(self._updates) or self._closing, timeout)
        return self._updates[:limit]

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if _bool_param(params, "drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._writable_chat(params)
        options = _SendOptions.from_params(params)
        text, visible, entities = self._message_text(params)
        preview = _json_param(params, "link_preview_options", "link preview options")
        if preview is not None and not isinstance(preview, dict):
            raise _bad_request("can't parse link preview options JSON object")
        if preview is None and _bool_param(params, "disable_web_page_preview"):
            preview = {"is_disabled": True}
        self._check_rate(chat, paid=options.allow_paid_broadcast)
        message = self._bot_message(chat, options)
        message["text"] = visible
        if entities:
            message["entities"] = entities
        if preview is not None:
            message["link_preview_options"] = preview
        sent = self._record_sent(
            chat, message, options, kind="message", text=text, visible=visible, entities=entities
        )
        sent.link_preview_options = preview
        self._messages[(chat.id, sent.message_id)] = _StoredMessage(message, True, sent)
        return message

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "photo")

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "document")

    def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat = self._writable_chat(params)
        options = _SendOptions.from_params(params)
        caption, visible, entities = self._caption(params)
        stored = self._input_file(params, kind, f"{kind}s")
        self._check_rate(chat)
        message = self._bot_message(chat, options)
        if kind == "photo":
            size = len(stored.content) if stored.content is not None else 0
            message["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": 0,  # the sandbox does not decode images
                    "height": 0,
                    "file_size": size,
                }
            ]
        else:
            message["document"] = self._document_dict(stored)
        if caption is not None:
            message["caption"] = visible
            if entities:
                message["caption_entities"] = entities
        sent = self._record_sent(
            chat, message, options, kind=kind, text=caption, visible=visible, entities=entities
        )
        sent.content = stored.content
        sent.file_name = stored.file_name
        sent.mime_type = stored.mime_type
        self._messages[(chat.id, sent.message_id)] = _StoredMessage(message, True, sent)
        return message

    def _bot_message(self, chat: _Chat, options: _SendOptions) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat),
            "date": int(time.time()),
            "chat": chat.as_dict(),
        }
        if chat.type == "channel":
            message["sender_chat"] = chat.as_dict()
        else:
            message["from"] = self._bot_user()
        if options.message_thread_id is not None:
            message["message_thread_id"] = options.message_thread_id
            message["is_topic_message"] = True
        if options.reply_markup is not None:
            message["reply_markup"] = options.reply_markup
        return message

    def _record_sent(
        self,
        chat: _Chat,
        message: dict[str, Any],
        options: _SendOptions,
        *,
        kind: str,
        text: str | None,
        visible: str,
        entities: list[dict[str, Any]],
    ) -> SentMessage:
        sent = SentMessage(
            message_id=message["message_id"],
            chat_id=chat.id,
            text=text,
            parse_mode=options.parse_mode,
            reply_markup=options.reply_markup,
            disable_notification=options.disable_notification,
            link_preview_options=None,
            message_thread_id=options.message_thread_id,
            kind=kind,
            allow_paid_broadcast=options.allow_paid_broadcast,
            visible_text=visible,
            entities=entities,
            sent_at=self._monotonic(),
        )
        self.sent.append(sent)
        return sent

    def _message_to_change(self, params: dict[str, Any], not_found: str) -> _StoredMessage:
        if params.get("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")  # the sandbox has no inline messages
        chat = self._writable_chat(params)
        message_id = _required_int(params, "message_id", "message identifier is not specified")
        stored = self._messages.get((chat.id, message_id))
        if stored is None:
            raise _bad_request(not_found)
        return stored

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._message_to_change(params, "message to edit not found")
        if not stored.from_bot:
            raise _bad_request("message can't be edited")
        if "text" not in stored.data:
            raise _bad_request("there is no text in the message to edit")
        text, visible, entities = self._message_text(params)
        markup = _reply_markup(params)
        message = stored.data
        unchanged = (
            message.get("text") == visible
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        )
        if unchanged:
            raise _bad_request(_NOT_MODIFIED)
        # Telegram counts edits against the flood limits too, overall and in the chat.
        self._check_rate(self._known_chat(message["chat"]["id"]))
        message["text"] = visible
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        if stored.sent is not None:
            stored.sent.edits.append(text)
            stored.sent.text = text
            stored.sent.visible_text = visible
            stored.sent.entities = entities
            stored.sent.parse_mode = _parse_mode(params)
            stored.sent.reply_markup = markup
        return message

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._message_to_change(params, "message to edit not found")
        if not stored.from_bot:
            raise _bad_request("message can't be edited")
        markup = _reply_markup(params)
        if stored.data.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        _set_or_drop(stored.data, "reply_markup", markup)
        stored.data["edit_date"] = int(time.time())
        if stored.sent is not None:
            stored.sent.reply_markup = markup
        return stored.data

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        stored = self._message_to_change(params, "message to delete not found")
        chat_id = stored.data["chat"]["id"]
        del self._messages[(chat_id, stored.data["message_id"])]
        if stored.sent is not None:
            stored.sent.deleted = True
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = _text_param(params, "callback_query_id")
        if not query_id or query_id not in self._open_callbacks:
            raise _bad_request(_QUERY_TOO_OLD)
        self._open_callbacks.discard(query_id)
        answer: dict[str, Any] = {
            "callback_query_id": query_id,
            "text": _text_param(params, "text"),
            "show_alert": _bool_param(params, "show_alert"),
            "url": _text_param(params, "url"),
            "cache_time": _int_param(params, "cache_time"),
        }
        self.callback_answers.append(answer)
        return True

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        language = _text_param(params, "language_code") or ""
        if language and not re.fullmatch(r"[a-zA-Z]{2}", language):
            raise _bad_request("invalid language code specified")
        return _scope_key(params), language

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = _json_param(params, "commands", "commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > _MAX_COMMANDS:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        clean: list[dict[str, Any]] = []
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            description = str(command.get("description", ""))
            if not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": command["command"], "description": description})
        key = self._commands_key(params)
        if clean:
            self.commands[key] = clean
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._writable_chat(params)
        if _text_param(params, "action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._find_chat(_chat_ref(params))
        return chat.as_dict() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _status_in(self, chat: _Chat, user_id: int) -> str:
        if user_id == chat.creator_id:
            return "creator"
        if user_id in chat.admins:
            return "administrator"
        if user_id == self.bot_id:
            return "left" if chat.bot_removed or chat.blocked else "member"
        if chat.type == "private" and user_id == chat.id:
            return "member"
        return "member" if user_id in chat.members else "left"

    def _user_dict(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_id:
            return self._bot_user()
        return self._users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User {user_id}",
        }

    async def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._find_chat(_chat_ref(params))
        user_id = _required_int(params, "user_id", "user_id is empty")
        return _member_dict(self._status_in(chat, user_id), self._user_dict(user_id))

    async def _get_chat_administrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._find_chat(_chat_ref(params))
        if chat.type == "private":
            raise _bad_request("there are no administrators in the private chat")
        ids = sorted(chat.admins | ({chat.creator_id} if chat.creator_id is not None else set()))
        return [_member_dict(self._status_in(chat, uid), self._user_dict(uid)) for uid in ids]

    async def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        chat_id = None
        if params.get("chat_id") not in (None, ""):
            chat = self._find_chat(_chat_ref(params))
            chat_id = chat.id
        button = _json_param(params, "menu_button", "menu button")
        if button is None:
            button = {"type": "default"}
        if not isinstance(button, dict) or "type" not in button:
            raise _bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _int_param(params, "chat_id")
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = _text_param(params, "file_id")
        stored = self._files.get(file_id or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.content is not None:
            data["file_size"] = len(stored.content)
        return data


def _set_or_drop(data: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Decode a Bot API request's parameters from its query string and body."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    content_type = request.content_type
    try:
        if content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise _bad_request("the request body must be a JSON object")
            params.update(body)
        elif content_type.startswith("multipart/"):
            params.update(await _read_multipart(request))
        else:
            form = await request.post()
            params.update({key: str(value) for key, value in form.items()})
    except _APIError:
        raise
    except web.HTTPRequestEntityTooLarge:
        raise _APIError(413, "Request Entity Too Large") from None
    except (ValueError, UnicodeDecodeError, AssertionError, RuntimeError) as exc:
        # aiohttp raises these for malformed bodies; Telegram answers them with a 400.
        raise _bad_request(f"can't parse request body: {type(exc).__name__}") from None
    return params


async def _read_multipart(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue  # nested multiparts and nameless parts carry no parameter
        if part.filename is None:
            params[part.name] = await part.text()
            continue
        content = bytes(await part.read(decode=False))
        if len(content) > _MAX_UPLOAD_BYTES:
            raise _APIError(413, "Request Entity Too Large")
        params[part.name] = UploadedFile(
            filename=part.filename,
            content=content,
            content_type=part.headers.get("Content-Type"),
        )
    return params
