"""The audience index: the same recipients as checking every chat, kept in step with storage."""

from __future__ import annotations

import random
from pathlib import Path

from bot.matching import default_catalog, default_matcher
from bot.matching.audience import AudienceIndex, NaiveAudience
from bot.matching.matcher import read
from bot.models import ChatFilters, Severity
from bot.pipeline.audience import Audience
from bot.runtime.clock import ManualClock
from storage import open_database

TEXTS = (
    "Военные учения начались под Калинковичами",
    "Колонна техники прошла через Ельск к границе",
    "Военкоматы Брестской области рассылают повестки",
    "Над Лидой пролетели два истребителя МиГ-29",
    "Искандеры заметили под Осиповичами",
    "Памежнікі ўзмацнілі ахову мяжы каля Брагіна",
    "Білоруська армія розпочала навчання поблизу Бреста",
    "Drones crossed into Belarusian airspace near Mazyr",
    "A concert in Minsk drew thousands",
    "Минобороны опровергло слухи о мобилизации в Бресте",
    "В Бресте объявлена мобилизация резервистов",
)
WORDS = ("искандер", "колонна", "мяжа", "drone", "повестка", "Брест", "учения")
PLACES = ("Mazyr", "Yelsk", "Brest", "Lida", "Minsk", "Asipovichy")
REGIONS = ("Gomel region", "Brest region", "Grodno region", "Minsk region")


