"""Flood limits on a fake clock, ordered faults and random 429s."""

from __future__ import annotations

import random
from datetime import timedelta

import httpx
import pytest
import telegram
from telegram.error import ChatMigrated, Forbidden, RetryAfter

from sandbox import RateLimits, SandboxBotAPI

USER = 42
GROUP = -1001


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_fail_next_retry_after(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    sandbox.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hello")
    assert caught.value.retry_after == timedelta(seconds=7)
    await bot.send_message(USER, "hello")  # only the next call failed
    assert sandbox.stats.http_429 == 1
    assert len(sandbox.sent) == 1


async def test_fail_next_for_one_chat_and_several_times(
    bot: telegram.Bot, sandbox: SandboxBotAPI
) -> None:
    sandbox.register_chat(USER)
    sandbox.register_chat(USER + 1)
    sandbox.fail_next(
        "SENDMESSAGE",
        error_code=403,
        description="Forbidden: user is deactivated",
        chat_id=USER + 1,
        count=2,
    )
    await bot.send_message(USER, "fine")
    for _ in range(2):
        with pytest.raises(Forbidden, match="user is deactivated"):
            await bot.send_message(USER + 1, "nope")
    await bot.send_message(USER + 1, "fine now")
    assert [m.chat_id for m in sandbox.sent] == [USER, USER + 1]


async def test_fail_next_migration(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(GROUP, "supergroup")
    sandbox.fail_next(
        "sendMessage",
        error_code=400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-2002,
    )
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(GROUP, "x")
    assert caught.value.new_chat_id == -2002


async def test_random_429_is_reproducible(bot: telegram.Bot, sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(USER)
    sandbox.random_429 = 1.0
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "x")
    sandbox.random_429 = 0.0
    await bot.send_message(USER, "x")

    outcomes = []
    for _ in range(2):
        seeded = SandboxBotAPI(rng=random.Random(7))  # noqa: S311 - reproducible, not secret
        seeded.random_429 = 0.5
        await seeded.start()
        seeded.register_chat(USER)
        try:
            async with httpx.AsyncClient(base_url=f"{seeded.base_url}{seeded.token}/") as client:
                codes = [
                    (
                        await client.post("sendMessage", data={"chat_id": USER, "text": "x"})
                    ).status_code
                    for _ in range(12)
                ]
        finally:
            await seeded.stop()
        outcomes.append(codes)
        assert seeded.stats.http_429 == codes.count(429)
    assert outcomes[0] == outcomes[1]
    assert {200, 429} == set(outcomes[0])


async def test_private_chat_rate_limit_with_fake_clock() -> None:
    clock = FakeClock()
    sandbox = SandboxBotAPI(limits=RateLimits(), monotonic=clock)
    await sandbox.start()
    try:
        sandbox.register_chat(USER)
        sandbox.register_chat(USER + 1)
        async with telegram.Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            await bot.send_message(USER, "1")
            await bot.send_message(USER + 1, "other chat is independent")
            clock.now += 0.5
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(USER, "2")
            assert caught.value.retry_after == timedelta(seconds=1)
            clock.now += 0.5
            await bot.send_message(USER, "2")
    finally:
        await sandbox.stop()
    assert sandbox.stats.http_429 == 1
    assert sandbox.errors_returned[-1] == (
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
    )


async def test_group_rate_limit_is_per_minute() -> None:
    clock = FakeClock()
    sandbox = SandboxBotAPI(limits=RateLimits(global_per_s=1000), monotonic=clock)
    await sandbox.start()
    sandbox.register_chat(GROUP, "supergroup")
    try:
        async with httpx.AsyncClient(base_url=f"{sandbox.base_url}{sandbox.token}/") as http:

            async def send() -> httpx.Response:
                return await http.post("sendMessage", data={"chat_id": GROUP, "text": "x"})

            for _ in range(20):
                assert (await send()).status_code == 200
                clock.now += 0.1
            refused = await send()
            assert refused.status_code == 429
            # The first send was 2 s ago, so the window frees up in 58 s.
            assert refused.json()["parameters"] == {"retry_after": 58}
            clock.now += 58
            assert (await send()).status_code == 200
    finally:
        await sandbox.stop()
    assert sandbox.stats.http_429 == 1


async def test_global_rate_limit() -> None:
    clock = FakeClock()
    sandbox = SandboxBotAPI(limits=RateLimits(global_per_s=3, private_per_s=100), monotonic=clock)
    await sandbox.start()
    try:
        async with telegram.Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            for chat in range(1, 5):
                sandbox.register_chat(chat)
            for chat in range(1, 4):
                await bot.send_message(chat, "x")
            with pytest.raises(RetryAfter):
                await bot.send_message(4, "x")
            clock.now += 1
            await bot.send_message(4, "x")
    finally:
        await sandbox.stop()
    assert sandbox.stats.http_429 == 1


async def test_edits_count_against_the_rate_limits() -> None:
    clock = FakeClock()
    sandbox = SandboxBotAPI(limits=RateLimits(global_per_s=3, private_per_s=100), monotonic=clock)
    await sandbox.start()
    try:
        async with telegram.Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            for chat in (1, 2):
                sandbox.register_chat(chat)
            first = await bot.send_message(1, "v1")
            await bot.send_message(2, "x")
            await bot.edit_message_text("v2", chat_id=1, message_id=first.message_id)
            with pytest.raises(RetryAfter):  # the fourth request in a second, an edit or not
                await bot.edit_message_text("v3", chat_id=1, message_id=first.message_id)
            clock.now += 1
            await bot.edit_message_text("v3", chat_id=1, message_id=first.message_id)
    finally:
        await sandbox.stop()
    assert sandbox.stats.http_429 == 1
    assert sandbox.last_to(1).edits == ["v2", "v3"]


def test_rate_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimits(private_per_s=0)
