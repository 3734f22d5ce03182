"""What a subscriber chooses: digests, quiet hours, previews, forum topics, grown stories.

Chats set their choices with commands through the real application; the tests move the
manual clock across local midnight and digest hours in Europe/Minsk (UTC+3), no sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.chats import ChoiceError
from bot.chats.delivery import parse_quiet
from bot.context import Core
from bot.delivery.plan import last_digest, next_digest, plan, quiet_until
from bot.models import Delivery, DeliveryChoices, QuietMode
from bot.pipeline.store import record_post
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI
from tests.helpers.chat import say
from tests.helpers.posts import source_post

CHAT = 2001
MINSK = "Europe/Minsk"


async def post(core: Core, key: str, text: str, *, source: str = "Src", link: str = "") -> int:
    """Record a post as a source would, queueing alerts for subscribers; return the story."""
    url = link or f"https://news.example.org/{key}"
    outcome = await record_post(
        core.db,
        source_post(
            core.matcher, key, text, text, link=url, canonical_link=url, source_name=source
        ),
        matcher=core.matcher,
        catalog=core.catalog,
        now=core.clock.now(),
    )
    assert outcome.story_id is not None
    return outcome.story_id


async def subscriber(sandbox: SandboxBotAPI, core: Core, *commands: str) -> None:
    """A chat subscribed to drills and mobilization, with some choices made by command."""
    await say(sandbox, CHAT, "/subscribe drills mobilization")
    for command in commands:
        await say(sandbox, CHAT, command)


def alerts_to(sandbox: SandboxBotAPI) -> list[str]:
    """Texts the bot sent to the chat that are alerts or digests, not command replies."""
    return [
        m.visible_text
        for m in sandbox.messages_to(CHAT)
        if "🔗" in m.visible_text or m.visible_text.startswith("Digest")
    ]


# -- pure rules -------------------------------------------------------------------------------


def test_daily_digest_times_follow_the_local_hour() -> None:
    prefs = DeliveryChoices(delivery=Delivery.DAILY, digest_hour=8, timezone=MINSK)
    now = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)  # 15:00 in Minsk
    assert next_digest(prefs, now) == datetime(2022, 10, 13, 5, 0, tzinfo=UTC)
    assert last_digest(prefs, now) == datetime(2022, 10, 12, 5, 0, tzinfo=UTC)
    hourly = DeliveryChoices(delivery=Delivery.HOURLY, timezone="Asia/Kolkata")  # UTC+5:30
    assert next_digest(hourly, now) == datetime(2022, 10, 12, 12, 30, tzinfo=UTC)


def test_quiet_hours_wrap_around_local_midnight() -> None:
    prefs = DeliveryChoices(timezone=MINSK, quiet_start=23, quiet_end=7)
    end = datetime(2022, 10, 13, 4, 0, tzinfo=UTC)
    assert quiet_until(prefs, datetime(2022, 10, 12, 19, 59, tzinfo=UTC)) is None  # 22:59
    assert quiet_until(prefs, datetime(2022, 10, 12, 20, 0, tzinfo=UTC)) == end  # 23:00
    assert quiet_until(prefs, datetime(2022, 10, 13, 3, 59, tzinfo=UTC)) == end  # 06:59
    assert quiet_until(prefs, datetime(2022, 10, 13, 4, 0, tzinfo=UTC)) is None  # 07:00


def test_plan_holds_silences_or_lets_urgent_through() -> None:
    night = datetime(2022, 10, 12, 22, 0, tzinfo=UTC)  # 01:00 in Minsk
    hold = DeliveryChoices(timezone=MINSK, quiet_start=23, quiet_end=7, quiet_urgent=True)
    assert plan(hold, priority=0, created_at=night, now=night).hold_until is not None
    assert plan(hold, priority=2, created_at=night, now=night).hold_until is None
    silent = DeliveryChoices(
        timezone=MINSK, quiet_start=23, quiet_end=7, quiet_mode=QuietMode.SILENT
    )
    assert plan(silent, priority=2, created_at=night, now=night).silent


@pytest.mark.parametrize("args", [[], ["25-07"], ["23"], ["23-07", "loud"], ["x-y"]], ids=" ".join)
def test_bad_quiet_arguments_are_refused(args: list[str]) -> None:
    with pytest.raises(ChoiceError):
        parse_quiet(args)


# -- through the application ------------------------------------------------------------------


async def test_daily_digest_at_eight_in_minsk_groups_by_topic_with_counts(
    sandbox: SandboxBotAPI, core: Core, clock: ManualClock
) -> None:
    await subscriber(sandbox, core, "/digest daily 8", f"/timezone {MINSK}")
    assert (await core.db.chats.prefs(CHAT)).delivery is Delivery.DAILY
    drills = await post(core, "d1", "Army drills near Yelsk", link="https://a.example/yelsk")
    await post(core, "m1", "Mobilization notices in Homiel")
    await post(
        core, "d1b", "Army drills near Yelsk", source="Other", link="https://a.example/yelsk"
    )
    await post(core, "d2", "Army drills <b>&amp; tanks</b> at Brest")  # hostile markup stays text
    assert drills

    await core.dispatcher.drain()
    assert alerts_to(sandbox) == []  # 15:00 in Minsk: held for the digest

    clock.set(datetime(2022, 10, 13, 4, 59, tzinfo=UTC))  # 07:59 in Minsk
    await core.dispatcher.drain()
    assert alerts_to(sandbox) == []

    clock.set(datetime(2022, 10, 13, 5, 0, tzinfo=UTC))  # 08:00 in Minsk
    await core.dispatcher.drain()
    digests = alerts_to(sandbox)
    assert len(digests) == 1
    digest = digests[0]
    assert digest.startswith("Digest: 3 stories")
    assert digest.index("Army drills near Yelsk") < digest.index(
        "Army drills <b>&amp; tanks</b> at Brest"
    )
    assert "Army drills near Yelsk a.example (2 sources)" in digest  # each link shows its domain
    assert "Mobilization" in digest
    assert await core.db.outbox.counts() == {"sent": 3}


async def test_quiet_hours_hold_low_and_let_urgent_break_through(
    sandbox: SandboxBotAPI, core: Core, clock: ManualClock
) -> None:
    await subscriber(sandbox, core, f"/timezone {MINSK}", "/quiet 23-07 hold urgent")
    clock.set(datetime(2022, 10, 12, 21, 0, tzinfo=UTC))  # midnight in Minsk
    await post(core, "d1", "Army drills near Yelsk")  # drills: medium severity
    await post(core, "m1", "Mobilization notices in Homiel")  # mobilization: high severity

    await core.dispatcher.drain()
    assert ["Homiel" in text for text in alerts_to(sandbox)] == [True]

    clock.set(datetime(2022, 10, 13, 3, 59, tzinfo=UTC))  # 06:59
    await core.dispatcher.drain()
    assert len(alerts_to(sandbox)) == 1
    clock.set(datetime(2022, 10, 13, 4, 0, tzinfo=UTC))  # 07:00: quiet hours are over
    await core.dispatcher.drain()
    assert ["Yelsk" in text for text in alerts_to(sandbox)] == [False, True]


async def test_silent_quiet_hours_send_without_notification(
    sandbox: SandboxBotAPI, core: Core, clock: ManualClock
) -> None:
    await subscriber(sandbox, core, "/quiet 23-07 silent", "/previews on")
    clock.set(datetime(2022, 10, 12, 23, 30, tzinfo=UTC))  # UTC: inside quiet hours
    await post(core, "d1", "Army drills near Yelsk")
    await core.dispatcher.drain()
    alert = sandbox.last_to(CHAT)
    assert "Army drills near Yelsk" in alert.visible_text
    assert alert.disable_notification
    assert alert.link_preview_options == {"is_disabled": False}


async def test_bad_choices_get_a_clear_answer(sandbox: SandboxBotAPI, core: Core) -> None:
    assert "Unknown time zone" in await say(sandbox, CHAT, "/timezone Mars/Olympus")
    assert "not an hour" in await say(sandbox, CHAT, "/quiet 25-07")
    assert "/quiet 23-07" in await say(sandbox, CHAT, "/quiet tonight")
    assert "/digest daily HH" in await say(sandbox, CHAT, "/digest weekly")
    assert (await core.db.chats.prefs(CHAT)) == DeliveryChoices()


async def test_alerts_go_to_the_forum_topic_chosen_with_here(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    forum = -1001234
    sandbox.register_chat(forum, "supergroup", "Monitoring")
    sandbox.set_admins(forum, [5])  # only a group's admins change where its alerts go
    sandbox.push_message(
        chat_id=forum,
        text="/subscribe drills",
        chat_type="supergroup",
        message_thread_id=77,
        user_id=5,
    )
    await sandbox.wait_for_messages(forum, 1)
    sandbox.push_message(
        chat_id=forum, text="/here", chat_type="supergroup", message_thread_id=77, user_id=5
    )
    await sandbox.wait_for_messages(forum, 2)
    assert (await core.db.chats.prefs(forum)).thread_id == 77
    await post(core, "d1", "Army drills near Yelsk")
    await core.dispatcher.drain()
    assert sandbox.last_to(forum).message_thread_id == 77


async def test_a_story_that_grows_edits_the_sent_alert(
    sandbox: SandboxBotAPI, core: Core, clock: ManualClock
) -> None:
    await subscriber(sandbox, core)
    link = "https://news.example.org/yelsk"
    await post(core, "d1", "Army drills near Yelsk", source="First", link=link)
    await core.dispatcher.drain()
    [alert] = [m for m in sandbox.messages_to(CHAT) if "Yelsk" in m.visible_text]
    assert "Reported by" not in alert.visible_text

    clock.advance(timedelta(minutes=5))
    await post(core, "d1-again", "Army drills near Yelsk", source="Second", link=link)
    report = await core.dispatcher.drain()

    assert report.edited == 1
    assert report.sent == 0
    assert len([m for m in sandbox.messages_to(CHAT) if "Yelsk" in m.visible_text]) == 1
    assert len(alert.edits) == 1
    assert "Reported by 2 sources" in alert.visible_text
    assert "First, Second" in alert.visible_text


async def test_a_story_that_grows_before_its_alert_went_out_is_sent_once_with_both(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await subscriber(sandbox, core)
    link = "https://news.example.org/yelsk"
    await post(core, "d1", "Army drills near Yelsk", source="First", link=link)
    await post(core, "d1-again", "Army drills near Yelsk", source="Second", link=link)
    report = await core.dispatcher.drain()
    assert (report.sent, report.edited) == (1, 0)
    [alert] = alerts_to(sandbox)
    assert "Reported by 2 sources: First, Second" in alert
