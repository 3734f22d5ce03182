"""Hostile input: the worst case of every text function, parser bombs, and index churn.

Run from the repository root:

    python bench/hostile.py --json [--sizes 10000,20000,40000,80000] [--depth 100000]

Feeds each run of `sandbox.hostile` (a run of dots after a military word, nested tags,
lone surrogates, hard-wrapped lines, ...) at each size to every text function Outpost
applies to a source's words, and to the whole read path of one item (parse the document,
keep what is new, analyse it) for an RSS feed, a JSON Feed (as text and as HTML) and a
channel page. CPU time per call (time.process_time, best of three) is what is compared: on
a shared machine it is steadier than wall time.

Printed figures: `sizes`; per function and run the CPU seconds at each size (`cpu_s`);
`worst` (the slowest call at the largest size: function, run, seconds); `worst_growth`
(the largest ratio of time per character at the largest size to that at the smallest,
among calls that take at least a millisecond: about 1 for linear work, the ratio of sizes
for quadratic); and `worst_item_cpu_s`, the slowest single item through the read path.

`documents` are whole documents a hostile server can send: `bomb_<kind>_s` is
`parse_document` on a document nesting `--depth` elements (a t.me channel page, an Atom
feed with XHTML content, an RSS feed), refused by the nesting guard
(`bot.pipeline.parse.depth`) before any parser sees it; `guard_<kind>_s` and
`guard_<kind>_bytes` are the guard's own scan of an ordinary document of that kind (the
sample channel page repeated to about 200 KB; a 50-item synthetic feed), and
`parse_<kind>_s` the whole parse of the same document, for scale.

`churn` is the audience index's own hostile input: `--churn` chats each watch 30 phrases
(catalog words and place names, alone and in pairs) and then unwatch them all, beside
1,000 chats that stay. It gives the fan-out CPU of a 2,000-word report before and after
(`fanout_cpu_s_before`, `fanout_cpu_s_after`), and the index's size before and after
(`footprint_before`, `footprint_after`: equal when churn leaves nothing behind).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.delivery.render import render_alert  # noqa: E402 (needs the path above)
from bot.delivery.split import split_html  # noqa: E402
from bot.matching import default_catalog, default_matcher  # noqa: E402
from bot.matching.audience import AudienceIndex  # noqa: E402
from bot.matching.matcher import read  # noqa: E402
from bot.models import Alert, ChatFilters, SourceKind, StoryLink  # noqa: E402
from bot.pipeline.analysis import analyse  # noqa: E402
from bot.pipeline.parse import parse_document  # noqa: E402
from bot.pipeline.parse.depth import nesting_depth  # noqa: E402
from bot.pipeline.parse.identity import canonical_link  # noqa: E402
from bot.pipeline.parse.text import (  # noqa: E402
    MAX_TEXT_CHARS,
    bounded,
    first_sentences,
    html_to_text,
    normalize_text,
    split_sentences,
    truncate_words,
)
from bot.pipeline.read import page_of  # noqa: E402
from sandbox.hostile import RUNS, channel_post, json_feed_item, rss_item  # noqa: E402
from sandbox.synthetic import make_feed  # noqa: E402

SAMPLES = ROOT / "sandbox" / "samples"

MIN_SECONDS = 0.001  # growth is read only from calls at least this long: below, it is noise


def text_functions() -> dict[str, Callable[[str], object]]:
    """Return every text function a source's words go through, by name."""
    matcher = default_matcher()
    catalog = default_catalog()

    def alert(text: str) -> str:
        cut = bounded(text, MAX_TEXT_CHARS)
        shown = Alert(
            1,
            ("drills",),
            cut[:1_000],
            first_sentences(cut),
            (),
            datetime(2022, 10, 12, tzinfo=UTC),
            (StoryLink(cut[:200], "https://example.org/a"),),
            False,
        )
        return "".join(split_html(render_alert(shown, catalog)))

    def poll(kind: SourceKind, wrap: Callable[[str], bytes]) -> Callable[[str], object]:
        def run(text: str) -> object:
            parsed = parse_document(
                wrap(text), kind=kind, content_type=None, base_url="https://hostile.example/"
            )
            return page_of(parsed, matcher, kind=kind, base_url="https://t.me/s/x", known={})

        return run

    return {
        "normalize_text": normalize_text,
        "html_to_text": html_to_text,
        "split_sentences": split_sentences,
        "first_sentences": first_sentences,
        "truncate_words": lambda text: truncate_words(text, 400),
        "bounded": lambda text: bounded(text, MAX_TEXT_CHARS),
        "canonical_link": canonical_link,
        "read": lambda text: read(bounded(text, MAX_TEXT_CHARS)),
        "classify": lambda text: matcher.classify(bounded(text, MAX_TEXT_CHARS)),
        "analyse": lambda text: analyse(matcher, text[:2_000], text),
        "render_alert": alert,
        "poll_rss": poll(SourceKind.RSS, rss_item),
        "poll_json_text": poll(SourceKind.RSS, json_feed_item),
        "poll_json_html": poll(SourceKind.RSS, lambda text: json_feed_item(text, html=True)),
        "poll_channel": poll(SourceKind.TELEGRAM, channel_post),
    }


