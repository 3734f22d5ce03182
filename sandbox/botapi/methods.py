"""The Bot API's method table, and the methods about the bot, its updates, chats and files.

``method_table`` is the one list of the methods the sandbox answers; the message methods
live in ``messages.py``. Every method takes the call's decoded parameters and returns the
``result`` of a successful answer, or raises ``APIError``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, Final
from urllib.parse import urlsplit

from sandbox.botapi.errors import APIError, bad_request
from sandbox.botapi.messages import MessageMethods
from sandbox.botapi.params import (
    bool_param,
    chat_ref,
    float_param,
    int_param,
    json_param,
    required_int,
    scope_key,
    text_param,
)
from sandbox.botapi.state import SandboxState

__all__ = ["BotMethods", "Method", "method_table"]

Method = Callable[[dict[str, Any]], Awaitable[Any]]

_MAX_COMMANDS: Final = 100
_MAX_UPDATES_PER_CALL: Final = 100
_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_PORTS: Final = (443, 80, 88, 8443)


def method_table(bot: BotMethods, messages: MessageMethods) -> dict[str, tuple[str, Method]]:
    """Return every method the sandbox answers, keyed by its lower-case name.

    Telegram matches method names without regard to case; the canonical name is what
    ``calls`` and ``errors_returned`` record.
    """
    return {
        name.lower(): (name, method)
        for name, method in (
            ("getMe", bot.get_me),
            ("getUpdates", bot.get_updates),
            ("setWebhook", bot.set_webhook),
            ("deleteWebhook", bot.delete_webhook),
            ("getWebhookInfo", bot.get_webhook_info),
            ("logOut", bot.true),
            ("close", bot.true),
            ("sendMessage", messages.send_message),
            ("editMessageText", messages.edit_message_text),
            ("editMessageReplyMarkup", messages.edit_message_reply_markup),
            ("deleteMessage", messages.delete_message),
            ("answerCallbackQuery", messages.answer_callback_query),
            ("setMyCommands", bot.set_my_commands),
            ("getMyCommands", bot.get_my_commands),
            ("deleteMyCommands", bot.delete_my_commands),
            ("sendPhoto", messages.send_photo),
            ("sendDocument", messages.send_document),
            ("sendChatAction", messages.send_chat_action),
            ("getChat", bot.get_chat),
            ("getChatMember", bot.get_chat_member),
            ("getChatAdministrators", bot.get_chat_administrators),
            ("setChatMenuButton", bot.set_chat_menu_button),
            ("getChatMenuButton", bot.get_chat_menu_button),
            ("getFile", bot.get_file),
        )
    }


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
    """Return a ChatMember object for one of the statuses ``SandboxState.status_in`` gives."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {"status": "administrator", "user": user, **_admin_rights()}
    return {"status": status, "user": user}


