"""Parameter decoding: malformed parameters get Telegram's own 400s."""

from __future__ import annotations

import json

import httpx
import pytest

from sandbox import SandboxBotAPI

USER = 42


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
