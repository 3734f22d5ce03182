"""Places are shown to each reader by a real name in their language, never a spelling variant.

The gazetteer lists every spelling a report might use ("Баброейск", "Мозыр"...), which is
what matching needs; alerts, /status, /filters and the region buttons show the label instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.context import Core
from bot.delivery.render import render_alert
from bot.matching import PlaceIndex, PlacesError, default_catalog, load_places
from bot.matching.places import parse_places
from bot.models import Alert
from bot.pipeline.cycle import run_cycle
from bot.ui.callbacks import Section, SetRegion, Show
from sandbox import SandboxBotAPI, SourceServer
from tests.helpers.chat import last_buttons, tap
from tests.helpers.sources import add_samples


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(load_places())


@pytest.mark.parametrize(
    ("place", "lang", "shown"),
    [
        ("Mazyr", "ru", "Мозырь"),  # the dictionary's name, not the variant "Мозир"
        ("Mazyr", "be", "Мазыр"),
        ("Mazyr", "en", "Mazyr"),
        ("Mazyr", "uk", "Мозир"),  # the Ukrainian exonym
        ("Babruysk", "ru", "Бобруйск"),
        ("Babruysk", "be", "Бабруйск"),
        ("Kalinkavichy", "be", "Калінкавічы"),
        ("Yelsk", "ru", "Ельск"),
        ("Gomel region", "ru", "Гомельская область"),
        ("Gomel region", "be", "Гомельская вобласць"),
        ("Gomel region", "uk", "Гомельська область"),
    ],
)
def test_label_per_language(index: PlaceIndex, place: str, lang: str, shown: str) -> None:
    assert index.label(place, lang) == shown


def test_every_place_has_a_cyrillic_label(index: PlaceIndex) -> None:
    for place in index:
        if not place.labels:
            continue  # the data gives no Cyrillic name (two stations): the id beats a guess
        for lang in ("ru", "be", "uk"):
            assert any("\u0400" <= ch <= "\u04ff" for ch in place.label(lang)), place.id


def test_unknown_id_is_shown_as_is(index: PlaceIndex) -> None:
    # Stored events keep ids; a later gazetteer may have dropped one.
    assert index.label("Atlantis", "ru") == "Atlantis"


def test_label_must_be_a_name_per_language() -> None:
    entry = b"""
[[place]]
id = "X"
kind = "town"
oblast = "X"
lat = 53.0
lon = 27.0
names.en = ["X"]
label = { ru = ["not", "one"] }
"""
    with pytest.raises(PlacesError, match="label"):
        parse_places(entry)


def test_alert_names_places_in_the_readers_language(index: PlaceIndex) -> None:
    alert = Alert(1, ("drills",), "Учения", "Учения у Мозыря", ("Mazyr", "Yelsk"), None, (), False)
    catalog = default_catalog()
    assert "📍 Мозырь, Ельск" in render_alert(alert, catalog, lang="ru", places=index)
    assert "📍 Mazyr, Yelsk" in render_alert(alert, catalog, lang="en", places=index)


async def test_russian_reader_gets_russian_place_names(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer, data_dir: Path
) -> None:
    chat = 4100
    sandbox.push_message(chat_id=chat, text="/subscribe drills", language_code="ru")
    await sandbox.wait_for_messages(chat, 1)
    await add_samples(core, source_server)
    await run_cycle(core.pipeline, all_sources=True)
    await core.dispatcher.drain()
    alerts = [m.text or "" for m in sandbox.messages_to(chat) if "🔗" in (m.text or "")]
    located = [text for text in alerts if "📍" in text]
    assert located
    assert any("📍 Ельск" in text for text in located)
    assert not any("Yelsk" in text.split("🔗")[0] for text in located)


async def test_region_buttons_and_filters_in_belarusian(sandbox: SandboxBotAPI, core: Core) -> None:
    chat = 4200
    sandbox.push_message(chat_id=chat, text="/settings", language_code="be")
    await sandbox.wait_for_messages(chat, 1)
    await tap(sandbox, chat, Show(Section.PLACES))
    await tap(sandbox, chat, Show(Section.REGIONS))
    shown = str(sandbox.last_to(chat).reply_markup)
    assert "Гомельская вобласць" in shown
    assert "Gomel region" not in shown
    gomel = core.matcher.places.oblasts().index("Gomel region")
    assert SetRegion(gomel).encode() in last_buttons(sandbox, chat)
    await tap(sandbox, chat, SetRegion(gomel))
    sandbox.push_message(chat_id=chat, text="/filters", language_code="be")
    reply = (await sandbox.wait_for_messages(chat, len(sandbox.messages_to(chat)) + 1))[-1]
    assert "Гомельская вобласць" in (reply.text or "")
