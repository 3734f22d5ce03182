"""Learning from subscribers through the real application: the buttons under every alert,
"Why this alert?", "Not relevant" (once per chat, taken back by whoever set it), /feedback
for admins, and forged presses that count for nothing."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app import OutpostApp
from bot.context import Core
from bot.pipeline.store import record_post
from bot.runtime.clock import ManualClock
from bot.ui.callbacks import FeedbackPage, NotRelevant, UndoNotRelevant, WhyAlert, decode
from sandbox import SandboxBotAPI
from sandbox.botapi import SentMessage
from tests.helpers.chat import ALICE, BOB, post_conversation, say
from tests.helpers.cli import outpost as run_cli
from tests.helpers.paths import PROJECT
from tests.helpers.posts import source_post
from tests.helpers.settings import ADMIN_ID

GROUP = -4001
YELSK = "Учения у Ельска: колонна техники прошла к полигону"
MOZYR = "Мобилизация резервистов в Мозыре: повестки вручают всем мужчинам"


async def post(
    core: Core, key: str, text: str, *, source: str = "Src", link: str | None = None
) -> int:
    """Record a source's post, queueing alerts for its subscribers; return its story."""
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


def alert_of(sandbox: SandboxBotAPI, chat_id: int, story: int) -> SentMessage:
    """The message that carries a story's buttons in a chat."""
    why = WhyAlert(story).encode()
    return next(m for m in sandbox.messages_to(chat_id) if m.reply_markup and why in buttons_of(m))


def buttons_of(message: SentMessage) -> list[str]:
    """The callback data of a message's buttons."""
    rows = message.reply_markup["inline_keyboard"] if message.reply_markup else []
    return [button["callback_data"] for row in rows for button in row]


async def press(
    sandbox: SandboxBotAPI, chat_id: int, message_id: int, data: str, *, user: int | None = None
) -> dict[str, Any]:
    """Press a button of a message as a user (the chat's own user by default); return the
    bot's answer to the press."""
    before = len(sandbox.callback_answers)
    sandbox.push_callback(
        chat_id=chat_id, user_id=user or chat_id, message_id=message_id, data=data
    )
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) > before)
    return sandbox.callback_answers[before]


async def told(sandbox: SandboxBotAPI, chat_id: int, text: str) -> str:
    """Send a message as a chat's user and return the bot's reply as the user reads it."""
    await say(sandbox, chat_id, text)
    return sandbox.last_to(chat_id).visible_text


async def flags(core: Core) -> list[tuple[int, int, int]]:
    """Every recorded flag as (story, chat, user)."""
    rows = await core.db.fetchall("SELECT story_id, chat_id, user_id FROM feedback ORDER BY 1, 2")
    return [(row[0], row[1], row[2]) for row in rows]


