"""No log line carries the bot token, even when httpx logs request URLs and errors happen."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.runtime.logs import REDACTED, RedactTokens
from sandbox import SandboxBotAPI
from tests.helpers.chat import ALICE, say

REAL_SHAPED = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture
def redacted_logs(caplog: pytest.LogCaptureFixture, sandbox: SandboxBotAPI) -> Iterator[str]:
    """Capture every log line at DEBUG through the redacting filter; yield the secret."""
    caplog.handler.addFilter(RedactTokens([sandbox.token]))
    caplog.set_level(logging.DEBUG)
    # As if an operator turned httpx's request logging back on: it must still be safe.
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    yield sandbox.token
    logging.getLogger("httpx").setLevel(logging.WARNING)


def test_token_shapes_and_known_secrets_are_redacted() -> None:
    redactor = RedactTokens(["123:short-secret"])
    assert redactor.redact(f"GET https://api.telegram.org/bot{REAL_SHAPED}/getMe") == (
        f"GET https://api.telegram.org/bot{REDACTED}/getMe"
    )
    assert redactor.redact("token 123:short-secret here") == f"token {REDACTED} here"


def test_tracebacks_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RedactTokens())

    def call_api() -> None:
        raise RuntimeError(f"failed calling /bot{REAL_SHAPED}/sendMessage")

    try:
        call_api()
    except RuntimeError:
        logging.getLogger("test").exception("boom")
    assert REAL_SHAPED not in caplog.text
    assert REDACTED in caplog.text


async def test_a_run_with_api_calls_and_errors_logs_no_token(
    sandbox: SandboxBotAPI, outpost: object, redacted_logs: str, caplog: pytest.LogCaptureFixture
) -> None:
    await say(sandbox, ALICE, "/start")
    sandbox.fail_next("sendMessage", error_code=500, description="Internal Server Error")
    sandbox.push_message(chat_id=ALICE, text="/help")
    await sandbox.wait_for(
        lambda: any(e[0].lower() == "sendmessage" for e in sandbox.errors_returned)
    )
    await say(sandbox, ALICE, "/mysubs")
    assert REDACTED in caplog.text  # request URLs with the token were logged, and redacted
    assert redacted_logs not in caplog.text
