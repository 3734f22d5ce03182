"""Place filters, severity, own keywords and exclusions: chat commands through the real
application and the sandbox Bot API, delivery through admin posts and the outbox."""

from __future__ import annotations

from bot.context import Core
from sandbox import SandboxBotAPI
from tests.helpers.chat import post_conversation, say, tap
from tests.helpers.settings import ADMIN_ID

ALICE, BOB, CAROL, DAVE, EVE, FRANK = 2001, 2002, 2003, 2004, 2005, 2006


async def post(sandbox: SandboxBotAPI, core: Core, text: str) -> str:
    """Post as the admin (topics, places and severity as found), deliver, return the receipt."""
    preview = await post_conversation(sandbox, ADMIN_ID, f"/post {text}", severity=None)
    assert preview.reply_markup is not None
    await tap(sandbox, ADMIN_ID, preview.reply_markup["inline_keyboard"][0][0]["callback_data"])
    await core.dispatcher.drain()
    return sandbox.last_to(ADMIN_ID).text or ""


def got(sandbox: SandboxBotAPI, chat_id: int, words: str) -> bool:
    """Tell whether a chat received an alert containing some words."""
    return any(words in (message.text or "") for message in sandbox.messages_to(chat_id))


async def test_place_filters(sandbox: SandboxBotAPI, core: Core) -> None:
    for chat in (ALICE, BOB, CAROL):
        await say(sandbox, chat, "/subscribe drills")
    reply = await say(sandbox, ALICE, "/near Мозырь 20")
    assert "within 20 km of Mazyr" in reply
    reply = await say(sandbox, BOB, "/border ukraine 25")
    assert "within 25 km of the border with Ukraine" in reply
    reply = await say(sandbox, CAROL, "/region gomel")
    assert "Gomel region" in reply

    await post(sandbox, core, "Учения войск начались под Калинковичами")  # 10 km from Mazyr
    await post(sandbox, core, "Учения войск у Ельска, в 17 км от границы")  # Gomel, 17 km from UA
    await post(sandbox, core, "Учения войск начались под Витебском")
    assert got(sandbox, ALICE, "Калинковичами")
    assert not got(sandbox, ALICE, "Ельска")  # 26 km from Mazyr
    assert got(sandbox, BOB, "Ельска")
    assert not got(sandbox, BOB, "Калинковичами")  # 50 km from the border
    assert got(sandbox, CAROL, "Калинковичами") and got(sandbox, CAROL, "Ельска")
    assert not any(got(sandbox, chat, "Витебском") for chat in (ALICE, BOB, CAROL))

    reply = await say(sandbox, ALICE, "/anywhere")
    assert "Places: anywhere" in reply
    await post(sandbox, core, "Учения войск идут под Оршей")
    assert got(sandbox, ALICE, "Оршей")
    assert not got(sandbox, CAROL, "Оршей")


async def test_raions_and_stations_in_filters(sandbox: SandboxBotAPI, core: Core) -> None:
    for chat in (ALICE, BOB, CAROL, DAVE):
        await say(sandbox, chat, "/subscribe drills")
    assert "within 5 km of Brest-Centralnyi" in await say(
        sandbox, ALICE, "/near Brest-Centralnyi 5"
    )
    assert "within 10 km of the border with Poland" in await say(sandbox, BOB, "/border pl 10")
    assert "Mogilev region" in await say(sandbox, CAROL, "/region Асіповіцкі раён")
    assert "within 15 km of Asipovichy District" in await say(
        sandbox, DAVE, "/near Осиповичский район 15"
    )

    await post(sandbox, core, "Учения войск на станции Брест-Центральный")  # 3 km from Poland
    await post(sandbox, core, "Учения войск начались в Осиповичском районе")
    await post(sandbox, core, "Army drills near Asipovichy railway station")  # the town, 10 km
    assert got(sandbox, ALICE, "Брест-Центральный") and got(sandbox, BOB, "Брест-Центральный")
    assert not got(sandbox, CAROL, "Брест-Центральный")
    assert not got(sandbox, DAVE, "Брест-Центральный")
    assert got(sandbox, CAROL, "Осиповичском районе") and got(sandbox, DAVE, "Осиповичском")
    assert not got(sandbox, ALICE, "Осиповичском") and not got(sandbox, BOB, "Осиповичском")
    assert got(sandbox, DAVE, "Asipovichy railway station")


async def test_bad_filters_get_a_clear_answer(sandbox: SandboxBotAPI, core: Core) -> None:
    assert "know a place" in await say(sandbox, ALICE, "/near Atlantis 5")
    assert "not a neighbour" in await say(sandbox, ALICE, "/border mars 5")
    assert "between 1 and 300" in await say(sandbox, ALICE, "/border ua 9999")
    assert "low, medium or high" in await say(sandbox, ALICE, "/severity extreme")
    assert "no words" in await say(sandbox, ALICE, "/watch !!!")
    assert "Places: anywhere" in await say(sandbox, ALICE, "/filters")
    audience = await core.db.filters.get(ALICE)
    assert not audience.located


async def test_own_keywords_and_exclusions(sandbox: SandboxBotAPI, core: Core) -> None:
    reply = await say(sandbox, DAVE, "/watch Искандер, колонна техники")
    assert "Искандер" in reply and "колонна техники" in reply
    await post(sandbox, core, "Два Искандера заметили под Брестом")  # another word form
    await post(sandbox, core, "Колонну военной техники видели у Мозыря")
    await post(sandbox, core, "Учения войск начались под Оршей")
    assert got(sandbox, DAVE, "Искандера")
    assert got(sandbox, DAVE, "Колонну военной техники")
    assert not got(sandbox, DAVE, "Оршей")

    await say(sandbox, DAVE, "/unwatch Искандер")
    await post(sandbox, core, "Искандеры снова под Брестом")
    assert not got(sandbox, DAVE, "снова под Брестом")
    reply = await say(sandbox, DAVE, "/unwatch")
    assert "Your keywords" not in reply

    await say(sandbox, FRANK, "/subscribe drills")
    await say(sandbox, FRANK, "/exclude Витебск")
    await post(sandbox, core, "Учения войск в Витебске продолжаются")
    await post(sandbox, core, "Учения войск в Гродно продолжаются")
    assert not got(sandbox, FRANK, "Витебске")
    assert got(sandbox, FRANK, "Гродно")
    await say(sandbox, FRANK, "/unexclude")
    await post(sandbox, core, "Учения войск в Витебске завершились")
    assert got(sandbox, FRANK, "Витебске завершились")


async def test_minimum_severity(sandbox: SandboxBotAPI, core: Core) -> None:
    await say(sandbox, EVE, "/subscribe drills mobilization")
    await say(sandbox, FRANK, "/subscribe mobilization")  # any severity
    reply = await say(sandbox, EVE, "/severity high")
    assert "Minimum severity: 🔴 High" in reply
    await post(sandbox, core, "Учения войск начались под Гродно")
    await post(sandbox, core, "Военкоматы рассылают повестки резервистам")
    await post(sandbox, core, "В Минобороны опровергли слухи о мобилизации")  # graded low
    assert not got(sandbox, EVE, "Учения")
    assert got(sandbox, EVE, "повестки")
    assert not got(sandbox, EVE, "опровергли")
    assert got(sandbox, FRANK, "опровергли") and got(sandbox, FRANK, "повестки")
    await say(sandbox, EVE, "/severity low")
    await post(sandbox, core, "Учения войск продолжаются под Лидой")
    assert got(sandbox, EVE, "Лидой")