async def test_an_alert_carries_why_and_not_relevant_and_a_digest_none(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    await say(sandbox, BOB, "/subscribe drills")
    await say(sandbox, BOB, "/digest hourly")
    story = await post(core, "y1", YELSK)
    await core.dispatcher.drain()

    alert = alert_of(sandbox, ALICE, story)
    assert "Ельска" in alert.visible_text
    assert buttons_of(alert) == [WhyAlert(story).encode(), NotRelevant(story).encode()]
    labels = [b["text"] for row in alert.reply_markup["inline_keyboard"] for b in row]
    assert labels == ["❓ Why this alert?", "👎 Not relevant"]
    # The outbox knows the message the buttons are on.
    assert await core.db.outbox.sent_message(story, ALICE) == alert.message_id
    # Bob gets stories in an hourly digest: many stories, one message, no buttons.
    assert not any(m.reply_markup for m in sandbox.messages_to(BOB) if "Ельска" in m.visible_text)


async def test_the_buttons_speak_the_chats_language(sandbox: SandboxBotAPI, core: Core) -> None:
    sandbox.push_message(chat_id=ALICE, text="/subscribe drills", language_code="be")
    await sandbox.wait_for_messages(ALICE, 1)
    story = await post(core, "y1", YELSK)
    await core.dispatcher.drain()
    alert = alert_of(sandbox, ALICE, story)
    labels = [b["text"] for row in alert.reply_markup["inline_keyboard"] for b in row]
    assert labels == ["❓ Чаму гэтае апавяшчэнне?", "👎 Не па тэме"]


async def test_why_names_the_words_the_place_and_the_filter_that_let_it_through(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    await say(sandbox, ALICE, "/near Mazyr 50")
    await say(sandbox, ALICE, "/watch колонна")
    story = await post(core, "y1", YELSK)
    await core.dispatcher.drain()
    alert = alert_of(sandbox, ALICE, story)

    before = len(sandbox.messages_to(ALICE))
    answer = await press(sandbox, ALICE, alert.message_id, WhyAlert(story).encode())
    [why] = (await sandbox.wait_for_messages(ALICE, before + 1))[before:]
    text = why.visible_text

    assert answer["text"] is None  # the answer is the message, not a pop-up
    assert text.startswith("❓ Why this alert")
    # The words of the text and what each hit (a frame's concepts, here "exercise").
    assert "“Учения” → concepts “exercise”" in text
    # The place, its oblast and how close it is to the border.
    assert "📍 Yelsk (Gomel region), 17 km from the border with Ukraine" in text
    # The chat's side: the topic it follows, its own keyword, the /near circle it meets.
    assert "You follow 🎯 Drills: this report is 🟠 Medium, your minimum is 🟢 Low." in text
    assert "Your own keywords found in it: “колонна”" in text
    assert "within 50 km of Mazyr: Yelsk, " in text
    assert "would not reach" not in text
    # It is a reply to the alert, and hostile markup could not get in: it parsed as HTML.
    assert why.parse_mode == "HTML"

    # A second tap soon after points at the answer instead of writing it again.
    answer = await press(sandbox, ALICE, alert.message_id, WhyAlert(story).encode())
    assert "see above" in answer["text"]
    assert len(sandbox.messages_to(ALICE)) == before + 1


async def test_why_says_what_a_rule_graded_and_what_the_chat_would_now_refuse(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe statements mobilization")
    await say(sandbox, ALICE, "/severity medium")
    story = await post(
        core,
        "d1",
        "Военкоматы рассылают повестки резервистам. Минобороны опровергло слухи о мобилизации",
    )
    await core.dispatcher.drain()
    alert = alert_of(sandbox, ALICE, story)
    await say(sandbox, ALICE, "/exclude резервист")  # after the alert went out
    before = len(sandbox.messages_to(ALICE))
    await press(sandbox, ALICE, alert.message_id, WhyAlert(story).encode())
    [why] = (await sandbox.wait_for_messages(ALICE, before + 1))[before:]
    text = why.visible_text
    assert "“мобилизации” made it 🟢 Low: a denial or a rumour of a call-up" in text
    assert "You follow 📜 Mobilization: this report is 🔴 High" in text
    assert (
        "You follow 📢 Official statements too, but this report is 🟢 Low, below your minimum"
        in text
    )
    assert "Your excluded words found in it: “резервист”" in text
    assert "With your filters as they are now, this report would not reach this chat." in text


async def test_not_relevant_counts_once_is_taken_back_and_shows_in_feedback(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    story = await post(core, "y1", YELSK)
    await core.dispatcher.drain()
    alert = alert_of(sandbox, ALICE, story)

    answer = await press(sandbox, ALICE, alert.message_id, NotRelevant(story).encode())
    assert answer["text"].startswith("Thanks!")
    await sandbox.wait_for(lambda: UndoNotRelevant(story).encode() in buttons_of(alert))
    assert buttons_of(alert) == [WhyAlert(story).encode(), UndoNotRelevant(story).encode()]
    # A second press (an old button, or a forged one) is not counted twice.
    answer = await press(sandbox, ALICE, alert.message_id, NotRelevant(story).encode())
    assert "already" in answer["text"]
    assert await flags(core) == [(story, ALICE, ALICE)]

    # An admin sees it with an excerpt, its topics and the chats that flagged it.
    page = await told(sandbox, ADMIN_ID, "/feedback")
    assert page.startswith("🚩 Marked as not relevant, the latest marked first\n1. ")
    assert f"1. {YELSK}\n" in page  # an excerpt of the report, its title not repeated
    assert "🎯 Drills" in page
    assert "marked by 1 of 1 chat it reached" in page
    # Anyone else is refused.
    assert await say(sandbox, BOB, "/feedback") == "Sorry, only Outpost admins can do that."

    # Taken back: the flag is gone, the button is "Not relevant" again, /feedback is empty.
    answer = await press(sandbox, ALICE, alert.message_id, UndoNotRelevant(story).encode())
    assert answer["text"].startswith("Taken back")
    await sandbox.wait_for(lambda: NotRelevant(story).encode() in buttons_of(alert))
    assert await flags(core) == []
    assert "No alert has been marked" in await told(sandbox, ADMIN_ID, "/feedback")


async def test_in_a_group_the_flag_is_the_chats_and_only_its_setter_takes_it_back(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    sandbox.register_chat(GROUP, "group", "Watchers", admins=[ALICE])
    sandbox.push_message(chat_id=GROUP, user_id=ALICE, chat_type="group", text="/subscribe drills")
    await sandbox.wait_for_messages(GROUP, 1)
    story = await post(core, "y1", YELSK)
    await core.dispatcher.drain()
    alert = alert_of(sandbox, GROUP, story)

    await press(sandbox, GROUP, alert.message_id, NotRelevant(story).encode(), user=BOB)
    answer = await press(sandbox, GROUP, alert.message_id, NotRelevant(story).encode(), user=ALICE)
    assert "already" in answer["text"]
    answer = await press(
        sandbox, GROUP, alert.message_id, UndoNotRelevant(story).encode(), user=ALICE
    )
    assert answer["text"] == "Only the person who marked it can take it back."
    assert await flags(core) == [(story, GROUP, BOB)]


async def test_a_forged_press_for_another_chats_story_counts_for_nothing(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    await say(sandbox, BOB, "/subscribe mobilization")
    drills = await post(core, "y1", YELSK)
    mobilization = await post(core, "m1", MOZYR)
    await core.dispatcher.drain()
    alice_alert = alert_of(sandbox, ALICE, drills)
    bob_alert = alert_of(sandbox, BOB, mobilization)
    bob_help = sandbox.messages_to(BOB)[0]  # the reply to /subscribe: no alert at all

    refused = "This button does not belong to an alert this chat was sent."
    # Bob was never sent the drills story: not on his alert, not on another message.
    for message_id in (bob_alert.message_id, bob_help.message_id):
        for data in (NotRelevant(drills), UndoNotRelevant(drills), WhyAlert(drills)):
            answer = await press(sandbox, BOB, message_id, data.encode())
            assert answer["text"] == refused
    # Alice's alert is about drills: a press naming Bob's story on it is refused too.
    answer = await press(sandbox, ALICE, alice_alert.message_id, NotRelevant(mobilization).encode())
    assert answer["text"] == refused
    # A press on Alice's alert that comes from Bob's chat cannot exist: Telegram sends a
    # press with the message it was on, and Bob's chat holds no message of Alice's.
    assert await flags(core) == []
    assert not any("Why this alert" in m.visible_text for m in sandbox.messages_to(BOB))
    assert buttons_of(alice_alert) == [WhyAlert(drills).encode(), NotRelevant(drills).encode()]


async def test_a_grown_story_keeps_its_buttons_as_the_chat_left_them(
    sandbox: SandboxBotAPI, core: Core, clock: ManualClock
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    link = "https://news.example.org/yelsk"
    story = await post(core, "y1", YELSK, source="First", link=link)
    await core.dispatcher.drain()
    alert = alert_of(sandbox, ALICE, story)
    await press(sandbox, ALICE, alert.message_id, NotRelevant(story).encode())
    await sandbox.wait_for(lambda: UndoNotRelevant(story).encode() in buttons_of(alert))

    clock.advance(timedelta(minutes=5))
    await post(core, "y1-again", YELSK, source="Second", link=link)
    report = await core.dispatcher.drain()
    assert report.edited == 1
    assert "Reported by 2 sources" in alert.visible_text
    assert buttons_of(alert) == [WhyAlert(story).encode(), UndoNotRelevant(story).encode()]


async def test_feedback_pages_for_admins_only(sandbox: SandboxBotAPI, core: Core) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    towns = ("Ельска", "Мозыря", "Бреста", "Гродно", "Лиды", "Барановичей", "Осиповичей")
    stories = [
        await post(core, f"d{n}", f"Учения войск у {town} начнутся через {n + 2} дня")
        for n, town in enumerate(towns)
    ]
    assert len(set(stories)) == len(towns)
    await core.dispatcher.drain()
    for story in stories:
        alert = alert_of(sandbox, ALICE, story)
        await press(sandbox, ALICE, alert.message_id, NotRelevant(story).encode())

    await say(sandbox, ADMIN_ID, "/feedback")
    page = sandbox.last_to(ADMIN_ID)
    assert page.visible_text.count(" · #") == 5
    assert f"#{stories[-1]}" in page.visible_text  # the latest marked first
    assert f"#{stories[0]}" not in page.visible_text
    [older] = buttons_of(page)
    assert decode(older) == FeedbackPage(5)

    await press(sandbox, ADMIN_ID, page.message_id, older)
    await sandbox.wait_for(lambda: f"#{stories[0]}" in page.visible_text)
    assert f"#{stories[-1]}" not in page.visible_text

    # A press on the admin's page sent from another chat, or by someone else, shows nothing.
    answer = await press(sandbox, ADMIN_ID, page.message_id, FeedbackPage(0).encode(), user=BOB)
    assert answer["text"] == "Sorry, only Outpost admins can do that."
    assert f"#{stories[0]}" in page.visible_text


async def test_flags_export_as_a_corpus_that_bench_quality_scores(
    sandbox: SandboxBotAPI, core: Core, tmp_path: Path
) -> None:
    await say(sandbox, ALICE, "/subscribe drills mobilization")
    await say(sandbox, BOB, "/subscribe drills")
    drills = await post(core, "y1", YELSK)
    kept = await post(core, "m1", MOZYR)
    await core.dispatcher.drain()
    for chat in (ALICE, BOB):
        alert = alert_of(sandbox, chat, drills)
        await press(sandbox, chat, alert.message_id, NotRelevant(drills).encode())
    assert (await core.db.outbox.sent_message(kept, ALICE)) is not None  # sent, not flagged

    corpus = tmp_path / "flagged.jsonl"
    env = {"OUTPOST_DATABASE": str(core.settings.database)}
    code, out, err = await run_cli("feedback", "export", str(corpus), env=env, cwd=tmp_path)
    assert (code, err) == (0, "")
    assert out.strip() == f"wrote 1 flagged stories to {corpus}"
    [line] = corpus.read_text(encoding="utf-8").splitlines()
    item = json.loads(line)
    assert item["id"] == f"feedback-{drills}"
    assert (item["lang"], item["text"], item["url"]) == (
        "ru",
        YELSK,
        "https://news.example.org/y1",
    )
    assert item["topics"] == [] and item["also"] == []  # a negative for what the bot said
    assert "drills" in item["flagged_topics"]
    assert item["places"] == ["Yelsk"]
    assert (item["flagged_by"], item["reached"]) == (2, 2)
    assert "flagged not relevant by 2 of 2 chats" in item["note"]
    # The same lines on stdout without FILE.
    code, out, _ = await run_cli("feedback", "export", env=env, cwd=tmp_path)
    assert (code, out) == (0, line + "\n")

    # bench/quality.py reads it as it reads the shared corpus: the matcher still gives the
    # flagged topics, so each is a false alarm on a negative.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROJECT / "bench" / "quality.py"),
        "--json",
        "--corpus",
        str(corpus),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    figures = json.loads(stdout)
    assert figures["items"] == 1
    assert figures["false_positives_on_negatives"] == 1
    assert (figures["tp"], figures["fn"]) == (0, 0)
    assert figures["fp"] == len(item["flagged_topics"])


async def test_a_long_alert_has_its_buttons_on_the_part_the_outbox_records(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe drills")
    story = await post(core, "long", "Учения войск у Ельска, " + "очень долгие, " * 600 + "идут.")
    await core.dispatcher.drain()
    parts = sandbox.messages_to(ALICE)[1:]  # after the reply to /subscribe
    assert len(parts) > 1
    assert "очень долгие" in parts[-1].visible_text
    assert [bool(m.reply_markup) for m in parts] == [True] + [False] * (len(parts) - 1)
    assert await core.db.outbox.sent_message(story, ALICE) == parts[0].message_id


async def test_a_verified_update_explains_itself_and_an_announcement_has_no_buttons(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ALICE, "/subscribe mobilization")
    preview = await post_conversation(sandbox, ADMIN_ID, "/post Мобилизация резервистов в Мозыре")
    [confirm, _] = buttons_of(preview)
    await press(sandbox, ADMIN_ID, preview.message_id, confirm)
    await say(sandbox, ADMIN_ID, "/broadcast Maintenance tonight", replies=2)
    notice = sandbox.messages_to(ADMIN_ID)[-2]
    [confirm, _] = buttons_of(notice)
    await press(sandbox, ADMIN_ID, notice.message_id, confirm)
    await core.dispatcher.drain()

    [update] = [m for m in sandbox.messages_to(ALICE) if "Verified update" in m.visible_text]
    [announcement] = [m for m in sandbox.messages_to(ALICE) if "Announcement" in m.visible_text]
    assert announcement.reply_markup is None
    [why_data, _] = buttons_of(update)
    before = len(sandbox.messages_to(ALICE))
    await press(sandbox, ALICE, update.message_id, why_data)
    [why] = (await sandbox.wait_for_messages(ALICE, before + 1))[before:]
    assert "A verified update: an Outpost admin chose its topics and places." in why.visible_text
    assert "📜 Mobilization (🔴 High): chosen by an Outpost admin" in why.visible_text


async def test_an_old_alert_after_retention_still_answers_sensibly(
    sandbox: SandboxBotAPI, outpost: OutpostApp, clock: ManualClock
) -> None:
    core = outpost.bot_data.core
    assert outpost.job_queue is not None
    [retention] = outpost.job_queue.get_jobs_by_name("retention")  # the daily job
    await say(sandbox, ALICE, "/subscribe drills")
    story = await post(core, "y1", YELSK)
    await core.dispatcher.drain()
    alert = alert_of(sandbox, ALICE, story)

    async def alerts_and_text() -> tuple[int, str]:
        row = await core.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM outbox), text FROM events WHERE story_id = ?", (story,)
        )
        assert row is not None
        return int(row[0]), str(row[1])

    # Twenty days on, the alert and its report's text are kept: Why reads the words.
    clock.advance(timedelta(days=20))
    await retention.run(outpost)
    assert await alerts_and_text() == (1, YELSK)
    before = len(sandbox.messages_to(ALICE))
    await press(sandbox, ALICE, alert.message_id, WhyAlert(story).encode())
    [why] = (await sandbox.wait_for_messages(ALICE, before + 1))[before:]
    assert "“Учения” → concepts" in why.visible_text

    # Forty days on, the alert has left the outbox and the report its text (the job's
    # second run looks from where its first got to): the buttons are refused with a short
    # answer, no error, and the story still shows in /latest with its summary.
    clock.advance(timedelta(days=20))
    await retention.run(outpost)
    assert await alerts_and_text() == (0, "")
    for data in (WhyAlert(story).encode(), NotRelevant(story).encode()):
        answer = await press(sandbox, ALICE, alert.message_id, data)
        assert answer["text"] == "This button does not belong to an alert this chat was sent."
    assert await flags(core) == []
    assert "Ельска" in await told(sandbox, ALICE, "/latest")
