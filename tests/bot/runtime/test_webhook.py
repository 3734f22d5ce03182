"""Webhook mode through the real application: Telegram (the sandbox) posts each update to
the HTTP listener, which stores it before answering; the bot handles it from the table.

The sandbox stands for Telegram and for the operator's reverse proxy: setWebhook gets the
public https URL, and `deliver_webhook` posts to the listener's local address at that
URL's path, with the secret token header, as Telegram and the proxy would.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bot.app import OutpostApp
from bot.runtime.clock import ManualClock
from bot.runtime.webhook_http import MAX_UPDATE_BYTES, SECRET_HEADER
from bot.settings import Settings, SettingsError
from sandbox import SandboxBotAPI
from storage import open_database
from tests.helpers.chat import ALICE, BOB, say
from tests.helpers.instance import instance
from tests.helpers.settings import make_settings

URL = "https://bot.example.org/telegram/updates"
SECRET = "s3cret_Value-1"


def webhook_settings(sandbox: SandboxBotAPI, tmp_path: Path, **overrides: object) -> Settings:
    """Settings for webhook mode on a free loopback port."""
    values: dict[str, object] = {
        "webhook_url": URL,
        "webhook_secret": SECRET,
        "http_listen": "127.0.0.1:0",
    }
    values.update(overrides)
    return make_settings(sandbox, tmp_path, **values)


def listener(app: OutpostApp) -> str:
    """The listener's local address, where the reverse proxy forwards Telegram's posts."""
    return f"http://127.0.0.1:{app.bot_data.http_port}"


async def stored(app: OutpostApp) -> int:
    """How many updates the database holds."""
    row = await app.bot_data.core.db.fetchone("SELECT COUNT(*) FROM updates")
    return int(row[0]) if row else 0


async def test_an_update_posted_with_the_secret_is_stored_and_answered(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> None:
    async with instance(sandbox, webhook_settings(sandbox, tmp_path), clock) as app:
        assert sandbox.webhook == (URL, SECRET)
        assert not any(method == "getUpdates" for method, _ in sandbox.calls)

        sandbox.push_message(chat_id=ALICE, text="/start")
        [(update_id, status)] = await sandbox.deliver_webhook(listener(app))
        assert status == 200
        [welcome] = await sandbox.wait_for_messages(ALICE, 1)
        assert "Outpost" in (welcome.text or "")
        assert await stored(app) == 1

        # The same update posted again (Telegram retries one it thinks was lost): handled
        # once. A later message is answered, after it, alone.
        sandbox.redeliver(update_id)
        assert await sandbox.deliver_webhook(listener(app)) == [(update_id, 200)]
        sandbox.push_message(chat_id=ALICE, text="/mysubs")
        await sandbox.deliver_webhook(listener(app))
        replies = await sandbox.wait_for_messages(ALICE, 2)
        # A second welcome would have come before it (one chat's updates go in order).
        assert "no subscriptions yet" in (replies[1].text or "")
        assert await stored(app) == 2


async def test_a_post_without_the_right_secret_is_refused_and_nothing_stored(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> None:
    async with instance(sandbox, webhook_settings(sandbox, tmp_path), clock) as app:
        sandbox.push_message(chat_id=ALICE, text="/start")
        [update] = sandbox.queued_updates
        url = listener(app) + "/telegram/updates"
        async with httpx.AsyncClient() as client:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
                answer = await client.post(url, json=update, headers=headers)
                assert answer.status_code == 403
        assert await stored(app) == 0
        # Telegram's own post, with the secret, still goes through.
        assert await sandbox.deliver_webhook(listener(app)) == [(update["update_id"], 200)]
        await sandbox.wait_for_messages(ALICE, 1)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"message": {}}',
        b'{"update_id": "7"}',
        b'{"update_id": true}',
        b'{"update_id": -1}',
        b"\xff\xfe{}",
        b"[" * 100_000,
    ],
)
async def test_a_body_that_is_not_an_update_is_refused_and_the_listener_goes_on(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, body: bytes
) -> None:
    async with instance(sandbox, webhook_settings(sandbox, tmp_path), clock) as app:
        url = listener(app) + "/telegram/updates"
        async with httpx.AsyncClient() as client:
            answer = await client.post(url, content=body, headers={SECRET_HEADER: SECRET})
            assert answer.status_code == 400
            huge = b'{"update_id": 1, "pad": "' + b"x" * MAX_UPDATE_BYTES + b'"}'
            answer = await client.post(url, content=huge, headers={SECRET_HEADER: SECRET})
            assert answer.status_code == 413
            assert (await client.get(listener(app) + "/healthz")).status_code == 200
        assert await stored(app) == 0
        sandbox.push_message(chat_id=ALICE, text="/start")
        await sandbox.deliver_webhook(listener(app))
        await sandbox.wait_for_messages(ALICE, 1)


async def test_an_update_stored_before_a_crash_is_handled_after_the_restart(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, database_target: str
) -> None:
    settings = webhook_settings(sandbox, tmp_path, database=database_target)
    async with instance(sandbox, settings, clock):
        pass  # the webhook is set; this instance then dies

    # What that instance's listener stored (and answered 200 for) just before it died,
    # never handled: the row is in the database, Telegram will not send it again.
    sandbox.push_message(chat_id=ALICE, text="/start")
    sandbox.push_message(chat_id=BOB, text="/start")
    received = sandbox.queued_updates
    db = await open_database(settings.database)
    try:
        for update in received:
            assert await db.updates.store(update["update_id"], json.dumps(update), now=clock.now())
    finally:
        await db.close()

    async with instance(sandbox, settings, clock):
        await sandbox.wait_for_messages(ALICE, 1)
        await sandbox.wait_for_messages(BOB, 1)


async def test_polling_drops_an_update_delivered_again_after_a_switch(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, database_target: str
) -> None:
    settings = make_settings(sandbox, tmp_path, database=database_target)
    # A webhook left by an instance in webhook mode: polling deletes it, as PTB does.
    async with instance(sandbox, webhook_settings(sandbox, tmp_path), clock):
        pass
    async with instance(sandbox, settings, clock):
        assert sandbox.webhook is None
        await say(sandbox, ALICE, "/start")
    first = sandbox.all_updates[-1]["update_id"]

    # The next instance reads from an offset that never confirmed it: the update comes
    # again, and only the message after it is answered.
    async with instance(sandbox, settings, clock):
        sandbox.redeliver(first)
        # A second welcome would have come before the answer (one chat's updates go in
        # order), and `say` returns the first message after the welcome.
        assert "no subscriptions yet" in await say(sandbox, ALICE, "/mysubs")
        assert len(sandbox.messages_to(ALICE)) == 2


def test_webhook_settings_are_checked_and_the_secret_never_repeated(
    sandbox: SandboxBotAPI, tmp_path: Path
) -> None:
    bad = {
        "http://bot.example.org/telegram": "https://",
        "https://bot.example.org": "a path of its own",
        "https://bot.example.org/healthz": "a path of its own",
    }
    for url, said in bad.items():
        with pytest.raises(SettingsError, match=said):
            webhook_settings(sandbox, tmp_path, webhook_url=url)
    with pytest.raises(SettingsError, match="OUTPOST_WEBHOOK_SECRET") as refused:
        webhook_settings(sandbox, tmp_path, webhook_secret="with space " + SECRET)
    assert SECRET not in str(refused.value)
    with pytest.raises(SettingsError, match="needs OUTPOST_WEBHOOK_SECRET"):
        webhook_settings(sandbox, tmp_path, webhook_secret=None)
    with pytest.raises(SettingsError, match="needs OUTPOST_HTTP_LISTEN"):
        webhook_settings(sandbox, tmp_path, http_listen=None)
    settings = webhook_settings(sandbox, tmp_path)
    assert SECRET not in repr(settings)
    assert settings.webhook_path() == "/telegram/updates"


async def test_an_update_the_bot_cannot_read_is_dropped_and_the_next_handled(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with instance(sandbox, webhook_settings(sandbox, tmp_path), clock) as app:
        url = listener(app) + "/telegram/updates"
        # JSON, but no Message; numbered before the next, so it is handled first.
        poison = {"update_id": 0, "message": "not a message"}
        async with httpx.AsyncClient() as client:
            answer = await client.post(url, json=poison, headers={SECRET_HEADER: SECRET})
        assert answer.status_code == 200  # stored: Telegram must not send it forever
        sandbox.push_message(chat_id=ALICE, text="/start")
        await sandbox.deliver_webhook(listener(app))
        await sandbox.wait_for_messages(ALICE, 1)
    assert "update 0 could not be handled" in caplog.text


async def test_two_instances_receive_and_each_update_is_handled_once(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, database_target: str
) -> None:
    settings = webhook_settings(sandbox, tmp_path, database=database_target)
    chats = [ALICE, BOB, 2001, 2002, 2003, 2004]
    async with (
        instance(sandbox, settings, clock) as first,
        instance(sandbox, settings, clock) as second,
    ):
        assert first.bot_data.http_port != second.bot_data.http_port
        for n, chat in enumerate(chats):
            # The proxy sends each post to either instance; both handle from the table.
            sandbox.push_message(chat_id=chat, text="/start")
            [(_, status)] = await sandbox.deliver_webhook(listener((first, second)[n % 2]))
            assert status == 200
        for chat in chats:
            await sandbox.wait_for_messages(chat, 1)
    assert all(len(sandbox.messages_to(chat)) == 1 for chat in chats)


def test_the_webhook_secret_can_come_from_a_file(
    sandbox: SandboxBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "webhook_secret"
    secret_file.write_text(SECRET + "\n")
    monkeypatch.setenv("OUTPOST_WEBHOOK_SECRET_FILE", str(secret_file))
    settings = make_settings(sandbox, tmp_path, webhook_url=URL, http_listen="127.0.0.1:0")
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == SECRET