def random_chats(count: int, seed: int = 7) -> list[ChatFilters]:
    """Make chats with every kind of preference, reproducibly."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    topics = default_catalog().names()
    chats = []
    for chat_id in range(1, count + 1):
        kind = rng.random()
        chats.append(
            ChatFilters(
                chat_id=chat_id,
                active=rng.random() > 0.05,
                topics=frozenset(rng.sample(topics, rng.randint(0, 3))),
                min_severity=rng.choice(
                    (Severity.LOW, Severity.LOW, Severity.MEDIUM, Severity.HIGH)
                ),
                regions=(rng.choice(REGIONS),) if kind < 0.25 else (),
                near=((rng.choice(PLACES), rng.choice((10.0, 30.0, 60.0))),)
                if 0.25 <= kind < 0.5
                else (),
                borders=((rng.choice(("ua", "pl", "lt")), rng.choice((20.0, 50.0))),)
                if 0.5 <= kind < 0.6
                else (),
                watch=tuple(rng.sample(WORDS, rng.randint(0, 2))),
                exclude=(rng.choice(WORDS),) if rng.random() < 0.1 else (),
            )
        )
    return chats


def test_index_agrees_with_checking_every_chat() -> None:
    matcher = default_matcher()
    chats = random_chats(2000)
    index = AudienceIndex(default_catalog(), matcher.places)
    index.build(chats)
    naive = NaiveAudience(default_catalog(), matcher.places, chats)
    reached = 0
    for text in TEXTS:
        reading = read(text)
        found = matcher.classify(reading)
        expected = naive.recipients(found, reading)
        assert index.recipients(found, reading) == expected, text
        reached += len(expected)
    assert reached > 500  # the comparison is not trivially about empty sets


def test_index_agrees_after_chats_change_between_reports() -> None:
    """Chats added, changed and removed after reports were answered: the index still agrees
    with checking every chat (it keeps per-place lookups between reports)."""
    matcher = default_matcher()
    chats = {chat.chat_id: chat for chat in random_chats(1500, seed=11)}
    index = AudienceIndex(default_catalog(), matcher.places)
    index.build(chats.values())
    readings = [read(text) for text in TEXTS]
    found = [matcher.classify(reading) for reading in readings]
    for one, reading in zip(found, readings, strict=True):
        index.recipients(one, reading)  # fills what the index keeps per place
    rng = random.Random(12)  # noqa: S311 -- reproducible test data, not secrets
    others = random_chats(1500, seed=13)
    for chat_id in rng.sample(sorted(chats), 600):
        if rng.random() < 0.3:
            index.remove(chat_id)
            del chats[chat_id]
        else:
            chats[chat_id] = others[chat_id - 1]
            index.update(chats[chat_id])
    naive = NaiveAudience(default_catalog(), matcher.places, chats.values())
    reached = 0
    for one, reading in zip(found, readings, strict=True):
        expected = naive.recipients(one, reading)
        assert index.recipients(one, reading) == expected, reading.text
        reached += len(expected)
    assert reached > 300  # the comparison is not trivially about empty sets


def test_updates_and_removals() -> None:
    matcher = default_matcher()
    index = AudienceIndex(default_catalog(), matcher.places)
    reading = read("Военные учения начались под Калинковичами")
    found = matcher.classify(reading)
    index.update(ChatFilters(1, topics=frozenset({"drills"})))
    index.update(ChatFilters(2, topics=frozenset({"drills"}), near=(("Mazyr", 20.0),)))
    index.update(ChatFilters(3, topics=frozenset({"drills"}), regions=("Vitebsk region",)))
    index.update(ChatFilters(4, watch=("Калинковичи",)))
    index.update(ChatFilters(5, topics=frozenset({"drills"}), min_severity=Severity.HIGH))
    index.update(ChatFilters(6, topics=frozenset({"drills"}), borders=(("ua", 60.0),)))
    assert index.recipients(found, reading) == {1, 2, 4, 6}
    index.update(ChatFilters(1, topics=frozenset({"drills"}), exclude=("калинковичи",)))
    index.update(ChatFilters(2, active=False))
    index.remove(4)
    assert index.recipients(found, reading) == {6}
    # The inactive and removed chats left; chat 5 (no topic reaches its minimum) can
    # receive nothing and holds no place.
    assert len(index) == 3
    empty = AudienceIndex(default_catalog(), matcher.places).footprint()
    assert index.footprint() != empty
    for chat in range(1, 7):
        index.remove(chat)
    assert index.footprint() == empty  # nothing the chats used is left behind


async def test_storage_changes_reach_the_index(
    database_target: Path | str, clock: ManualClock
) -> None:
    db = await open_database(database_target)
    matcher = default_matcher()
    audience = Audience(default_catalog(), matcher.places)
    try:
        for chat_id in (1, 2):
            await db.chats.register(
                chat_id, chat_type="private", title=None, language=None, now=clock.now()
            )
        await db.chats.subscribe(1, "drills", now=clock.now())
        assert await audience.sync(db) == 2  # the first sync loads every chat
        reading = read("Учения войск у Ельска")
        found = matcher.classify(reading)
        assert await audience.recipients(db, found, reading) == [1]

        await db.filters.add_words(2, "watch", ["Ельск"], now=clock.now())
        assert await audience.recipients(db, found, reading) == [1, 2]
        assert await audience.sync(db) == 0  # nothing changed since

        await db.filters.set_filters(
            1, min_severity=Severity.LOW, regions=(), near=(("Brest", 30.0),), borders=()
        )
        await db.chats.deactivate(2)  # what the dispatcher does on 403
        assert await audience.recipients(db, found, reading) == []
        assert await audience.sync(db) == 0
    finally:
        await db.close()


def test_severity_graded_by_a_rule_decides_who_gets_it() -> None:
    matcher = default_matcher()
    chats = [
        ChatFilters(chat_id=1, topics=frozenset({"mobilization"}), min_severity=Severity.HIGH),
        ChatFilters(chat_id=2, topics=frozenset({"mobilization"}), min_severity=Severity.LOW),
        ChatFilters(chat_id=3, topics=frozenset({"mobilization"}), min_severity=Severity.MEDIUM),
    ]
    index = AudienceIndex(default_catalog(), matcher.places)
    index.build(chats)
    naive = NaiveAudience(default_catalog(), matcher.places, chats)
    for text, expected in (
        ("Минобороны опровергло слухи о мобилизации", {2}),  # a denial: low
        ("Объявлена мобилизация резервистов", {1, 2, 3}),  # a call-up: high
    ):
        reading = read(text)
        found = matcher.classify(reading)
        assert index.recipients(found, reading) == expected == naive.recipients(found, reading)
