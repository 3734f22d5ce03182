"""Logs: no line carries the bot token (text or JSON), JSON lines parse, libraries keep quiet.

The token must stay out even when httpx logs request URLs and errors happen.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.admin.intake import add_source
from bot.app import build_application, running
from bot.pipeline.poller import Poller
from bot.runtime.clock import ManualClock
from bot.runtime.logs import REDACTED, RedactTokens
from bot.ui.charts import ChartTexts, reports_chart
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import ALICE, say
from tests.helpers.logs import outpost_logs
from tests.helpers.settings import make_settings
from tests.helpers.sources import rss

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


@pytest.fixture
def json_logs(sandbox: SandboxBotAPI) -> Iterator[io.StringIO]:
    """Outpost's own JSON log handler at DEBUG, writing to a buffer."""
    with outpost_logs("DEBUG", fmt="json", secrets=[sandbox.token]) as stream:
        # As if an operator turned httpx's request logging back on: it must still be safe.
        logging.getLogger("httpx").setLevel(logging.DEBUG)
        yield stream


async def test_json_logs_parse_line_by_line_and_hold_no_token(
    sandbox: SandboxBotAPI, outpost: object, json_logs: io.StringIO
) -> None:
    await say(sandbox, ALICE, "/start")
    sandbox.fail_next("sendMessage", error_code=500, description="Internal Server Error")
    sandbox.push_message(chat_id=ALICE, text="/help")
    await sandbox.wait_for(
        lambda: any(e[0].lower() == "sendmessage" for e in sandbox.errors_returned)
    )
    await say(sandbox, ALICE, "/mysubs")
    logging.getLogger("bot.test").warning(
        "a source failed", extra={"source": "Belarus Watch", "chat_id": ALICE}
    )
    text = json_logs.getvalue()
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) > 10
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    assert sandbox.token not in text
    assert any(REDACTED in record["message"] for record in records)  # URLs were logged
    context = next(record for record in records if record["message"] == "a source failed")
    assert context["source"] == "Belarus Watch"
    assert context["chat_id"] == ALICE
    assert context["level"] == "WARNING"


def test_a_json_traceback_is_redacted() -> None:
    def call_api() -> None:
        raise RuntimeError(f"failed calling /bot{REAL_SHAPED}/sendMessage")

    with outpost_logs("INFO", fmt="json") as stream:
        try:
            call_api()
        except RuntimeError:
            logging.getLogger("bot.test").exception("boom")
    record = json.loads(stream.getvalue())
    assert REAL_SHAPED not in stream.getvalue()
    assert REDACTED in record["exc_info"]


def test_a_chart_logs_nothing_at_info() -> None:
    with outpost_logs("INFO") as stream:
        days = [date(2022, 10, 1) + timedelta(days=i) for i in range(14)]
        series = {"drills": [i % 3 for i in range(14)], "missiles": [i % 2 for i in range(14)]}
        texts = ChartTexts("14 days", "stories a day", "day (UTC)", "today", "today so far")
        reports_chart(series, days, labels={"drills": "Drills"}, texts=texts)
    assert stream.getvalue() == ""


async def test_an_idle_minute_logs_nothing_at_info(
    sandbox: SandboxBotAPI, source_server: SourceServer, tmp_path: Path, clock: ManualClock
) -> None:
    """The polling loop polls an unchanged feed and the dispatcher idles; silence.

    The loop runs as the application runs it, with a sleeper that waits only for its
    wake-ups, and the manual clock is moved so that the source is due each time.
    """
    feed = source_server.add("rss/quiet.rss", rss(("q1", "Nothing new")))
    app = build_application(
        make_settings(sandbox, tmp_path),
        clock=clock,
        poll_jobs=False,
        base_file_url=sandbox.base_file_url,
    )
    with outpost_logs("INFO") as stream:
        async with running(app):
            core = app.bot_data.core
            sleeper = WakeOnly()
            poller = Poller(core.pipeline, sleeper=sleeper)
            task = asyncio.create_task(poller.run())
            try:
                await add_source(core.db, feed, now=clock.now(), allow_private=True, name="Q")

                async def one_round() -> None:
                    before = len(source_server.requests_to("rss/quiet.rss"))
                    poller.wake()
                    await sandbox.wait_for(
                        lambda: len(source_server.requests_to("rss/quiet.rss")) > before
                    )
                    await sandbox.wait_for(lambda: not poller.polling)

                await one_round()  # the source's first poll: its item stored silently
                first = await core.db.sources.get(1)
                assert first is not None
                assert first.next_poll_at is not None
                # The minute: the source falls due in its middle; nothing new is found.
                clock.set(first.next_poll_at - timedelta(seconds=30))
                stream.seek(0)
                stream.truncate()
                clock.advance(timedelta(seconds=30))
                core.dispatcher.wake()
                await one_round()
                clock.advance(timedelta(seconds=30))
                poller.wake()
                await sandbox.wait_for(lambda: len(sleeper.asked) > 2)
                polled = await core.db.sources.get(1)
                assert polled is not None
                assert polled.last_success_at == first.next_poll_at  # polled in the minute
                quiet = stream.getvalue()
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    assert quiet == ""


class WakeOnly:
    """A sleeper for the polling loop that waits only for its wake-ups."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        self.asked.append(seconds)
        await event.wait()
