"""One story per happening: reports from several sources and languages join one story,
the story counts its sources, and a joined report queues no second alert."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from bot.admin.intake import add_source
from bot.context import Core
from bot.matching import default_catalog, default_matcher
from bot.matching.matcher import read
from bot.models import SourceKind
from bot.pipeline.cycle import run_cycle
from bot.pipeline.store import Post, record_post
from bot.pipeline.stories import (
    RecentStories,
    Signature,
    StoryMirror,
    choose_story,
    merged,
    same_happening,
    signature_of,
    similarity,
)
from bot.runtime.clock import ManualClock
from sandbox import SandboxBotAPI, SourceServer
from storage import open_database
from tests.helpers.chat import say
from tests.helpers.posts import source_post
from tests.helpers.sources import EMPTY_RSS

ALICE = 3001


def sign(text: str) -> Signature:
    matcher = default_matcher()
    reading = read(text)
    found = matcher.classify(reading)
    points = [
        place.id
        for place in map(matcher.places.get, found.places)
        if place is not None and place.kind != "oblast"
    ]
    return signature_of(found, reading, points)


def test_same_happening_across_languages() -> None:
    ru = sign("Колонна из 28 грузовиков Урал прошла через Ельск к границе")
    be = sign("Калона з 28 грузавікоў Урал прайшла праз Ельск да мяжы")
    en = sign("A column of 28 Ural trucks passed through Yelsk toward the border")
    assert same_happening(ru, be) and same_happening(ru, en) and same_happening(be, en)
    other_number = sign("Колонна из 40 грузовиков прошла через Ельск")
    assert not same_happening(ru, other_number)  # the numbers contradict
    elsewhere = sign("Колонна из 28 грузовиков Урал прошла через Оршу")
    assert not same_happening(ru, elsewhere)


def test_sketches_keep_the_values_stored_ones_have() -> None:
    # Stored stories keep their sketches: a report signed today must still compare with
    # them, so a shingle's hash and the bottom-k cut may never change. The values below
    # are what stored signatures hold for these texts. (English shingles changed once, when
    # English words became lemmas with their part of speech, "column|n", instead of
    # Snowball stems: a story stored before that shares no English shingle with a new
    # report, which costs at most one duplicate alert within a story's window.)
    short = sign(
        "Колонна из 28 грузовиков Урал прошла через Ельск к границе. "
        "A column of 28 Ural trucks passed through Yelsk."
    )
    assert short.sketch == (
        493400923639400145, 722977620308489968, 1079708780613863696, 1193138101385269724,
        1771614529852161097, 2924238778663625982, 3994624737837056017, 6092455178862885727,
        6946104742945301974, 7338519791554553225, 7996699105299263707, 8582616465363545978,
        8676576000779851163, 9013230335793139407, 10540373562709040288,
        13258113165926113009, 14452177468907547163, 15975380377947968667,
    )  # fmt: skip
    long = sign(" ".join(f"item{i}" for i in range(100)))  # 99 shingles: the 64 lowest kept
    assert len(long.sketch) == 64
    assert long.sketch[:3] == (145324315623305923, 242851670853014835, 410680570009489913)
    assert long.sketch[-1] == 11736164299965611489


def test_numbers_are_what_int_reads() -> None:
    # "10²" is a word of digits (str.isdigit) that int() cannot read: signing a report
    # with it once raised ValueError and lost the report.
    signed = sign("Площадь 10² метров, колонна из 28 грузовиков")
    assert signed.numbers == frozenset({"28"})


def test_near_duplicates_join_without_places() -> None:
    one = sign("Министр обороны заявил, что армия готова к любым провокациям со стороны Запада")
    two = sign("Министр обороны заявил: армия готова к любым провокациям со стороны Запада.")
    assert similarity(one.sketch, two.sketch) >= 0.5
    assert same_happening(one, two)
    assert not same_happening(one, sign("Погода на выходные будет теплой и сухой"))


def test_recent_stories_choose_what_choose_story_chooses() -> None:
    """The indexed mirror picks the same story as a scan of the newest candidates."""
    rng = random.Random(7)  # noqa: S311 -- reproducible test data, not secrets
    shared = list(range(1000, 1080))  # hashes many sketches share, as common word pairs do

    def sketch() -> tuple[int, ...]:
        values = set(rng.sample(shared, rng.randint(0, 40)))
        values |= {rng.randrange(10**6) for _ in range(rng.randint(0, 40))}
        return tuple(sorted(values)[:64])

    def signature() -> Signature:
        return Signature(
            topics=frozenset(rng.sample(["drills", "rail", "air"], rng.randint(0, 2))),
            places=frozenset(rng.sample(["yelsk", "orsha", "mozyr"], rng.randint(0, 1))),
            numbers=frozenset(rng.sample(["28", "12"], rng.randint(0, 1))),
            sketch=sketch(),
        )

    table: dict[int, tuple[float, str | None]] = {}  # the stories table: id -> (seen, sig)
    stories = RecentStories(limit=25)
    for story_id in range(1, 61):
        table[story_id] = (float(rng.randint(0, 50)), signature().to_json())
    table[61] = (49.0, "not json")  # unreadable, but it still takes a candidate's place

    def newest(since: float) -> list[tuple[int, float, str | None]]:
        rows = [(i, seen, sig) for i, (seen, sig) in table.items() if seen >= since]
        return sorted(rows, key=lambda row: (row[1], row[0]), reverse=True)[:25]

    joins = 0
    for step in range(300):
        now, since = 60.0 + step // 10, 20.0 + step // 10
        if step % 10 == 0:
            stories.sync(newest(since))
        report = signature()
        expected = choose_story(report, [(i, sig) for i, _, sig in newest(since)])
        assert stories.choose(report, since=since) == expected
        if expected is None:
            story_id, stored = max(table) + 1, report.to_json()
        else:
            joins += 1
            # A story grows (it keeps its first sketch) or, here, is rewritten.
            grown = merged(expected[1], report) if step % 2 else report
            story_id, stored = expected[0], grown.to_json()
        table[story_id] = (now, stored)
        stories.touch(story_id, now, stored)
    assert joins > 10


def test_recent_stories_draw_the_near_duplicate_line_where_similarity_does() -> None:
    """Sketches around the 0.5 line: the index's shortcuts never change the answer."""
    rng = random.Random(11)  # noqa: S311 -- reproducible test data, not secrets
    base = list(range(10_000, 10_064))

    def wording() -> Signature:
        size = rng.choice([64, 64, 64, 40, 12, 3])
        kept = rng.sample(base, round(size * rng.uniform(0.3, 0.8)))
        other = rng.sample(range(10**6, 10**6 + 500), size - len(kept))
        sketch = tuple(sorted(kept + other))
        return Signature(frozenset(), frozenset(), frozenset(), sketch)

    stories = RecentStories(limit=40)
    table: dict[int, tuple[float, str]] = {}
    joins = misses = 0
    for step in range(800):
        report = wording()
        rows = sorted(
            ((i, seen, sig) for i, (seen, sig) in table.items()), key=lambda r: (r[1], r[0])
        )
        rows = rows[::-1][:40]
        expected = choose_story(report, [(i, sig) for i, _, sig in rows])
        assert stories.choose(report, since=0.0) == expected
        if expected is None:
            misses += 1
            story_id = max(table, default=0) + 1
        else:
            joins += 1
            story_id = expected[0]
        table[story_id] = (float(step), report.to_json())
        stories.touch(story_id, float(step), table[story_id][1])
    assert joins > 50 and misses > 50