class BotMethods:
    """getMe, getUpdates, the webhook and command methods, chats, menu buttons and getFile."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    # -- the bot and its updates ----------------------------------------------------------------

    async def true(self, params: dict[str, Any]) -> bool:
        """logOut and close: nothing to do locally."""
        return True

    async def get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        """getMe."""
        return self._state.bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getUpdates: a long poll returns as soon as an update is queued or the server stops."""
        if self._state.webhook is not None:
            raise APIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        updates = self._state.updates
        offset = int_param(params, "offset")
        limit = int_param(params, "limit") or _MAX_UPDATES_PER_CALL
        limit = min(max(limit, 1), _MAX_UPDATES_PER_CALL)
        timeout = max(float_param(params, "timeout") or 0.0, 0.0)
        if offset is not None:
            # Asking from an offset confirms every update before it.
            updates.confirm(offset)
        if not updates and timeout > 0 and not self._state.closing:
            with contextlib.suppress(TimeoutError):  # an empty answer ends a long poll
                await self._state.signal.wait_until(
                    lambda: bool(updates) or self._state.closing, timeout
                )
        return updates.first(limit)

    async def set_webhook(self, params: dict[str, Any]) -> bool:
        """setWebhook: an HTTPS URL on one of Telegram's ports, an optional secret token.

        The sandbox posts nothing by itself: a test hands the queued updates over with
        ``SandboxBotAPI.deliver_webhook``, through the address its reverse proxy would have.
        """
        url = text_param(params, "url") or ""
        if not url:
            return await self.delete_webhook(params)
        parsed = urlsplit(url)
        if parsed.scheme != "https" or not parsed.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parsed.port or 443) not in _WEBHOOK_PORTS:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = text_param(params, "secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if bool_param(params, "drop_pending_updates"):
            self._state.updates.clear()
        self._state.webhook = (url, secret)
        return True

    async def delete_webhook(self, params: dict[str, Any]) -> bool:
        """deleteWebhook; drop_pending_updates empties the queue."""
        if bool_param(params, "drop_pending_updates"):
            self._state.updates.clear()
        self._state.webhook = None
        return True

    async def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """getWebhookInfo: the webhook set, if any, and how many updates wait."""
        return {
            "url": self._state.webhook[0] if self._state.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._state.updates),
        }

    # -- commands -------------------------------------------------------------------------------

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        language = text_param(params, "language_code") or ""
        if language and not re.fullmatch(r"[a-zA-Z]{2}", language):
            raise bad_request("invalid language code specified")
        return scope_key(params), language

    async def set_my_commands(self, params: dict[str, Any]) -> bool:
        """setMyCommands, per scope and language; an empty list deletes."""
        commands = json_param(params, "commands", "commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > _MAX_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        clean: list[dict[str, Any]] = []
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            description = str(command.get("description", ""))
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": command["command"], "description": description})
        key = self._commands_key(params)
        if clean:
            self._state.commands[key] = clean
        else:
            self._state.commands.pop(key, None)
        return True

    async def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getMyCommands."""
        return list(self._state.commands.get(self._commands_key(params), []))

    async def delete_my_commands(self, params: dict[str, Any]) -> bool:
        """deleteMyCommands."""
        self._state.commands.pop(self._commands_key(params), None)
        return True

    # -- chats ----------------------------------------------------------------------------------

    async def get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        """getChat: the ChatFullInfo fields PTB requires, with neutral values."""
        chat = self._state.find_chat(chat_ref(params))
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

    async def get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        """getChatMember."""
        chat = self._state.find_chat(chat_ref(params))
        user_id = required_int(params, "user_id", "user_id is empty")
        return _member_dict(self._state.status_in(chat, user_id), self._state.user_dict(user_id))

    async def get_chat_administrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getChatAdministrators: the creator and the admins, by id."""
        chat = self._state.find_chat(chat_ref(params))
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        ids = sorted(chat.admins | ({chat.creator_id} if chat.creator_id is not None else set()))
        return [
            _member_dict(self._state.status_in(chat, uid), self._state.user_dict(uid))
            for uid in ids
        ]

    async def set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        """setChatMenuButton, for one chat or (without chat_id) the default."""
        chat_id = None
        if params.get("chat_id") not in (None, ""):
            chat = self._state.find_chat(chat_ref(params))
            chat_id = chat.id
        button = json_param(params, "menu_button", "menu button")
        if button is None:
            button = {"type": "default"}
        if not isinstance(button, dict) or "type" not in button:
            raise bad_request("can't parse menu button JSON object")
        self._state.menu_buttons[chat_id] = button
        return True

    async def get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        """getChatMenuButton: the chat's, else the default, else the commands button."""
        chat_id = int_param(params, "chat_id")
        menu_buttons = self._state.menu_buttons
        return menu_buttons.get(chat_id) or menu_buttons.get(None) or {"type": "commands"}

    # -- files ----------------------------------------------------------------------------------

    async def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """getFile: a download path under the server's base_file_url."""
        file_id = text_param(params, "file_id")
        stored = self._state.file(file_id or "")
        if stored is None:
            raise bad_request("invalid file_id")
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.content is not None:
            data["file_size"] = len(stored.content)
        return data
