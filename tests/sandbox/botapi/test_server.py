"""The sandbox Bot API over HTTP: routing, the token, request bodies, error answers, shutdown."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
import telegram
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken

from sandbox import SandboxBotAPI

USER = 42


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


async def test_stop_ends_a_pending_long_poll(sandbox: SandboxBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(
            client.post(f"{sandbox.base_url}{sandbox.token}/getUpdates", data={"timeout": "30"})
        )
        await asyncio.sleep(0.05)
        await asyncio.wait_for(sandbox.stop(), 5)
        response = await asyncio.wait_for(poll, 5)
    assert response.json() == {"ok": True, "result": []}