def test_a_near_duplicate_whose_shared_hashes_are_the_commonest_is_found() -> None:
    """A story at exactly the line, its shared hashes in the longest posting lists."""
    shared = tuple(range(1, 33))  # the smallest values: all 32 count in the union's 64
    report = Signature(frozenset(), frozenset(), frozenset(), shared + tuple(range(1000, 1032)))
    story = Signature(frozenset(), frozenset(), frozenset(), shared + tuple(range(2000, 2032)))
    assert similarity(story.sketch, report.sketch) == 0.5
    stories = RecentStories()
    stories.touch(1, 1.0, story.to_json())
    for crowd in range(2, 6):  # stories that share 24 of the hashes, making those lists long
        sketch = shared[:24] + tuple(range(crowd * 10_000, crowd * 10_000 + 40))
        stories.touch(
            crowd, 2.0, Signature(frozenset(), frozenset(), frozenset(), sketch).to_json()
        )
    expected = choose_story(report, [(1, story.to_json())])
    assert expected is not None
    assert stories.choose(report, since=0.0) == expected


def test_signature_round_trip() -> None:
    signature = sign("Учения войск у Ельска: 17 км от границы")
    assert Signature.from_json(signature.to_json()) == signature
    assert Signature.from_json("not json") is None


def post(key: str, text: str, source_id: int, name: str) -> Post:
    return source_post(
        default_matcher(),
        key,
        text[:40],
        text,
        link=f"https://{name}.example.org/{key}",
        canonical_link=f"https://{name}.example.org/{key}",
        source_id=source_id,
        source_name=name,
    )


