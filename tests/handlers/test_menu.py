"""/settings through the real application: every section changed by taps, typed answers,
the next alert reflecting the choices, and groups where only admins may change things."""

from __future__ import annotations

from pathlib import Path

from bot.chats.filters import COUNTRY_NAMES
from bot.context import Core
from bot.matching import PlaceIndex, default_catalog, default_places
from bot.models import ChatFilters, Delivery, DeliveryChoices, QuietMode, Severity
from bot.pipeline.cycle import run_cycle
from bot.ui import menu as settings_menu
from bot.ui.callbacks import (
    AskKeywords,
    AskPlace,
    AskZone,
    ChooseBorder,
    ClearKeywords,
    Close,
    QuietOff,
    Section,
    SetAnywhere,
    SetBorder,
    SetDelivery,
    SetDigestHour,
    SetLanguage,
    SetNear,
    SetPreviews,
    SetQuiet,
    SetQuietMode,
    SetRegion,
    SetSeverity,
    SettingsTap,
    SetTopic,
    SetZone,
    Show,
    ToggleUrgent,
)
from bot.ui.i18n import LANGUAGES
from bot.ui.texts import ui_for
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import ALICE, YELSK_LINK, last_buttons, say, tap
from tests.helpers.sources import add_samples


async def open_section(sandbox: SandboxBotAPI, chat_id: int, section: Section) -> None:
    """Go back to the first screen and open a section."""
    await tap(sandbox, chat_id, Show(Section.MAIN))
    await tap(sandbox, chat_id, Show(section))


