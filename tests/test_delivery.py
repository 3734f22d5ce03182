"""Delivery: pacing to Telegram's limits, every error answer, priority and fairness.

The real application sends through PTB over HTTP to the sandbox Bot API, which enforces
the flood limits on the same manual clock the dispatcher sleeps on, so pacing is checked
at full speed and without sleeps.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Bot

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.context import Core
from bot.delivery.pacer import CATCH_UP, ClockTimer, Limits, PaceState
from bot.delivery.sender import SendOptions, SendStatus, TelegramSender, make_request
from bot.sandbox import RateLimits, SandboxBotAPI
from storage.events import NewEvent
from tests.conftest import make_settings

GROUP = -100500


@pytest.fixture
async def limited(clock: ManualClock) -> AsyncIterator[SandboxBotAPI]:
    """A sandbox that answers 429 when Telegram's limits are broken, on the test's clock."""
    api = SandboxBotAPI(limits=RateLimits(), monotonic=lambda: clock.now().timestamp())
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def paced(limited: SandboxBotAPI, tmp_path: Path, clock: ManualClock) -> AsyncIterator[Core]:
    """The application sending to the rate-limited sandbox."""
    app = build_application(
        make_settings(limited, tmp_path),
        clock=clock,
        poll_jobs=False,
        dispatch_loop=False,
        timer=ClockTimer(clock),
    )
    async with running(app):
        yield app.bot_data.core


async def story(core: Core, key: str, *, link: str | None = None, source: str = "Src") -> int:
    """Store a one-event story about drills and return its id."""
    recorded = await core.db.events.record(
        NewEvent(
            source_id=None,
            source_name=source,
            item_key=key,
            title=f"Drills {key}",
            text=f"Drills {key} near the border.",
            summary=f"Drills {key} near the border.",
            link=link or f"https://news.example.org/{key}",
            canonical_link=link or f"https://news.example.org/{key}",
            lang="en",
            topics=("drills",),
            places=(),
            published_at=None,
            seen_at=core.clock.now(),
        )
    )
    assert recorded is not None
    return recorded.story_id


async def chats(core: Core, api: SandboxBotAPI, ids: list[int]) -> None:
    """Make chats known to the sandbox and to the bot."""
    for chat_id in ids:
        kind = "private" if chat_id > 0 else "supergroup"
        api.register_chat(chat_id, kind)
        await core.db.chats.register(
            chat_id, chat_type=kind, title=None, language="en", now=core.clock.now()
        )


async def queue(core: Core, story_id: int, ids: list[int], priority: int = 0) -> None:
    """Queue a story for chats."""
    await core.db.outbox.enqueue(story_id, ids, priority=priority, now=core.clock.now())


# -- the pacer's arithmetic -------------------------------------------------------------------


def test_pacer_spaces_sends_overall_and_per_chat() -> None:
    pace = PaceState(Limits(global_per_s=20.0))
    starts = [pace.reserve(chat, 0.0) for chat in range(1, 6)]
    assert starts == pytest.approx([0.0, 0.05, 0.10, 0.15, 0.20])
    # The same private chat again: a second later (plus slack), not at the next global slot.
    assert pace.reserve(1, 0.25) == pytest.approx(1.1)
    # A group: 20 a minute means one every three seconds.
    first = pace.reserve(GROUP, 2.0)
    assert pace.reserve(GROUP, 2.0) == pytest.approx(first + 3.3)
    assert pace.waiting_chats(1.3) == {1, GROUP}


def test_one_chats_429_pauses_only_that_chat() -> None:
    pace = PaceState(Limits(global_per_s=10.0))
    pace.reserve(1, 0.0)
    assert pace.answered(1, 0.1, retry_after=7) is False
    assert pace.reserve(1, 0.2) == pytest.approx(7.1)
    assert pace.reserve(2, 0.2) < 1.0  # everyone else carries on


def test_429s_from_many_chats_pause_everything() -> None:
    pace = PaceState(Limits(global_per_s=100.0))
    for chat in (1, 2):
        assert pace.answered(chat, 0.1, retry_after=3) is False
    assert pace.answered(3, 0.1, retry_after=3) is True
    assert pace.reserve(4, 0.2) == pytest.approx(3.1)


def test_free_slots_follow_the_rate() -> None:
    pace = PaceState(Limits(global_per_s=28.0))
    assert pace.free_slots(0.0, 0.25) == 8  # slots at 0, 1/28, ... 7/28 <= 0.25
    for chat in range(8):
        pace.reserve(chat + 1, 0.0)
    assert pace.free_slots(0.0, 0.25) == 0


def release(pace: PaceState, now: float, chat_id: int) -> float:
    """Let a send go as the dispatcher does: wait while the pacer holds it; return when."""
    while (wait := pace.hold(chat_id, now)) > 0:
        now += wait
    pace.started(chat_id, now)
    return now


def test_the_window_counts_sends_by_when_they_went_on_the_wire() -> None:
    pace = PaceState(Limits(global_per_s=10.0))
    for n in range(10):  # ten sends let go on time, 0.0 .. 0.9
        pace.started(n + 1, n / 10)
        if n >= 5:
            pace.on_wire(n + 1, n / 10)
    for n in range(5):  # the first five were held up (a stall) and all written at 0.95
        pace.on_wire(n + 1, 0.95)
    # By start times the oldest left the window at 1.0; by the wire, the next may go once the
    # send written at 0.5 has left it.
    assert pace.hold(99, 1.0) == pytest.approx(0.5)


def test_sends_not_yet_written_count_as_written_now() -> None:
    pace = PaceState(Limits(global_per_s=10.0))
    for chat in range(1, 11):
        pace.started(chat, 0.0)
    assert pace.hold(99, 0.5) == pytest.approx(0.1)  # full of sends on their way: look again
    for chat in range(1, 11):
        pace.on_wire(chat, 0.6)
    assert pace.hold(99, 0.6) == pytest.approx(1.0)
    assert pace.hold(99, 1.6) == 0.0


def test_a_chats_gap_counts_from_when_its_last_send_was_written() -> None:
    pace = PaceState(Limits())
    pace.started(1, 0.0)
    pace.on_wire(1, 0.3)  # a stall held the request back
    assert pace.hold(1, 1.2) == pytest.approx(0.15)  # 1.05 s after it was written, not let go
    assert pace.hold(2, 1.2) == 0.0


def test_a_burst_after_a_stall_is_spread_not_released_at_once() -> None:
    pace = PaceState(Limits(global_per_s=10.0))
    now = 0.0
    for chat in range(1, 6):  # on time: 0.0, 0.1, ... 0.4
        now = release(pace, chat / 10 - 0.1, chat)
        pace.on_wire(chat, now)
    # The loop stalls until 1.05; the sends booked for 0.5 .. 0.9 are overdue at once.
    starts = []
    now = 1.05
    for chat in range(6, 11):
        now = release(pace, now, chat)
        pace.on_wire(chat, now)
        starts.append(now)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert starts[0] == pytest.approx(1.05)
    assert gaps == pytest.approx([1 / (10 * CATCH_UP)] * 4)


def test_bunched_writes_never_overfill_the_window_and_the_rate_holds() -> None:
    rate = 28.0
    rng = random.Random(5)  # noqa: S311 -- reproducible delays, not secrets
    pace = PaceState(Limits(global_per_s=rate))
    writes: list[tuple[float, int]] = []  # a heap of (when the request is written, chat)
    wired: list[float] = []
    now = 0.0
    for chat in range(1, 841):
        slot = max(now, (chat - 1) / rate)  # the booked slot, as `reserve` spaces them
        if chat % 50 == 0:
            slot += 0.3  # the event loop stalls now and then
        while True:
            while writes and writes[0][0] <= slot:
                at, done = heapq.heappop(writes)
                pace.on_wire(done, at)
                wired.append(at)
            wait = pace.hold(chat, slot)
            if wait == 0:
                break
            slot += wait
        pace.started(chat, slot)
        now = slot
        # Written after 0..5 ms, or, caught by a stall after letting go, up to 150 ms later.
        delay = rng.uniform(0.0, 0.15) if chat % 40 == 0 else rng.uniform(0.0, 0.005)
        heapq.heappush(writes, (slot + delay, chat))
    wired += [at for at, _ in sorted(writes)]
    wired.sort()
    worst = max(
        sum(1 for other in wired[max(0, i - 40) : i + 1] if other > at - 1.0)
        for i, at in enumerate(wired)
    )
    assert worst <= int(rate)
    assert len(wired) / (wired[-1] - wired[0]) >= 0.95 * rate


# -- the sender, over HTTP ---------------------------------------------------------------------


async def test_the_sender_reports_the_moment_a_send_is_written(sandbox: SandboxBotAPI) -> None:
    sandbox.register_chat(5)
    seen_by_server: list[int] = []
    bot = Bot(sandbox.token, base_url=sandbox.base_url, request=make_request())
    async with bot:
        result = await TelegramSender(bot).send(
            5, "hello", SendOptions(), on_wire=lambda: seen_by_server.append(len(sandbox.sent))
        )
    assert result.status is SendStatus.SENT
    assert seen_by_server == [0]  # told as the request went out, before the server had it
    assert len(sandbox.sent) == 1


# -- end to end through PTB and the rate-limited sandbox ---------------------------------------


async def test_a_fan_out_keeps_to_every_limit(
    paced: Core, limited: SandboxBotAPI, clock: ManualClock
) -> None:
    privates = list(range(1, 61))
    await chats(paced, limited, [*privates, GROUP])
    first = await story(paced, "a")
    await queue(paced, first, [*privates, GROUP])
    for key in "bcd":  # a backlog for one chat and for the group
        await queue(paced, await story(paced, key), [1, GROUP])
    start = clock.now()

    report = await paced.dispatcher.drain()

    assert report.sent == 67
    assert limited.stats.http_429 == 0
    assert {m.chat_id for m in limited.sent} == {*privates, GROUP}
    assert len(limited.messages_to(1)) == 4
    assert len(limited.messages_to(GROUP)) == 4
    # Four group messages need at least three gaps of three seconds; 67 sends at 28/s ~2.4 s.
    elapsed = (clock.now() - start).total_seconds()
    assert 9.0 <= elapsed < 12.0


async def test_a_429_delays_that_chat_and_the_message_still_arrives(
    paced: Core, limited: SandboxBotAPI, clock: ManualClock
) -> None:
    await chats(paced, limited, [1, 2, 3])
    await queue(paced, await story(paced, "a"), [1, 2, 3])
    limited.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 30",
        retry_after=30,
        chat_id=2,
    )
    report = await paced.dispatcher.drain()
    assert report.sent == 2
    assert report.retried == 1
    assert limited.messages_to(2) == []

    clock.advance(timedelta(seconds=30))
    report = await paced.dispatcher.drain()
    assert report.sent == 1
    assert len(limited.messages_to(2)) == 1
    assert (await paced.db.outbox.counts()) == {"sent": 3}


async def test_server_errors_are_retried_with_backoff_then_given_up_when_too_old(
    paced: Core, limited: SandboxBotAPI, clock: ManualClock
) -> None:
    await chats(paced, limited, [1, 2])
    await queue(paced, await story(paced, "a"), [1, 2])
    limited.fail_next("sendMessage", error_code=502, description="Bad Gateway", chat_id=1)
    limited.fail_next(
        "sendMessage", error_code=500, description="Internal Server Error", chat_id=2, count=99
    )
    report = await paced.dispatcher.drain()
    assert report.retried == 2
    for _ in range(20):  # backoff doubles; a day later the alert is no longer worth sending
        clock.advance(timedelta(minutes=10))
        await paced.dispatcher.drain()
        if (await paced.db.outbox.counts()).get("failed"):
            break
    assert len(limited.messages_to(1)) == 1  # the 502 was passing
    assert limited.messages_to(2) == []
    clock.advance(timedelta(hours=24))
    await paced.dispatcher.drain()
    assert await paced.db.outbox.counts() == {"sent": 1, "failed": 1}


async def test_unparseable_html_is_resent_as_plain_text(
    paced: Core, limited: SandboxBotAPI
) -> None:
    await chats(paced, limited, [1])
    await queue(paced, await story(paced, "a"), [1])
    limited.fail_next(
        "sendMessage",
        error_code=400,
        description="Bad Request: can't parse entities: unsupported start tag",
    )
    report = await paced.dispatcher.drain()
    assert report.sent == 1
    sent = limited.last_to(1)
    assert sent.parse_mode is None
    assert "Drills a near the border." in (sent.text or "")
    assert "<b>" not in (sent.text or "")


async def test_a_blocked_chat_is_deactivated_and_its_queue_cancelled(
    paced: Core, limited: SandboxBotAPI
) -> None:
    await chats(paced, limited, [1, 2])
    await paced.db.chats.subscribe(1, "drills", now=paced.clock.now())
    for key in "abc":
        await queue(paced, await story(paced, key), [1, 2])
    limited.block(1)

    report = await paced.dispatcher.drain()

    assert report.blocked == 1
    assert report.sent == 3
    chat = await paced.db.chats.get(1)
    assert chat is not None
    assert not chat.active
    assert await paced.db.chats.subscribers(["drills"]) == []
    assert await paced.db.outbox.counts() == {"sent": 3, "failed": 1, "cancelled": 2}
    assert (
        limited.errors_returned.count(
            ("sendMessage", 403, "Forbidden: bot was blocked by the user")
        )
        == 1
    )


async def test_a_group_that_became_a_supergroup_is_followed(
    paced: Core, limited: SandboxBotAPI
) -> None:
    await chats(paced, limited, [-5])
    await paced.db.chats.subscribe(-5, "drills", now=paced.clock.now())
    await paced.db.chats.update_prefs(-5, link_previews=True)
    for key in "ab":
        await queue(paced, await story(paced, key), [-5])
    limited.migrate(-5, -1005)

    report = await paced.dispatcher.drain()

    assert report.migrated == 1
    assert report.sent == 2
    assert len(limited.messages_to(-1005)) == 2
    assert await paced.db.chats.subscribers(["drills"]) == [-1005]
    assert (await paced.db.chats.prefs(-1005)).link_previews
    old = await paced.db.chats.get(-5)
    assert old is not None
    assert not old.active


# -- priority and fairness --------------------------------------------------------------------


async def test_high_severity_goes_before_a_backlog_of_low(
    paced: Core, limited: SandboxBotAPI
) -> None:
    await chats(paced, limited, list(range(1, 41)))
    low = [await story(paced, f"low{n}") for n in range(3)]
    for story_id in low:
        await queue(paced, story_id, list(range(1, 41)), priority=0)
    urgent = await story(paced, "urgent")
    await queue(paced, urgent, list(range(1, 41)), priority=2)

    await paced.dispatcher.drain()

    assert len(limited.sent) == 160
    # Every chat got the urgent alert before anything else, and then the rest oldest first.
    first_forty = limited.sent[:40]
    assert all("urgent" in (m.text or "") for m in first_forty)
    for chat_id in range(1, 41):
        texts = [m.text or "" for m in limited.messages_to(chat_id)]
        order = [next(k for k in ("urgent", "low0", "low1", "low2") if k in t) for t in texts]
        assert order == ["urgent", "low0", "low1", "low2"]


async def test_a_chat_with_a_backlog_does_not_starve_the_others(
    paced: Core, limited: SandboxBotAPI
) -> None:
    await chats(paced, limited, [1, *range(100, 120)])
    for n in range(20):
        await queue(paced, await story(paced, f"backlog{n}"), [1])
    await queue(paced, await story(paced, "news"), list(range(100, 120)))

    await paced.dispatcher.drain()

    order = [m.chat_id for m in limited.sent]
    # Chat 1 sends once a second; the twenty others all go within the first second.
    assert set(order[:21]) >= set(range(100, 120))
    assert len(limited.messages_to(1)) == 20
    assert limited.stats.http_429 == 0


# -- paid broadcast ---------------------------------------------------------------------------


async def test_paid_broadcast_carries_high_severity_at_its_own_limit(
    limited: SandboxBotAPI, tmp_path: Path, clock: ManualClock
) -> None:
    settings = make_settings(limited, tmp_path).model_copy(update={"paid_broadcast": True})
    app = build_application(
        settings, clock=clock, poll_jobs=False, dispatch_loop=False, timer=ClockTimer(clock)
    )
    async with running(app):
        core = app.bot_data.core
        ids = list(range(1, 301))
        await chats(core, limited, ids)
        await queue(core, await story(core, "urgent"), ids, priority=2)
        await queue(core, await story(core, "routine"), ids[:30], priority=1)
        start = clock.now()

        report = await core.dispatcher.drain()

    assert report.sent == 330
    assert limited.stats.http_429 == 0
    urgent = [m for m in limited.sent if "urgent" in (m.text or "")]
    routine = [m for m in limited.sent if "routine" in (m.text or "")]
    assert len(urgent) == 300
    assert all(m.allow_paid_broadcast for m in urgent)
    assert not any(m.allow_paid_broadcast for m in routine)
    # 300 urgent alerts at up to 1000/s instead of 28/s (that would take over ten seconds);
    # the routine ones then wait a second for their chats.
    assert (clock.now() - start).total_seconds() < 3.0


async def test_migration_never_sends_what_the_new_chat_already_has(
    paced: Core, limited: SandboxBotAPI
) -> None:
    await chats(paced, limited, [-5, -1005])
    shared = await story(paced, "shared")
    await queue(paced, shared, [-5, -1005])
    await queue(paced, await story(paced, "only-old"), [-5])
    limited.migrate(-5, -1005)

    await paced.dispatcher.drain()

    texts = [m.text or "" for m in limited.messages_to(-1005)]
    assert sum("shared" in t for t in texts) == 1
    assert sum("only-old" in t for t in texts) == 1
    assert limited.messages_to(-5) == []