async def test_reports_join_one_story_and_count_sources(
    database_target: Path | str, clock: ManualClock
) -> None:
    db = await open_database(database_target)
    matcher, catalog = default_matcher(), default_catalog()
    try:
        await db.chats.register(
            ALICE, chat_type="private", title=None, language=None, now=clock.now()
        )
        await db.chats.subscribe(ALICE, "equipment", now=clock.now())
        ids = []
        for name in ("polesie", "belwatch", "posture"):
            source = await db.sources.add(
                f"https://{name}.example.org/feed", kind=SourceKind.RSS, name=name, now=clock.now()
            )
            ids.append(source.id)
        first = await record_post(
            db,
            post("a", "Колонна из 28 грузовиков Урал прошла через Ельск", ids[0], "polesie"),
            matcher=matcher,
            catalog=catalog,
            now=clock.now(),
        )
        clock.advance(timedelta(minutes=40))
        second = await record_post(
            db,
            post("b", "Калона з 28 грузавікоў Урал прайшла праз Ельск", ids[1], "belwatch"),
            matcher=matcher,
            catalog=catalog,
            now=clock.now(),
        )
        clock.advance(timedelta(minutes=10))
        third = await record_post(
            db,
            post("c", "28 Ural trucks were seen in Yelsk this morning", ids[2], "posture"),
            matcher=matcher,
            catalog=catalog,
            now=clock.now(),
        )
        assert first.queued == 1 and not first.joined
        assert second.story_id == third.story_id == first.story_id
        assert second.joined and third.joined
        assert second.queued == third.queued == 0  # no second alert
        assert first.story_id is not None
        assert await db.events.sources_count(first.story_id) == 3
        alert = await db.events.alert(first.story_id)
        assert alert is not None
        assert alert.sources_count == 3
        assert len(alert.links) == 3

        # Outside the window the same words start a new story.
        clock.advance(timedelta(days=2))
        later = await record_post(
            db,
            post("d", "Колонна из 28 грузовиков Урал прошла через Ельск", ids[0], "polesie"),
            matcher=matcher,
            catalog=catalog,
            now=clock.now(),
        )
        assert later.story_id != first.story_id and later.queued == 1
    finally:
        await db.close()