async def test_round_trip_through_every_section(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    db, places = core.db, core.matcher.places
    menu = await say(sandbox, ALICE, "/settings")
    assert "Settings" in menu
    edits_before = len(sandbox.messages_to(ALICE))

    # Topics
    await tap(sandbox, ALICE, Show(Section.TOPICS))
    await tap(sandbox, ALICE, SetTopic("drills"))
    assert await db.chats.topics_of(ALICE) == {"drills"}
    assert any(b == SetTopic("drills").encode() for b in last_buttons(sandbox, ALICE))
    assert "✅" in str(sandbox.last_to(ALICE).reply_markup)

    # Severity
    await open_section(sandbox, ALICE, Section.SEVERITY)
    await tap(sandbox, ALICE, SetSeverity(Severity.HIGH))
    assert (await db.filters.get(ALICE)).min_severity == "high"
    await tap(sandbox, ALICE, SetSeverity(Severity.LOW))
    assert (await db.filters.get(ALICE)).min_severity == "low"

    # Own keywords: add by sending them, then clear
    await open_section(sandbox, ALICE, Section.KEYWORDS)
    await tap(sandbox, ALICE, AskKeywords())
    shown = await say(sandbox, ALICE, "танки, эшелон")
    assert "танки" in shown
    assert (await db.filters.get(ALICE)).watch == ("танки", "эшелон")
    await tap(sandbox, ALICE, ClearKeywords())
    assert (await db.filters.get(ALICE)).watch == ()

    # Places: a region, near a place with a radius, a border with a radius, anywhere
    await open_section(sandbox, ALICE, Section.PLACES)
    await tap(sandbox, ALICE, Show(Section.REGIONS))
    await tap(sandbox, ALICE, SetRegion(0))
    assert (await db.filters.get(ALICE)).regions == (places.oblasts()[0],)
    await tap(sandbox, ALICE, AskPlace())
    assert "know a place" in await say(sandbox, ALICE, "Atlantis")
    assert "How far" in await say(sandbox, ALICE, "Mazyr")
    await tap(sandbox, ALICE, SetNear(30))
    mazyr = places.resolve("Mazyr")
    assert mazyr is not None
    assert (await db.filters.get(ALICE)).near == ((mazyr.id, 30.0),)
    await tap(sandbox, ALICE, Show(Section.BORDERS))
    await tap(sandbox, ALICE, ChooseBorder("ua"))
    await tap(sandbox, ALICE, SetBorder("ua", 50))
    assert (await db.filters.get(ALICE)).borders == (("ua", 50.0),)
    assert "within 50 km of the border with Ukraine" in (sandbox.last_to(ALICE).text or "")
    await tap(sandbox, ALICE, SetAnywhere())
    audience = await db.filters.get(ALICE)
    assert (audience.regions, audience.near, audience.borders) == ((), (), ())

    # Delivery: daily at 09, a zone from the buttons, another typed, back to instant
    await open_section(sandbox, ALICE, Section.DELIVERY)
    await tap(sandbox, ALICE, SetDelivery(Delivery.DAILY))
    await tap(sandbox, ALICE, Show(Section.DIGEST_HOURS))
    await tap(sandbox, ALICE, SetDigestHour(9))
    prefs = await db.chats.prefs(ALICE)
    assert (prefs.delivery, prefs.digest_hour) == (Delivery.DAILY, 9)
    await tap(sandbox, ALICE, Show(Section.ZONES))
    await tap(sandbox, ALICE, SetZone(0))
    assert (await db.chats.prefs(ALICE)).timezone == "Europe/Minsk"
    await tap(sandbox, ALICE, Show(Section.ZONES))
    await tap(sandbox, ALICE, AskZone())
    assert "Unknown time zone" in await say(sandbox, ALICE, "Mars/Olympus")
    assert "Europe/Berlin" in await say(sandbox, ALICE, "Europe/Berlin")
    assert (await db.chats.prefs(ALICE)).timezone == "Europe/Berlin"
    await tap(sandbox, ALICE, SetDelivery(Delivery.INSTANT))
    assert (await db.chats.prefs(ALICE)).delivery is Delivery.INSTANT

    # Quiet hours: a preset, silent, urgent through, off
    await open_section(sandbox, ALICE, Section.QUIET)
    await tap(sandbox, ALICE, SetQuiet("23-07"))
    await tap(sandbox, ALICE, SetQuietMode(QuietMode.SILENT))
    await tap(sandbox, ALICE, ToggleUrgent())
    prefs = await db.chats.prefs(ALICE)
    assert (prefs.quiet_start, prefs.quiet_end) == (23, 7)
    assert (prefs.quiet_mode, prefs.quiet_urgent) == (QuietMode.SILENT, True)
    await tap(sandbox, ALICE, QuietOff())
    assert (await db.chats.prefs(ALICE)).quiet_start is None

    # Language: the menu itself switches, and the command menu with it
    await open_section(sandbox, ALICE, Section.LANGUAGES)
    await tap(sandbox, ALICE, SetLanguage("ru"))
    stored = await db.chats.get(ALICE)
    assert stored is not None
    assert stored.language == "ru"
    assert "Выберите язык" in (sandbox.last_to(ALICE).text or "")
    await tap(sandbox, ALICE, SetLanguage("en"))

    # Link previews
    await open_section(sandbox, ALICE, Section.PREVIEWS)
    await tap(sandbox, ALICE, SetPreviews(on=True))
    assert (await db.chats.prefs(ALICE)).link_previews is True
    await tap(sandbox, ALICE, Show(Section.MAIN))
    await tap(sandbox, ALICE, Close())
    assert sandbox.last_to(ALICE).reply_markup is None

    # Taps edit the one menu message; only the typed answers brought new ones.
    typed = 5  # keywords, Atlantis, Mazyr, Mars, Berlin: each answered once
    assert len(sandbox.messages_to(ALICE)) == edits_before + typed

    # The next alert follows the choices: drills subscribed, previews on.
    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    await core.dispatcher.drain()
    yelsk = [m for m in sandbox.messages_to(ALICE) if YELSK_LINK in (m.text or "")]
    assert len(yelsk) == 1
    assert not (yelsk[0].link_preview_options or {}).get("is_disabled", False)


async def test_group_settings_belong_to_its_admins(sandbox: SandboxBotAPI, core: Core) -> None:
    group, member, admin = -100600, 21, 22
    sandbox.register_chat(group, "supergroup", title="Watchers")
    sandbox.set_admins(group, [admin])

    sandbox.push_message(chat_id=group, user_id=member, chat_type="supergroup", text="/settings")
    refused = (await sandbox.wait_for_messages(group, 1))[-1]
    assert "Only the group's admins" in (refused.text or "")

    sandbox.push_message(chat_id=group, user_id=admin, chat_type="supergroup", text="/settings")
    menu = (await sandbox.wait_for_messages(group, 2))[-1]

    async def press(user: int, button: SettingsTap) -> str:
        answers = len(sandbox.callback_answers)
        data = button.encode()
        sandbox.push_callback(chat_id=group, user_id=user, message_id=menu.message_id, data=data)
        await sandbox.wait_for(lambda: len(sandbox.callback_answers) > answers)
        return str(sandbox.callback_answers[-1].get("text") or "")

    assert "Only the group's admins" in await press(member, SetTopic("drills"))
    assert await core.db.chats.topics_of(group) == set()
    assert await press(admin, SetTopic("drills")) == ""
    assert await core.db.chats.topics_of(group) == {"drills"}

    # The admin is asked for keywords; a member's message in between is not taken.
    await press(admin, AskKeywords())
    sandbox.push_message(chat_id=group, user_id=member, chat_type="supergroup", text="spam")
    sandbox.push_message(chat_id=group, user_id=admin, chat_type="supergroup", text="танки")
    answer = (await sandbox.wait_for_messages(group, 3))[-1]
    assert "танки" in (answer.text or "")
    assert (await core.db.filters.get(group)).watch == ("танки",)
    assert len(sandbox.messages_to(group)) == 3


def test_every_button_fits_telegrams_callback_limit_in_every_language() -> None:
    catalog = default_catalog()
    oblasts = PlaceIndex(default_places()).oblasts()
    prefs = DeliveryChoices(quiet_start=23, quiet_end=7)
    audience = ChatFilters(chat_id=1, watch=("танки",))
    for lang in LANGUAGES:
        ui = ui_for(lang, catalog)
        screens = [
            settings_menu.main(ui),
            settings_menu.topics(ui, set(catalog.names())),
            settings_menu.severity(ui, Severity.MEDIUM),
            settings_menu.keywords(ui, audience),
            settings_menu.keywords_prompt(ui),
            settings_menu.places(ui, "summary"),
            settings_menu.regions(ui, oblasts),
            settings_menu.place_prompt(ui),
            settings_menu.near_radius(ui, "Mazyr"),
            settings_menu.borders(ui, COUNTRY_NAMES),
            settings_menu.border_radius(ui, "ua"),
            settings_menu.delivery(ui, prefs, "summary"),
            settings_menu.digest_hours(ui, 8),
            settings_menu.zones(ui, "Europe/Minsk"),
            settings_menu.zone_prompt(ui),
            settings_menu.quiet(ui, prefs, "summary"),
            settings_menu.languages(ui),
            settings_menu.previews(ui, prefs),
        ]
        for text, rows in screens:
            assert text
            for label, button in (button for row in rows for button in row):
                assert label
                assert isinstance(button, SettingsTap)
                data = button.encode()
                assert data.startswith("set:")
                assert len(data.encode()) <= 64
