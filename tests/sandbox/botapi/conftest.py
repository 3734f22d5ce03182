"""Fixtures for the sandbox Bot API tests: a PTB Bot and a raw HTTP client on the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import telegram

from sandbox import SandboxBotAPI


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without it PTB 22 warns on RetryAfter.retry_after, and warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def bot(sandbox: SandboxBotAPI) -> AsyncIterator[telegram.Bot]:
    """A bare PTB Bot talking to the sandbox."""
    client = telegram.Bot(
        sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    )
    async with client:
        yield client


@pytest.fixture
async def http(sandbox: SandboxBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client whose relative URLs are method names, token included."""
    async with httpx.AsyncClient(base_url=f"{sandbox.base_url}{sandbox.token}/") as client:
        yield client