def cpu_of(function: Callable[[str], object], text: str) -> float:
    """Return the least CPU seconds of three calls."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        function(text)
        best = min(best, time.process_time() - start)
    return best


def bench(sizes: list[int]) -> dict[str, object]:
    """Time every function on every run at every size; return the figures."""
    functions = text_functions()
    for function in functions.values():
        function(RUNS["keywords"](2_000))  # warm the matcher's memos and lazy loads
    figures: dict[str, dict[str, list[float]]] = {}
    worst = ("", "", 0.0)
    growth = ("", "", 0.0)
    for name, function in functions.items():
        figures[name] = {}
        for run, make in RUNS.items():
            times = [cpu_of(function, make(size)) for size in sizes]
            figures[name][run] = [round(t, 6) for t in times]
            if times[-1] > worst[2]:
                worst = (name, run, times[-1])
            if times[-1] >= MIN_SECONDS and times[0] > 0:
                ratio = (times[-1] / sizes[-1]) / (times[0] / sizes[0])
                if ratio > growth[2]:
                    growth = (name, run, ratio)
    items = [max(figures[name][run][-1] for run in RUNS) for name in functions if "poll" in name]
    return {
        "sizes": sizes,
        "cpu_s": figures,
        "worst": {"function": worst[0], "run": worst[1], "cpu_s": round(worst[2], 4)},
        "worst_growth": {"function": growth[0], "run": growth[1], "ratio": round(growth[2], 2)},
        "worst_item_cpu_s": round(max(items), 4),
    }


def bombs(depth: int) -> dict[str, tuple[bytes, SourceKind]]:
    """Documents nesting `depth` elements, one of each kind a source can serve."""
    nested = b"<div>" * depth + b"x" + b"</div>" * depth
    return {
        "telegram": (
            b'<html><body><div class="tgme_widget_message" data-post="b/1">'
            b'<div class="tgme_widget_message_text">' + nested + b"</div></div></body></html>",
            SourceKind.TELEGRAM,
        ),
        "atom": (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id>'
            b'<title>t</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            + nested
            + b"</div></content></entry></feed>",
            SourceKind.RSS,
        ),
        "rss": (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item>'
            b"<guid>1</guid><title>t</title><x>"
            + nested.replace(b"div", b"x")
            + b"</x></item></channel></rss>",
            SourceKind.RSS,
        ),
    }


def ordinary() -> dict[str, tuple[bytes, SourceKind, bool]]:
    """Documents as sources serve them, for the guard's cost on every poll."""
    page = (SAMPLES / "channel_be.html").read_bytes()
    head, _, rest = page.partition(b'<div class="tgme_widget_message_wrap')
    body, _, tail = rest.rpartition(b"</section>")
    repeated = head + (b'<div class="tgme_widget_message_wrap' + body) * 25 + b"</section>" + tail
    return {
        "telegram": (repeated, SourceKind.TELEGRAM, True),
        "rss": (make_feed(1, 50), SourceKind.RSS, False),
    }


def documents(depth: int) -> dict[str, object]:
    """Time the parser bombs and the nesting guard's cost on ordinary documents."""
    figures: dict[str, object] = {"depth": depth}

    def parse(body: bytes, kind: SourceKind) -> Callable[[str], object]:
        return lambda _: parse_document(
            body, kind=kind, content_type=None, base_url="https://t.me/s/b"
        )

    for name, (body, kind) in bombs(depth).items():
        figures[f"bomb_{name}_s"] = round(cpu_of(parse(body, kind), ""), 4)
    for name, (body, kind, html) in ordinary().items():
        figures[f"guard_{name}_bytes"] = len(body)
        figures[f"guard_{name}_s"] = round(
            cpu_of(lambda _, body=body, html=html: nesting_depth(body, html=html), ""), 4
        )
        figures[f"parse_{name}_s"] = round(cpu_of(parse(body, kind), ""), 4)
    return figures


def churn(pairs: int) -> dict[str, object]:
    """Watch and unwatch phrases `pairs` times beside chats that stay; time a fan-out."""
    rng = random.Random(21)
    catalog, matcher = default_catalog(), default_matcher()
    words = sorted(
        {p for t in catalog.topics for ps in t.keywords.values() for p in ps if "*" not in p}
    )
    places = sorted(
        {name for place in matcher.places for ns in place.names.values() for name in ns}
    )
    pool = words + places
    index = AudienceIndex(catalog, matcher.places)
    topics = catalog.names()
    index.build(
        ChatFilters(
            chat_id=chat,
            topics=frozenset(rng.sample(topics, 2)),
            watch=tuple(rng.sample(pool, 2)),
        )
        for chat in range(1, 1_001)
    )
    report = " ".join(rng.choice(pool) for _ in range(2_000))
    reading = read(report)
    found = matcher.classify(reading)

    def fanout() -> float:
        return cpu_of(lambda _: index.recipients(found, reading), "")

    before, footprint = fanout(), index.footprint()
    for round_ in range(pairs):
        chat = 1_000_000 + round_
        watch = tuple(dict.fromkeys(f"{rng.choice(pool)} {rng.choice(pool)}" for _ in range(30)))
        index.update(ChatFilters(chat_id=chat, watch=watch))
        index.update(ChatFilters(chat_id=chat))  # /unwatch: the chat stays, its words go
    return {
        "pairs": pairs,
        "report_words": len(reading.norms),
        "fanout_cpu_s_before": round(before, 5),
        "fanout_cpu_s_after": round(fanout(), 5),
        "footprint_before": footprint,
        "footprint_after": index.footprint(),
    }


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--sizes", default="10000,20000,40000,80000", help="comma-separated characters per run"
    )
    parser.add_argument("--churn", type=int, default=3_000, help="watch+unwatch pairs")
    parser.add_argument("--depth", type=int, default=100_000, help="elements a bomb nests")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    result = bench(sizes)
    result["documents"] = documents(args.depth)
    result["churn"] = churn(args.churn)
    if args.json:
        print(json.dumps(result))
    else:
        for key in ("sizes", "worst", "worst_growth", "worst_item_cpu_s", "documents", "churn"):
            print(f"{key}: {result[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