async def test_the_mirror_is_known_current_only_once_its_transaction_commits(
    database_target: Path | str, clock: ManualClock
) -> None:
    db = await open_database(database_target)
    matcher, catalog = default_matcher(), default_catalog()
    mirror = StoryMirror()
    try:
        source = await db.sources.add(
            "https://polesie.example.org/feed", kind=SourceKind.RSS, name="p", now=clock.now()
        )
        with pytest.raises(RuntimeError, match="transaction"):
            await mirror.recent(db, now=clock.now())
        column = post("a", "Колонна из 28 грузовиков Урал прошла через Ельск", source.id, "p")
        async with mirror.transaction(db):
            await record_post(
                db, column, matcher=matcher, catalog=catalog, now=clock.now(), stories=mirror
            )
            assert mirror.version is None  # written, not yet committed
        assert mirror.version is not None

        # A transaction that fails leaves the mirror unknown: the story it wrote is gone
        # from the table, and the next reader must not find it in memory either.
        echelon = post("b", "Эшелон с танками прибыл в Калинковичи", source.id, "p")
        with pytest.raises(ZeroDivisionError):
            async with mirror.transaction(db):
                await record_post(
                    db, echelon, matcher=matcher, catalog=catalog, now=clock.now(), stories=mirror
                )
                _ = 1 / 0
        assert mirror.version is None
        async with mirror.transaction(db):
            recent = await mirror.recent(db, now=clock.now())
            assert recent.choose(echelon.analysis.signature, since=0.0) is None
            assert recent.choose(column.analysis.signature, since=0.0) is not None

        async with db.transaction():
            with pytest.raises(RuntimeError, match="nested"):
                async with mirror.transaction(db):
                    pass
    finally:
        await db.close()


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{name}</title><link>https://{name}.example.org/</link>
<description>x</description>
<item><title>{title}</title><link>https://{name}.example.org/{slug}</link>
<guid>https://{name}.example.org/{slug}</guid><description>{text}</description></item>
</channel></rss>"""


async def test_two_sources_two_languages_one_alert(
    sandbox: SandboxBotAPI, core: Core, source_server: SourceServer
) -> None:
    await say(sandbox, ALICE, "/subscribe equipment")
    feeds = [
        (
            "polesie",
            "Эшелон с танками прибыл в Калинковичи",
            "На станцию Калинковичи прибыл эшелон: 12 танков Т-72 на платформах.",
        ),
        (
            "belwatch",
            "Эшалон з танкамі ў Калінкавічах",
            "На станцыю Калінкавічы прыбыў эшалон: 12 танкаў Т-72.",
        ),
    ]
    for name, _, _ in feeds:
        url = source_server.add(f"rss/{name}.xml", EMPTY_RSS, content_type="application/rss+xml")
        await add_source(
            core.db, url, now=core.clock.now(), allow_private=True, name=name, kind=SourceKind.RSS
        )
    await run_cycle(core.pipeline, all_sources=True)  # a new source's first poll is silent
    for name, title, text in feeds:
        source_server.add(
            f"rss/{name}.xml",
            RSS.format(name=name, title=title, text=text, slug="echelon").encode(),
            content_type="application/rss+xml",
        )
    report = await run_cycle(core.pipeline, all_sources=True)
    assert report.new_events == 2
    assert report.queued == 1
    await core.dispatcher.drain()
    alerts = [
        m
        for m in sandbox.messages_to(ALICE)
        if "Калинковичи" in (m.text or "") or "Калінкавіч" in (m.text or "")
    ]
    assert len(alerts) == 1
    events = await core.db.events.recent()
    assert len({event.story_id for event in events}) == 1
    assert await core.db.events.sources_count(events[0].story_id) == 2


async def test_the_poller_sees_stories_written_elsewhere(
    core: Core, source_server: SourceServer, tmp_path: Path
) -> None:
    """The poller's mirror of the stories skips re-reading an unchanged table; a story that
    another connection (a second process on the same file) or an admin update on the
    bot's own connection wrote must still be seen, and joined."""
    names = ("polesie", "belwatch", "posture", "minsknews")
    sources = {}
    for name in names:
        url = source_server.add(f"rss/{name}.xml", EMPTY_RSS, content_type="application/rss+xml")
        sources[name] = await add_source(
            core.db, url, now=core.clock.now(), allow_private=True, name=name, kind=SourceKind.RSS
        )
    await run_cycle(core.pipeline, all_sources=True)  # first polls: silent and empty

    def publish(name: str, title: str, text: str) -> None:
        body = RSS.format(name=name, title=title, text=text, slug="story").encode()
        source_server.add(f"rss/{name}.xml", body, content_type="application/rss+xml")

    # A story the poller itself writes: its mirror then matches the table.
    publish(
        "polesie", "Учения войск у Гомеля", "Министр обороны заявил о начале учений под Гомелем."
    )
    await run_cycle(core.pipeline, all_sources=True)
    assert core.pipeline.stories.version is not None

    # Another connection writes a story the poller has never read.
    other = await open_database(core.settings.database)
    try:
        elsewhere = await record_post(
            other,
            post(
                "x",
                "Колонна из 28 грузовиков Урал прошла через Ельск",
                sources["posture"].id,
                "posture",
            ),
            matcher=default_matcher(),
            catalog=default_catalog(),
            now=core.clock.now(),
        )
    finally:
        await other.close()
    assert elsewhere.story_id is not None
    core.clock.advance(timedelta(minutes=5))
    publish("belwatch", "Калона ў Ельску", "Калона з 28 грузавікоў Урал прайшла праз Ельск.")
    await run_cycle(core.pipeline, all_sources=True)
    joined = [e for e in await core.db.events.recent() if e.source_name == "belwatch"]
    assert [event.story_id for event in joined] == [elsewhere.story_id]

    # A story written on the bot's own connection without the mirror (as an admin update's
    # path stores it) is seen as well.
    own = await record_post(
        core.db,
        post(
            "y",
            "Эшелон с танками прибыл в Калинковичи: 12 танков Т-72",
            sources["posture"].id,
            "posture",
        ),
        matcher=core.pipeline.matcher,
        catalog=core.pipeline.catalog,
        now=core.clock.now(),
    )
    assert own.story_id is not None
    core.clock.advance(timedelta(minutes=5))
    publish("minsknews", "Эшалон у Калінкавічах", "Эшалон з 12 танкамі Т-72 прыбыў у Калінкавічы.")
    await run_cycle(core.pipeline, all_sources=True)
    joined = [e for e in await core.db.events.recent() if e.source_name == "minsknews"]
    assert [event.story_id for event in joined] == [own.story_id]
