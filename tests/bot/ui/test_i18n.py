"""The interface in English, Russian, Belarusian and Ukrainian."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.context import Core
from bot.matching import default_catalog
from bot.pipeline.cycle import run_cycle
from bot.ui.callbacks import LanguageChoice, decode
from bot.ui.i18n import LANGUAGES, pick_language, translator
from bot.ui.texts import ui_for, welcome
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.paths import PROJECT
from tests.helpers.settings import ADMIN_ID
from tests.helpers.sources import add_samples

LOCALES = PROJECT / "bot" / "locales"
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"\{\w+\}")
CASE_SUFFIX = re.compile(r"_(?:gen|loc)\}$")
TAG = re.compile(r"</?[a-z-]+")


def message_ids() -> set[str]:
    """Every message id the code marks for translation, extracted as pybabel does."""
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(
            PROJECT / folder, method_map=[("**.py", "python")]
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_id_has_a_translation(lang: str) -> None:
    with (LOCALES / lang / "LC_MESSAGES" / "outpost.po").open(encoding="utf-8") as po:
        catalog = read_po(po)
    ids = message_ids()
    assert len(ids) > 50
    missing = []
    for message_id in sorted(ids):
        entry = catalog.get(message_id)
        forms = (
            (entry.string,)
            if entry and isinstance(entry.string, str)
            else entry.string
            if entry
            else ()
        )
        if entry is None or not all(forms) or not forms or entry.fuzzy:
            missing.append(message_id)
            continue
        text = forms[0]
        # A translation may name a place in the case its preposition needs ({place_gen}).
        said = sorted(CASE_SUFFIX.sub("}", found) for found in PLACEHOLDER.findall(text))
        assert said == sorted(PLACEHOLDER.findall(message_id)), text
        assert sorted(TAG.findall(text)) == sorted(TAG.findall(message_id)), text
    assert missing == [], f"{lang} lacks translations for {missing}"


def test_telegram_language_codes_map_to_supported_languages() -> None:
    assert pick_language("be-BY") == "be"
    assert pick_language("uk") == "uk"
    assert pick_language("ru_RU") == "ru"
    assert pick_language("pl") == "en"
    assert pick_language(None) == "en"


def english_fragments() -> list[str]:
    """Pieces of English message ids long enough that finding one means it went untranslated."""
    pieces = []
    for message_id in message_ids():
        for part in re.split(r"\{\w+\}|<[^>]+>|\n", message_id):
            words = re.sub(r"^\W+|\W+$", "", part)
            if len(words) >= 12 and " " in words and "/" not in part:
                pieces.append(words)
    return pieces


COMMANDS = [
    "/start",
    "/help",
    "/topics",
    "/mysubs",
    "/status",
    "/latest",
    "/subscribe",
    "/unsubscribe",
    "/language",
    "/frobnicate",
    "/subscribe drills",
    "/latest nonsense",
    "/settings",
    "/filters",
    "/near Мозырь 20",
    "/near Нарния",
    "/border ua 30",
    "/border xx",
    "/region gomel",
    "/anywhere",
    "/severity high",
    "/severity extreme",
    "/watch Искандер, колонна",
    "/unwatch",
    "/exclude учения МЧС",
    "/unexclude",
    "/digest daily 8",
    "/digest weekly",
    "/timezone Europe/Minsk",
    "/timezone Mars/Olympus",
    "/quiet 23-07 silent urgent",
    "/quiet tonight",
    "/previews on",
    "/here",
    "/post x",
    "/broadcast x",
    "/stats",
    "/audit",
    "/admins",
    "/sources",
    "/addsource https://example.org/feed",
]

# What an admin sees: the admin commands, answered in the admin's language.
ADMIN_COMMANDS = [
    "/help",
    "/stats",
    "/audit",
    "/admins",
    "/sources",
    "/addsource",
    "/removesource 99",
    "/pausesource x",
    "/post",
    "/cancel",
    "/post Учения у Ельска",
    "/broadcast",
    "/broadcast Техническое обслуживание",
]


@pytest.mark.parametrize("lang", TRANSLATED)
async def test_every_command_answers_in_the_users_language(
    lang: str, sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    chat = 3000
    english = english_fragments()
    for command in COMMANDS:
        before = len(sandbox.messages_to(chat))
        sandbox.push_message(chat_id=chat, text=command, language_code=lang)
        reply = (await sandbox.wait_for_messages(chat, before + 1))[-1]
        text = reply.text or ""
        untranslated = [piece for piece in english if piece in text]
        assert untranslated == [], f"{command} in {lang}: {untranslated}"
    assert sandbox.messages_to(chat)[0].text == welcome(ui_for(lang, default_catalog()))


@pytest.mark.parametrize("lang", TRANSLATED)
async def test_every_admin_command_answers_in_the_admins_language(
    lang: str, sandbox: SandboxBotAPI, core: Core
) -> None:
    english = english_fragments()
    for command in ADMIN_COMMANDS:
        before = len(sandbox.messages_to(ADMIN_ID))
        sandbox.push_message(chat_id=ADMIN_ID, text=command, language_code=lang)
        replies = await sandbox.wait_for_messages(ADMIN_ID, before + 1)
        for reply in replies[before:]:
            untranslated = [piece for piece in english if piece in (reply.text or "")]
            assert untranslated == [], f"{command} in {lang}: {untranslated}"


async def test_language_can_be_changed_and_alerts_follow_it(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    chat = 3100
    sandbox.push_message(chat_id=chat, text="/subscribe drills", language_code="en")
    await sandbox.wait_for_messages(chat, 1)
    sandbox.push_message(chat_id=chat, text="/language", language_code="en")
    keyboard = (await sandbox.wait_for_messages(chat, 2))[-1]
    assert keyboard.reply_markup is not None
    choices = [row[0]["callback_data"] for row in keyboard.reply_markup["inline_keyboard"]]
    assert [decode(data) for data in choices] == [
        LanguageChoice(lang) for lang in ("en", "ru", "be", "uk")
    ]
    sandbox.push_callback(
        chat_id=chat,
        user_id=chat,
        message_id=keyboard.message_id,
        data=LanguageChoice("be").encode(),
    )
    await sandbox.wait_for(lambda: ("chat:3100", "") in sandbox.commands)
    menu = {c["command"]: c["description"] for c in sandbox.commands[("chat:3100", "")]}
    assert menu["language"] == translator("be").gettext("Change the language")
    assert "Беларуская" in (sandbox.last_to(chat).text or "")

    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    await core.dispatcher.drain()
    alerts = [m for m in sandbox.messages_to(chat) if "🔗" in (m.text or "")]
    assert alerts
    label = default_catalog().topic("drills").display_name("be")
    assert all(label in (m.text or "") for m in alerts)
    assert any("кастр" in (m.text or "") for m in alerts)  # months named in Belarusian


async def test_command_menus_are_set_per_language(sandbox: SandboxBotAPI, core: Core) -> None:
    for lang in TRANSLATED:
        menu = sandbox.commands[("default", lang)]
        assert menu[0]["description"] == translator(lang).gettext("Choose topics")
        assert menu[0]["description"] != "Choose topics"
    assert sandbox.commands[("default", "")][0]["description"] == "Choose topics"


async def test_deep_link_subscribes_in_one_tap(sandbox: SandboxBotAPI, core: Core) -> None:
    sandbox.push_message(chat_id=3200, text="/start equipment", language_code="uk")
    reply = (await sandbox.wait_for_messages(3200, 1))[-1]
    assert await core.db.chats.topics_of(3200) == {"equipment"}
    assert default_catalog().topic("equipment").display_name("uk") in (reply.text or "")


async def test_only_group_admins_change_a_groups_topics(sandbox: SandboxBotAPI, core: Core) -> None:
    group, member, admin = -100500, 11, 12
    sandbox.register_chat(group, "supergroup", title="Watchers")
    sandbox.set_admins(group, [admin])
    sandbox.push_message(
        chat_id=group, user_id=member, chat_type="supergroup", text="/subscribe drills"
    )
    refused = (await sandbox.wait_for_messages(group, 1))[-1]
    assert "admins" in (refused.text or "")
    assert await core.db.chats.topics_of(group) == set()
    sandbox.push_message(
        chat_id=group, user_id=admin, chat_type="supergroup", text="/subscribe drills"
    )
    await sandbox.wait_for_messages(group, 2)
    assert await core.db.chats.topics_of(group) == {"drills"}
