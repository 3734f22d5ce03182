"""Decoding a Bot API call's parameters, refusing bad values with Telegram's own 400s.

PTB sends parameters as form fields (objects JSON-encoded inside them), as multipart parts
when it uploads a file, or as a JSON body; each decoder accepts all three shapes, so the
methods never care which one arrived.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Final

from sandbox.botapi.errors import bad_request

__all__ = [
    "UploadedFile",
    "bool_param",
    "chat_ref",
    "float_param",
    "int_param",
    "json_param",
    "markup_param",
    "parse_mode_param",
    "required_int",
    "scope_key",
    "text_param",
]

_MAX_CALLBACK_DATA_BYTES: Final = 64
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


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart request, as it appears in ``calls``."""

    filename: str | None
    content: bytes
    content_type: str | None


def text_param(params: dict[str, Any], name: str) -> str | None:
    """Return a string parameter; None when absent. Objects and files are refused."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool | dict | list | UploadedFile):
        raise bad_request(f"invalid {name} specified")
    return str(value)


def int_param(params: dict[str, Any], name: str, *, missing: str | None = None) -> int | None:
    """Return an integer parameter; None when absent, unless ``missing`` names the error."""
    value = params.get(name)
    if value is None or value == "":
        if missing is not None:
            raise bad_request(missing)
        return None
    if isinstance(value, bool):
        raise bad_request(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise bad_request(f"invalid {name} specified") from None


def required_int(params: dict[str, Any], name: str, missing: str) -> int:
    """Return an integer parameter that must be present; ``missing`` is the error otherwise."""
    value = int_param(params, name, missing=missing)
    if value is None:  # pragma: no cover - int_param raises when the value is missing
        raise bad_request(missing)
    return value


def float_param(params: dict[str, Any], name: str) -> float | None:
    """Return a finite number parameter; None when absent."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_request(f"invalid {name} specified")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None
    if not math.isfinite(number):
        raise bad_request(f"invalid {name} specified")
    return number


def bool_param(params: dict[str, Any], name: str) -> bool:
    """Return a flag parameter (true/false/1/0, or a JSON boolean); False when absent."""
    value = params.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"true", "1"}:
        return True
    if text in {"false", "0", ""}:
        return False
    raise bad_request(f"invalid {name} specified")


def json_param(params: dict[str, Any], name: str, what: str | None = None) -> Any:
    """Return a parameter that PTB sends JSON-encoded inside a form; None when absent."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value  # came in an application/json body, already decoded
    try:
        return json.loads(value)
    except ValueError:
        raise bad_request(f"can't parse {what or name} JSON object") from None


def chat_ref(params: dict[str, Any]) -> int | str:
    """Return ``chat_id`` as a numeric id or an ``@username``."""
    value = params.get("chat_id")
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    if isinstance(value, bool):
        raise bad_request("chat not found")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.startswith("@"):
        return text
    try:
        return int(text)
    except ValueError:
        raise bad_request("chat not found") from None


def markup_param(params: dict[str, Any]) -> dict[str, Any] | None:
    """Return ``reply_markup``, checking an inline keyboard's buttons as Telegram does."""
    markup = json_param(params, "reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return markup  # reply keyboards and ForceReply are stored as given
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in keyboard:
        for button in row:
            _check_button(button)
    return markup


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not _BUTTON_ACTIONS.intersection(button):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= _MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def parse_mode_param(params: dict[str, Any], name: str = "parse_mode") -> str | None:
    """Return the parse mode as given (any case); None when absent or empty."""
    mode = text_param(params, name)
    if mode is None or mode == "":
        return None
    if mode.lower() not in {"html", "markdown", "markdownv2"}:
        raise bad_request("unsupported parse_mode")
    return mode


def scope_key(params: dict[str, Any]) -> str:
    """Return the key a command list is stored under for a ``BotCommandScope``."""
    scope = json_param(params, "scope", "BotCommandScope")
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    key = str(scope["type"])
    # Chat-specific scopes get their chat (and user) in the key so they don't overwrite
    # each other.
    for extra in ("chat_id", "user_id"):
        if extra in scope:
            key += f":{scope[extra]}"
    return key
