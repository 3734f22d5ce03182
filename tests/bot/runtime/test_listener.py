"""The HTTP listener of the real application: /healthz, /readyz, /metrics, `outpost health`.

The application runs against the sandbox Bot API with a manual clock: a loop looks stalled
when the clock is moved past OUTPOST_STALL_AFTER without the loop coming round, so no test
waits for time to pass.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import OutpostApp, build_application, poll_cycle, running
from bot.delivery.pacer import ClockTimer
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import ALICE, BOB, say
from tests.helpers.cli import outpost as run_cli
from tests.helpers.settings import make_settings
from tests.helpers.sources import add_samples

STALL_S = 60


def build(sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, **kw: Any) -> OutpostApp:
    """The application with its listener on a free loopback port."""
    loops = {k: kw.pop(k) for k in ("dispatch_loop", "timer") if k in kw}
    return build_application(
        make_settings(
            sandbox, tmp_path, http_listen="127.0.0.1:0", stall_after=float(STALL_S), **kw
        ),
        clock=clock,
        poll_jobs=False,
        base_file_url=sandbox.base_file_url,
        **loops,
    )


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the listener."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def url(app: OutpostApp, path: str) -> str:
    """The listener's URL for a path."""
    return f"http://127.0.0.1:{app.bot_data.http_port}{path}"


async def test_readyz_fails_while_the_dispatcher_is_stalled_and_recovers(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, http: httpx.AsyncClient
) -> None:
    app = build(sandbox, tmp_path, clock)
    async with running(app):
        core = app.bot_data.core
        assert (await http.get(url(app, "/healthz"))).text == "ok\n"
        ready = await http.get(url(app, "/readyz"))
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["dispatcher"].startswith("ticked")

        # The dispatcher sleeps on real time (up to 30 s) until woken, so on the moved
        # clock it has not come round for longer than OUTPOST_STALL_AFTER.
        clock.advance(timedelta(seconds=STALL_S + 5))
        stalled = await http.get(url(app, "/readyz"))
        assert stalled.status_code == 503
        assert stalled.json()["status"] == "not ready"
        assert stalled.json()["reason"] == f"dispatcher: no tick for {STALL_S + 5} s"
        assert (await http.get(url(app, "/healthz"))).status_code == 200  # alive, not ready

        core.dispatcher.wake()  # it comes round once: ticking again
        await sandbox.wait_for(lambda: core.health.problems()["dispatcher"] is None)
        recovered = await http.get(url(app, "/readyz"))
        assert recovered.status_code == 200, recovered.text
        # Without metrics turned on, /metrics is not served.
        assert (await http.get(url(app, "/metrics"))).status_code == 404


async def test_readyz_fails_when_the_dispatcher_task_ends(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock, http: httpx.AsyncClient
) -> None:
    app = build(sandbox, tmp_path, clock)
    async with running(app):
        task = app.bot_data.tasks[0]
        task.cancel()
        await sandbox.wait_for(task.done)
        answer = await http.get(url(app, "/readyz"))
        assert answer.status_code == 503
        assert answer.json()["reason"] == "dispatcher: its task ended"


async def test_outpost_health_answers_0_with_the_bot_up_and_1_with_it_down(
    sandbox: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> None:
    app = build(sandbox, tmp_path, clock)
    async with running(app):
        env = {"OUTPOST_HTTP_LISTEN": f"127.0.0.1:{app.bot_data.http_port}"}
        code, out, err = await run_cli("health", env=env, cwd=tmp_path)
        assert code == 0, err
        assert out.startswith("ready: database ok; dispatcher ticked")
        assert len(out.strip().splitlines()) == 1

        clock.advance(timedelta(seconds=STALL_S + 1))
        code, out, err = await run_cli("health", env=env, cwd=tmp_path)
        assert code == 1
        assert err.strip() == f"not ready: dispatcher: no tick for {STALL_S + 1} s"
    code, out, err = await run_cli("health", env=env, cwd=tmp_path)
    assert code == 1
    assert err.startswith("down: no answer from http://127.0.0.1:")
    assert len(err.strip().splitlines()) == 1
    code, _, err = await run_cli("health", cwd=tmp_path)
    assert code == 1
    assert "OUTPOST_HTTP_LISTEN is not set" in err


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Parse the Prometheus text format into {(sample name, labels): value}."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def test_metrics_count_a_fan_out_through_the_sandbox(
    sandbox: SandboxBotAPI,
    source_server: SourceServer,
    tmp_path: Path,
    clock: ManualClock,
    http: httpx.AsyncClient,
) -> None:
    app = build(
        sandbox, tmp_path, clock, metrics=True, dispatch_loop=False, timer=ClockTimer(clock)
    )
    readers = [ALICE, BOB, 1003, 1004, 1005]
    async with running(app):
        core = app.bot_data.core
        for chat in readers:
            await say(sandbox, chat, "/subscribe drills")
        await add_samples(core, source_server)
        clock.advance(timedelta(hours=1))  # every sample source is due again
        report = await poll_cycle(core)
        assert report.queued > len(readers)
        before = samples((await http.get(url(app, "/metrics"))).text)
        assert before["outpost_outbox_backlog", ()] == report.queued

        sandbox.fail_next("sendMessage", error_code=429, description="slow down", retry_after=3)
        while (await core.db.outbox.backlog(now=clock.now()))[0]:
            await core.dispatcher.drain()
        response = await http.get(url(app, "/metrics"))
    assert response.headers["content-type"].startswith("text/plain; version=")
    metrics = samples(response.text)
    sent = report.queued  # every queued alert went out, one message each
    assert metrics["outpost_telegram_sends_total", (("result", "ok"),)] == sent
    assert metrics["outpost_telegram_sends_total", (("result", "429"),)] == 1
    assert metrics["outpost_telegram_sends_total", (("result", "blocked"),)] == 0
    assert metrics["outpost_telegram_retry_after_seconds_count", ()] == 1
    assert metrics["outpost_telegram_retry_after_seconds_sum", ()] == 3
    assert metrics["outpost_alerts_queued_total", ()] == report.queued
    assert metrics["outpost_events_stored_total", ()] == report.new_events
    assert metrics["outpost_stories_joined_total", ()] == report.joined
    assert metrics["outpost_polls_total", (("error_kind", ""), ("result", "ok"))] == report.ok
    assert metrics["outpost_poll_cycle_duration_seconds_count", ()] == 1
    assert metrics["outpost_outbox_backlog", ()] == 0
    assert metrics["outpost_outbox_oldest_pending_age_seconds", ()] == 0
    alerts = sum(len(sandbox.messages_to(chat)) - 1 for chat in readers)  # less the reply
    assert alerts == sent
