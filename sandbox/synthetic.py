"""Synthetic feeds: deterministic RSS 2.0 documents of realistic size for benchmarks and tests.

The words are a small military-report vocabulary in Russian and English, so the matcher
and the story index do real work on every item.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

WORDS_RU = [
    "колонна",
    "техники",
    "движется",
    "в",
    "сторону",
    "границы",
    "возле",
    "Ельска",
    "учения",
    "мотострелковой",
    "бригады",
    "начались",
    "на",
    "полигоне",
    "эшелон",
    "с",
    "танками",
    "замечен",
    "на",
    "станции",
    "Лунинец",
    "военкоматы",
    "вручают",
    "повестки",
    "резервистам",
    "жители",
    "сообщают",
    "о",
    "вертолётах",
    "над",
    "Мозырем",
    "погода",
    "дороги",
    "урожай",
    "министерство",
    "заявило",
    "что",
    "ситуация",
    "спокойная",
    "местные",
    "власти",
    "провели",
    "совещание",
    "о",
    "ремонте",
]
WORDS_EN = [
    "a",
    "column",
    "of",
    "trucks",
    "was",
    "seen",
    "moving",
    "south",
    "near",
    "the",
    "border",
    "analysts",
    "expect",
    "drills",
    "to",
    "continue",
    "the",
    "ministry",
    "said",
    "the",
    "situation",
    "is",
    "calm",
    "residents",
    "reported",
    "helicopters",
    "local",
    "officials",
    "discussed",
    "road",
    "repairs",
    "harvest",
    "figures",
    "were",
    "published",
    "markets",
    "opened",
    "higher",
]


def _paragraph(rng: random.Random, words: tuple[str, ...] | list[str], size: int) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 18)))
        parts.append(sentence.capitalize() + ".")
        length += len(parts[-1]) + 1
    return " ".join(parts)


def make_feed(index: int, items: int) -> bytes:
    """Return an RSS 2.0 feed whose items carry 1-3 KB of text each (deterministic)."""
    rng = random.Random(index)  # noqa: S311 -- deterministic test data, not secrets
    entries = []
    start = datetime(2022, 10, 12, tzinfo=UTC)
    for number in range(items):
        words = WORDS_RU if rng.random() < 0.7 else WORDS_EN
        title = _paragraph(rng, words, 40)[:90]
        body = _paragraph(rng, words, rng.randint(500, 1500))
        published = (start - timedelta(minutes=7 * number)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        entries.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://feed{index}.example.org/news/{number}?utm_source=rss</link>"
            f"<guid isPermaLink='false'>feed{index}-item{number}</guid>"
            f"<pubDate>{published}</pubDate>"
            f"<description><![CDATA[<p>{escape(body)}</p>]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>https://feed{index}.example.org/</link>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()
