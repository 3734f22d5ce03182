"""Users with more patience than goodwill, end to end through the real application and the
sandbox Bot API: what a user sends affects only that user's chats, with the rights they
hold at that moment, and costs the bot no more than its own share (issue 21).

Churn that leaves the audience index as it was, a group that becomes a supergroup and
keeps every filter, forged button data, errors of one kind that must not mute the others,
a group admin demoted while the menu waits for their answer, another admin's draft, and
an owner's forwarded command.
"""

from __future__ import annotations

import logging

import pytest

from bot.context import Core
from bot.matching.matcher import read
from bot.pipeline.audience import Audience
from bot.ui.callbacks import AskKeywords, AskPlace, DraftConfirm, SetNear, decode
from sandbox import SandboxBotAPI
from tests.helpers.chat import ALICE, BOB, post_conversation, say, tap
from tests.helpers.settings import ADMIN_ID

GROUP, SUPERGROUP, GROUP_ADMIN, MEMBER = -700, -1000700, 31, 32


async def publish(sandbox: SandboxBotAPI, core: Core, text: str) -> None:
    """Post as the owner (topics, places, severity as found), confirm, deliver."""
    preview = await post_conversation(sandbox, ADMIN_ID, f"/post {text}", severity=None)
    assert preview.reply_markup is not None
    await tap(sandbox, ADMIN_ID, preview.reply_markup["inline_keyboard"][0][0]["callback_data"])
    await core.dispatcher.drain()


def got(sandbox: SandboxBotAPI, chat_id: int, words: str) -> bool:
    """Tell whether a chat received an alert with these words (not a reply that lists them)."""
    return any(
        words in message.visible_text and "🕒" in message.visible_text
        for message in sandbox.messages_to(chat_id)
    )


async def in_group(sandbox: SandboxBotAPI, chat_id: int, user_id: int, text: str) -> str:
    """Send a message in a group as a user and return the bot's reply."""
    before = len(sandbox.messages_to(chat_id))
    sandbox.push_message(chat_id=chat_id, user_id=user_id, chat_type="group", text=text)
    return (await sandbox.wait_for_messages(chat_id, before + 1))[-1].visible_text


