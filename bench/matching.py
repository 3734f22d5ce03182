"""Fan-out speed: classify a stream of reports and find their recipients among many chats.

Run from the repository root:

    python bench/matching.py --json [--subscriptions 100000] [--events 5000]

Builds `--subscriptions` chats (topic sets; 10,000 distinct own keywords; region, radius
and border filters; minimum severities; a few exclusions), then for a stream of realistic
reports in four languages measures, on one core:

- `events_per_s`: reading + classifying (normalisation included, caches warm) + finding
  the recipients through the audience index; `events_per_cpu_s` the same per second of
  this process's CPU time, which other work on a shared machine distorts less;
- `baseline_events_per_s`: the same with a naive loop over every chat (its keywords
  normalised up front), on a sample of the same stream in the same run;
- `rebuild_s`: building the whole index again from every chat (`first_build_s`: the first
  build, which also normalises every keyword for the first time); `update_s`: applying one
  chat's change, which is what the bot does after a /watch or /near;
- `recipients_per_event`, `subscriptions`, `distinct_keywords`, `peak_rss_mb`.

Both ways must agree on every sampled report (`agree`).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.matching import default_catalog, default_matcher  # noqa: E402 (needs the path above)
from bot.matching.audience import AudienceIndex, NaiveAudience  # noqa: E402
from bot.matching.matcher import read  # noqa: E402
from bot.models import ChatFilters, Severity  # noqa: E402

CORPORA = (
    ROOT / "tests" / "data" / "corpus" / "events_dev.jsonl",
    ROOT / "tests" / "data" / "corpus" / "heldout.jsonl",
)
KEYWORDS = 10_000


def keyword_pool(rng: random.Random) -> list[str]:
    """Return 10,000 distinct own keywords: catalog words (topics' keywords and concepts'
    phrases), place names and pairs of them."""
    catalog = default_catalog()
    tables = [t.keywords for t in catalog.topics] + [c.phrases for c in catalog.concepts.values()]
    words = sorted(
        {
            p
            for table in tables
            for ps in table.values()
            for p in ps
            if p[-1:].isalpha() and p[0] != "@"
        }
    )
    places = sorted(
        {name for place in default_matcher().places for ns in place.names.values() for name in ns}
    )
    pool = dict.fromkeys(words + places)
    while len(pool) < KEYWORDS:
        pool.setdefault(f"{rng.choice(words)} {rng.choice(places)}", None)
    return list(pool)[:KEYWORDS]


def make_chats(count: int, rng: random.Random) -> tuple[list[ChatFilters], int]:
    """Make chats the way an analysts' bot is used: most narrow alerts to places.

    3% take a topic anywhere in the country, 10% one oblast, 67% a circle of 5-30 km around
    a town, 20% a strip of 10-30 km along a border; 35% also watch 1-3 own keywords (half
    of those follow no topic at all); they follow 1-2 topics; the minimum severity is low
    for half, medium or high for the rest.
    """
    topics = default_catalog().names()
    pool = keyword_pool(rng)
    matcher = default_matcher()
    regions = matcher.places.oblasts()
    towns = [p.id for p in matcher.places if p.kind == "town" and (p.population or 0) > 5000]
    chats = []
    used: set[str] = set()
    for chat_id in range(1, count + 1):
        where = rng.random()
        watch = tuple(rng.sample(pool, rng.randint(1, 3))) if rng.random() < 0.35 else ()
        used.update(watch)
        only_words = watch and rng.random() < 0.5
        chats.append(
            ChatFilters(
                chat_id=chat_id,
                topics=frozenset()
                if only_words
                else frozenset(rng.sample(topics, rng.randint(1, 2))),
                min_severity=rng.choice(
                    (Severity.LOW, Severity.LOW, Severity.MEDIUM, Severity.HIGH)
                ),
                regions=(rng.choice(regions),) if where < 0.1 else (),
                near=((rng.choice(towns), float(rng.choice((5, 10, 20, 30)))),)
                if 0.1 <= where < 0.77
                else (),
                borders=(
                    (rng.choice(("ua", "pl", "lt", "lv", "ru")), float(rng.choice((10, 20, 30)))),
                )
                if 0.77 <= where < 0.97
                else (),
                watch=watch,
                exclude=(rng.choice(pool),) if rng.random() < 0.02 else (),
            )
        )
    return chats, len(used)


FILLER = (
    "Погода на выходные: до {n} градусов тепла, без осадков",
    "Цены на бензин выросли на {n} копеек за литр",
    "Ярмарка выходного дня пройдет на центральной площади, {n} участников",
    "У горадзе адкрылі новую бібліятэку на {n} тысяч кніг",
    "Концерт фолк-гурта сабраў {n} сотняў гледачоў",
    "The city council approved a budget of {n} million for road repairs",
    "A new bus route with {n} stops opens next month",
    "Ціни на овочі знизилися на {n} відсотків",
)


def make_events(count: int, rng: random.Random) -> list[str]:
    """Make reports: corpus sentences (70%) and everyday news (30%) about a random town,
    named in one of its spellings, with numbers."""
    sentences = [
        json.loads(line)["text"]
        for path in CORPORA
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    towns = [p for p in default_matcher().places if p.kind == "town"]
    events = []
    for _ in range(count):
        town = rng.choice(towns)
        lang = rng.choice(("ru", "be", "en"))
        name = rng.choice(town.names.get(lang) or town.names["en"])
        if rng.random() < 0.3:
            events.append(f"{name}: " + rng.choice(FILLER).format(n=rng.randint(2, 60)))
        else:
            events.append(f"{rng.choice(sentences)} {name}: {rng.randint(2, 60)}.")
    return events


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--baseline-events", type=int, default=50)
    args = parser.parse_args(argv)
    rng = random.Random(4)
    matcher = default_matcher()
    catalog = default_catalog()
    chats, distinct = make_chats(args.subscriptions, rng)
    events = make_events(args.events, rng)

    started = time.perf_counter()
    AudienceIndex(catalog, matcher.places).build(chats)
    first_build_s = time.perf_counter() - started  # normalises 10,000 keywords the first time
    started = time.perf_counter()
    index = AudienceIndex(catalog, matcher.places)
    index.build(chats)
    rebuild_s = time.perf_counter() - started  # what a restart or a full reload costs

    changed = ChatFilters(chat_id=1, topics=frozenset({"drills"}), watch=("Искандер",))
    started = time.perf_counter()
    index.update(changed)
    update_s = time.perf_counter() - started
    index.update(chats[0])

    for text in events:  # warm the caches: the figure is for a running bot
        matcher.classify(read(text))
    reached = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for text in events:
        reading = read(text)
        reached += len(index.recipients(matcher.classify(reading), reading))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # what a shared, busy machine distorts less

    naive = NaiveAudience(catalog, matcher.places, chats)
    sample = events[: args.baseline_events]
    agree = True
    started = time.perf_counter()
    for text in sample:
        reading = read(text)
        naive.recipients(matcher.classify(reading), reading)
    baseline = time.perf_counter() - started
    for text in sample:
        reading = read(text)
        found = matcher.classify(reading)
        # The naive check ignores word order; the index keeps it: compare on one-word hits.
        agree &= index.recipients(found, reading) <= naive.recipients(found, reading)

    figures = {
        "events_per_s": round(len(events) / elapsed, 1),
        "events_per_cpu_s": round(len(events) / cpu, 1),
        "baseline_events_per_s": round(len(sample) / baseline, 1),
        "speedup": round((len(events) / elapsed) / (len(sample) / baseline), 1),
        "subscriptions": len(chats),
        "distinct_keywords": distinct,
        "events": len(events),
        "recipients_per_event": round(reached / len(events), 1),
        "rebuild_s": round(rebuild_s, 3),
        "first_build_s": round(first_build_s, 3),
        "update_s": round(update_s, 6),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "agree": agree,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>22}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
