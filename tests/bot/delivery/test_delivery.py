"""Delivery: pacing to Telegram's limits, every error answer, priority and fairness.

The real application sends through PTB over HTTP to the sandbox Bot API, which enforces
the flood limits on the same manual clock the dispatcher sleeps on, so pacing is checked
at full speed and without sleeps.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.context import Core
from bot.delivery.pacer import BURST, CHAT_MARGIN, ClockTimer, Limits, PaceState
from bot.models import Delivery, DeliveryChange
from bot.runtime.clock import ManualClock
from sandbox import RateLimits, SandboxBotAPI
from storage.events import NewEvent
from tests.helpers.settings import make_settings

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
            # Both of news.example.org: a link joins a story only within one origin.
            link_key=f"news.example.org {link or key}",
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


def go(pace: PaceState, chat_id: int, now: float) -> float:
    """Start a send to a chat at the earliest time the pacer allows from `now`; return it."""
    start = max(now, pace.ready_at(chat_id, now))
    pace.started(chat_id, start)
    return start


def test_pacer_keeps_the_pace_after_a_short_catch_up() -> None:
    pace = PaceState(Limits(global_per_s=20.0))
    starts = []
    now = 0.0
    for chat in range(1, BURST + 6):
        now = go(pace, chat, now)
        starts.append(now)
        pace.answered(chat, now + 0.01)
    # Up to BURST back to back (the pace is behind after an idle spell), then every 1/20 s.
    assert starts[:BURST] == pytest.approx([0.0] * BURST)
    gaps = [b - a for a, b in itertools.pairwise(starts[BURST - 1 :])]
    assert gaps == pytest.approx([0.05] * (len(starts) - BURST))


def test_a_chats_gap_counts_from_its_last_answer() -> None:
    pace = PaceState(Limits())
    pace.started(1, 0.0)
    assert pace.chat_ready(1) == math.inf  # not before the answer is known
    pace.answered(1, 0.3)  # a slow round trip: the request may have arrived at 0.29
    assert pace.chat_ready(1) == pytest.approx(0.3 + 1.0 * (1 + CHAT_MARGIN))
    assert pace.ready_at(2, 0.3) <= 0.3  # other chats carry on
    pace.started(GROUP, 0.0)
    pace.answered(GROUP, 0.1)
    assert pace.chat_ready(GROUP) == pytest.approx(0.1 + 3.0 * (1 + CHAT_MARGIN))


def test_one_chats_429_pauses_only_that_chat() -> None:
    pace = PaceState(Limits(global_per_s=10.0))
    pace.started(1, 0.0)
    assert pace.answered(1, 0.1, retry_after=7) is False
    assert pace.ready_at(1, 0.2) == pytest.approx(7.1)
    assert pace.ready_at(2, 0.2) < 1.0  # everyone else carries on
    assert pace.paused_chats(0.2, 5.0) == {1}


def test_429s_from_many_chats_pause_everything() -> None:
    pace = PaceState(Limits(global_per_s=100.0))
    for chat in (1, 2, 3):
        pace.started(chat, 0.0)
    for chat in (1, 2):
        assert pace.answered(chat, 0.1, retry_after=3) is False
    assert pace.answered(3, 0.1, retry_after=3) is True
    assert pace.ready_at(4, 0.2) == pytest.approx(3.1)


def test_the_ceiling_counts_a_send_until_a_second_after_its_answer() -> None:
    pace = PaceState(Limits(global_per_s=10.0, ceiling_per_s=10.0))
    for n in range(10):  # ten sends at the pace, 0.0 .. 0.9
        pace.started(n + 1, n / 10)
    for n in range(5, 10):  # the last five answered at once, the first five held up
        pace.answered(n + 1, n / 10 + 0.01)
    for n in range(5):
        pace.answered(n + 1, 0.95)
    # By start times the first left the window at 1.0. But it may have reached Telegram as
    # late as 0.95 (its answer), and so may the next four: the window is free of one of
    # the ten only a second after the earliest answer, 0.51.
    assert pace.global_ready(1.0) == pytest.approx(1.51)


def test_sends_without_an_answer_fill_the_ceiling_until_they_have_one() -> None:
    pace = PaceState(Limits(global_per_s=10.0, ceiling_per_s=10.0))
    for chat in range(1, 11):
        pace.started(chat, chat / 10)
    assert pace.global_ready(5.0) == math.inf  # they may all still arrive together
    for chat in range(1, 11):
        pace.answered(chat, 5.0)
    assert pace.global_ready(5.0) == pytest.approx(6.0)
    assert pace.global_ready(6.0) <= 6.0


def test_a_send_without_an_answer_counts_a_second_longer() -> None:
    answered, lost = (PaceState(Limits(global_per_s=1.0, ceiling_per_s=1.0)) for _ in range(2))
    for pace in (answered, lost):
        pace.started(1, 0.0)
    answered.answered(1, 0.2)
    lost.answered(1, 0.2, unsure=True)  # timed out: the request may still arrive
    assert answered.global_ready(0.3) == pytest.approx(1.2)
    assert lost.global_ready(0.3) == pytest.approx(2.2)


def test_no_second_of_arrivals_holds_more_than_the_ceiling_whatever_the_delays() -> None:
    """Requests are held up and bunched on the way and at the server; none is refused."""
    rate, ceiling = Limits().global_per_s, 30
    rng = random.Random(5)  # noqa: S311 -- reproducible delays, not secrets
    pace = PaceState(Limits(global_per_s=rate, ceiling_per_s=ceiling))
    answers: list[tuple[float, int]] = []  # a heap of (when the answer is seen, chat)
    arrivals: list[float] = []
    now = 0.0
    for chat in range(1, 2001):
        while (ready := pace.global_ready(now)) > now:
            if answers and answers[0][0] <= ready:
                now, done = heapq.heappop(answers)
                pace.answered(done, now)
            else:
                now = ready
        pace.started(chat, now)
        # Mostly a few milliseconds each way; now and then held up for up to 300 ms (a busy
        # machine), and every half second the server stalls for 100 ms and then takes in
        # what arrived meanwhile at once.
        slow = chat % 23 == 0
        arrival = now + (rng.uniform(0.0, 0.3) if slow else rng.uniform(0.001, 0.006))
        stall = math.floor(arrival * 2) / 2
        arrival = max(arrival, stall + 0.1)
        arrivals.append(arrival)
        answer = arrival + (rng.uniform(0.0, 0.3) if slow else rng.uniform(0.001, 0.006))
        heapq.heappush(answers, (answer, chat))
    arrivals.sort()
    # Counted the way the sandbox counts: arrivals in (t - 1, t].
    worst = max(i - bisect.bisect_right(arrivals, at - 1.0) + 1 for i, at in enumerate(arrivals))
    assert worst <= ceiling
    # And the slow spells cost little: the pace is kept on the whole.
    assert len(arrivals) / (arrivals[-1] - arrivals[0]) >= 0.9 * rate


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
    # Four group messages need at least three gaps of three seconds; 67 sends at 29/s ~2.3 s.
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
    await paced.db.chats.update_prefs(-5, DeliveryChange(link_previews=True))
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
    # 300 urgent alerts at up to 1000/s instead of 29/s (that would take over ten seconds);
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


# -- edits and held rows take their share of the limits, no more ------------------------------


async def test_edits_of_a_grown_story_are_paced_like_sends(
    paced: Core, limited: SandboxBotAPI, clock: ManualClock
) -> None:
    await chats(paced, limited, list(range(1, 61)))
    link = "https://news.example.org/column"
    grown = await story(paced, "column", link=link, source="First")
    await queue(paced, grown, list(range(1, 41)))
    assert (await paced.dispatcher.drain()).sent == 40
    clock.advance(timedelta(minutes=5))
    assert await story(paced, "column-again", link=link, source="Second") == grown
    assert await paced.db.outbox.request_edits(grown, now=clock.now()) == 40
    await queue(paced, await story(paced, "fresh"), list(range(41, 61)))
    start = clock.now()

    report = await paced.dispatcher.drain()

    assert (report.edited, report.sent) == (40, 20)
    # The sandbox counts edits against the overall limit as Telegram does: none refused.
    assert limited.stats.http_429 == 0
    assert all(len(limited.last_to(chat).edits) == 1 for chat in range(1, 41))
    # Sixty requests at the pace, edits and sends alike (give or take the clock's microsecond).
    least = (60 - BURST) / paced.settings.global_rate - 1e-5
    assert (clock.now() - start).total_seconds() >= least


async def test_rows_held_for_a_digest_take_no_send_slot(
    paced: Core, limited: SandboxBotAPI, clock: ManualClock
) -> None:
    digest_chats = list(range(100, 140))
    await chats(paced, limited, [*range(1, 29), *digest_chats])
    for chat_id in digest_chats:
        await paced.db.chats.update_prefs(chat_id, DeliveryChange(delivery=Delivery.DAILY))
    news = await story(paced, "news")
    await queue(paced, news, digest_chats)  # queued first: claimed before the instant ones
    await queue(paced, news, list(range(1, 29)))
    start = clock.now()

    report = await paced.dispatcher.drain()

    assert (report.sent, report.held) == (28, 40)
    # 28 sends at 29 a second: the 40 held rows cost no time of their own.
    assert (clock.now() - start).total_seconds() < 1.0


async def test_sends_waiting_out_a_long_global_pause_go_back_to_the_outbox(
    paced: Core, limited: SandboxBotAPI, clock: ManualClock
) -> None:
    ids = list(range(1, 11))
    await chats(paced, limited, ids)
    await queue(paced, await story(paced, "a"), ids)
    for chat_id in (1, 2, 3):  # three chats flooded at once: the overall limit was hit
        limited.fail_next(
            "sendMessage",
            error_code=429,
            description="Too Many Requests: retry after 300",
            retry_after=300,
            chat_id=chat_id,
        )
    start = clock.now()

    report = await paced.dispatcher.drain()

    # Nobody waits five minutes holding a lease: the rest are put back, none is lost.
    assert (report.sent, report.retried) == (0, 10)
    assert (clock.now() - start).total_seconds() < 5.0
    assert await paced.db.outbox.due_count(now=clock.now()) == 0
    clock.advance(timedelta(seconds=301))
    report = await paced.dispatcher.drain()
    assert report.sent == 10
    assert limited.stats.http_429 == 3