async def test_churn_leaves_the_audience_index_as_it_was(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    await say(sandbox, ALICE, "/subscribe drills")
    await say(sandbox, ALICE, "/watch колонна")
    await say(sandbox, BOB, "/start")  # a chat of the index from now on, with nothing in it
    audience = core.pipeline.audience
    assert audience is not None
    await audience.sync(core.db)
    before = audience.index.footprint()

    for round_ in range(25):
        await say(sandbox, BOB, f"/watch слово{round_}, фраза номер {round_}")
        await say(sandbox, BOB, f"/exclude шум{round_}")
        await say(sandbox, BOB, f"/near Мозырь {round_ + 1}")
        await say(sandbox, BOB, f"/border ua {round_ + 1}")
        await audience.sync(core.db)  # as a fan-out between the commands would
        assert audience.index.footprint() != before
        await say(sandbox, BOB, "/unwatch")
        await say(sandbox, BOB, "/unexclude")
        await say(sandbox, BOB, "/anywhere")
    await audience.sync(core.db)
    assert audience.index.footprint() == before

    # What stayed still works: ALICE's own word reaches her.
    await publish(sandbox, core, "Колонна техники замечена у Мозыря")
    assert got(sandbox, ALICE, "Колонна техники")


async def test_a_group_that_becomes_a_supergroup_keeps_every_filter(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    sandbox.register_chat(GROUP, "group", title="Watchers")
    sandbox.set_admins(GROUP, [GROUP_ADMIN])
    for command in ("/subscribe drills", "/near Мозырь 30", "/exclude фейк", "/severity medium"):
        await in_group(sandbox, GROUP, GROUP_ADMIN, command)
    await in_group(sandbox, GROUP, GROUP_ADMIN, "/digest off")
    before = await core.db.filters.get(GROUP)
    assert before.near and before.exclude and before.topics

    sandbox.push_migration(GROUP, SUPERGROUP, user_id=GROUP_ADMIN)
    await sandbox.wait_for(lambda: sandbox.pending_updates == 0)
    # The bot answers nothing to a move; a command in the supergroup comes after it.
    await in_group(sandbox, SUPERGROUP, GROUP_ADMIN, "/filters")
    after = await core.db.filters.get(SUPERGROUP)
    assert after.active
    assert (after.topics, after.near, after.exclude, after.min_severity) == (
        before.topics,
        before.near,
        before.exclude,
        before.min_severity,
    )
    assert not (await core.db.filters.get(GROUP)).active

    texts = {
        "near": "Учения войск начались под Калинковичами",  # 10 km from Mazyr: reaches it
        "far": "Учения войск начались под Витебском",  # outside its circle
        "vetoed": "Учения войск под Калинковичами: фейк",  # its exclusion
    }
    for text in texts.values():
        await publish(sandbox, core, text)
    assert got(sandbox, SUPERGROUP, "Калинковичами")
    assert not got(sandbox, SUPERGROUP, "Витебском")
    assert not got(sandbox, SUPERGROUP, "фейк")
    assert sandbox.messages_to(GROUP)[-1].visible_text != texts["near"]

    # After a restart the index is built from storage: the same chats, the same answers.
    fresh = Audience(core.catalog, core.matcher.places)
    for name, text in texts.items():
        reading = read(text)
        chats = await fresh.recipients(core.db, core.matcher.classify(reading), reading)
        assert (SUPERGROUP in chats) == (name == "near"), name
        assert GROUP not in chats


FORGED = [
    "set:pl:nk:1001",  # a radius over the bound
    "set:pl:nk:0",
    "set:dl:h:24",  # an hour that is not one
    "lt:*:2147483648",  # an offset over the bound
    "lt:drills:-1",
    "set:pl:rg:100",
    "pd:0:next",
    "dr:9223372036854775808:ok",  # one over SQLite's largest row id
    "set:pl:bk:ua:٣٠",  # Arabic-Indic digits
    "t:drills\n",
    "set:sv:critical",
    "why:9223372036854775808",  # the buttons under an alert are bounded the same way
    "nr:0:undo",
    "fb:-1",
]


@pytest.mark.parametrize("data", FORGED, ids=range(len(FORGED)))
async def test_forged_button_data_gets_a_short_answer(
    sandbox: SandboxBotAPI, core: Core, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    await say(sandbox, ALICE, "/settings")
    menu = sandbox.last_to(ALICE)
    answers = len(sandbox.callback_answers)
    with caplog.at_level(logging.ERROR):
        sandbox.push_callback(chat_id=ALICE, user_id=ALICE, message_id=menu.message_id, data=data)
        await sandbox.wait_for(lambda: len(sandbox.callback_answers) > answers)
    assert decode(data) is None
    assert sandbox.callback_answers[-1].get("text") == "This button no longer works."
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(sandbox.messages_to(ADMIN_ID)) == 1  # the /start reply; no error notice


async def test_errors_of_one_kind_do_not_mute_the_others(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    faults = [
        (ALICE, "Bad Request: message thread not found"),
        (BOB, "Bad Request: message is too long"),
        (ALICE, "Bad Request: message thread not found"),  # the first kind again: not told
    ]

    def apologies() -> int:
        return sum("went wrong" in m.visible_text for m in sandbox.sent)

    for count, (chat, description) in enumerate(faults, start=1):
        sandbox.fail_next("sendMessage", error_code=400, description=description, chat_id=chat)
        sandbox.push_message(chat_id=chat, text="/help")

        def apologised(n: int = count) -> bool:
            return apologies() == n

        await sandbox.wait_for(apologised)
    notices = [
        m.visible_text for m in sandbox.messages_to(ADMIN_ID) if "hit an error" in m.visible_text
    ]
    assert len(notices) == 2
    assert "thread not found" in notices[0].lower()
    assert "too long" in notices[1].lower()


async def test_a_group_admin_demoted_mid_step_changes_nothing(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    sandbox.register_chat(GROUP, "group", title="Watchers")
    sandbox.set_admins(GROUP, [GROUP_ADMIN])
    sandbox.push_message(chat_id=GROUP, user_id=GROUP_ADMIN, chat_type="group", text="/settings")
    menu = (await sandbox.wait_for_messages(GROUP, 1))[-1]

    async def press(data: str) -> None:
        answers = len(sandbox.callback_answers)
        sandbox.push_callback(
            chat_id=GROUP, user_id=GROUP_ADMIN, message_id=menu.message_id, data=data
        )
        await sandbox.wait_for(lambda: len(sandbox.callback_answers) > answers)

    await press(AskKeywords().encode())
    sandbox.set_admins(GROUP, [])  # demoted while the menu waits for the words
    reply = await in_group(sandbox, GROUP, GROUP_ADMIN, "танки, колонна")
    assert "Only the group's admins" in reply
    assert (await core.db.filters.get(GROUP)).watch == ()
    # The wait is over: the same words again are nobody's answer.
    sandbox.set_admins(GROUP, [GROUP_ADMIN])
    sandbox.push_message(chat_id=GROUP, user_id=GROUP_ADMIN, chat_type="group", text="танки")
    await sandbox.wait_for(lambda: sandbox.pending_updates == 0)
    assert (await core.db.filters.get(GROUP)).watch == ()
    # A place typed as an admin, a radius tapped after the demotion: refused too.
    await press(AskPlace().encode())
    assert "How far around" in await in_group(sandbox, GROUP, GROUP_ADMIN, "Мозырь")
    sandbox.set_admins(GROUP, [])
    await press(SetNear(30).encode())
    assert "Only the group's admins" in sandbox.callback_answers[-1].get("text", "")
    assert (await core.db.filters.get(GROUP)).near == ()


async def test_only_its_author_confirms_a_draft(sandbox: SandboxBotAPI, core: Core) -> None:
    await say(sandbox, ALICE, "/start")
    helper = 77
    assert "is now an admin" in await say(sandbox, ADMIN_ID, f"/admins add {helper}")
    await say(sandbox, helper, "/broadcast Плановые работы ночью", replies=2)
    theirs = sandbox.messages_to(helper)[-2]
    assert theirs.reply_markup is not None
    step = decode(theirs.reply_markup["inline_keyboard"][0][0]["callback_data"])
    assert isinstance(step, DraftConfirm)

    # The owner, another admin, taps Confirm with that draft's data on a message of theirs.
    await say(sandbox, ADMIN_ID, "/broadcast Моё объявление", replies=2)
    mine = sandbox.messages_to(ADMIN_ID)[-2]
    answers = len(sandbox.callback_answers)
    sandbox.push_callback(
        chat_id=ADMIN_ID, user_id=ADMIN_ID, message_id=mine.message_id, data=step.encode()
    )
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) > answers)
    assert "Only the admin who wrote this draft" in sandbox.callback_answers[-1].get("text", "")
    await core.dispatcher.drain()
    assert not got(sandbox, ALICE, "Плановые работы")
    draft = await core.db.admin.draft(step.draft)
    assert draft is not None and draft.state == "open"

    # Its author still can.
    await tap(sandbox, helper, step)
    await core.dispatcher.drain()
    assert got(sandbox, ALICE, "Плановые работы")


async def test_numbers_no_int_reads_get_the_usage_not_an_error(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    # 900 digits pass the front door's length cap, and overflow SQLite's integers.
    for command in ("/removesource ²", f"/pausesource {'9' * 900}", "/resumesource #٣"):
        assert "Usage:" in await say(sandbox, ADMIN_ID, command)
    for command in ("/admins add ²", "/admins add --5", f"/admins remove {'9' * 900}"):
        assert "/admins add USER_ID" in await say(sandbox, ADMIN_ID, command)
    assert not [m for m in sandbox.messages_to(ADMIN_ID) if "hit an error" in m.visible_text]


async def test_an_owner_forwarding_a_command_grants_nothing(
    sandbox: SandboxBotAPI, core: Core
) -> None:
    await say(sandbox, ADMIN_ID, "/start")
    # Someone asks the owner to pass on their message: it runs as no one's command.
    sandbox.push_message(chat_id=ADMIN_ID, text=f"/admins add {BOB}", forwarded_from=BOB)
    answered = await say(sandbox, ADMIN_ID, "/admins")  # handled after the forward (in order)
    assert str(BOB) not in answered
    assert not await core.db.admin.is_admin(BOB)
    assert "only Outpost admins" in await say(sandbox, BOB, "/stats")
