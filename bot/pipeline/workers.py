"""CPU-bound ingest work (parsing documents, matching texts) in worker processes.

Parsing and matching are pure Python and hold the GIL, so threads cannot use a second core;
a `ProcessPoolExecutor` can. Each worker builds its own matcher once, at start, from the
same catalog file (a matcher holds read-only mappings and the morphology analysers, which
do not pickle), and then receives only documents and texts.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.matching import Matcher, default_places, load_catalog
from bot.matching.matcher import read
from bot.models import Classification, TopicHit
from bot.pipeline.alerts import story_signature, summarize
from bot.pipeline.stories import Signature

# What `analyse` works out for one post: its classification, summary and story signature.
Analysis = tuple[Classification, str, Signature]

# The matcher of this worker process. A process-wide value is what a worker is for: it is
# set once by the pool's initializer and read by every task the worker runs.
_matcher: Matcher | None = None


def _init_worker(catalog_path: Path | None) -> None:
    global _matcher  # noqa: PLW0603 -- the per-process state a pool initializer sets
    _matcher = Matcher(load_catalog(catalog_path), default_places())


def analyse(matcher: Matcher, posts: Sequence[tuple[str, str]]) -> list[Analysis]:
    """Classify, summarise and sign (title, text) posts: the CPU work of storing them."""
    done: list[Analysis] = []
    for title, text in posts:
        reading = read(f"{title}\n{text}")  # read once for the topics and the signature
        found = matcher.classify(reading)
        done.append((found, summarize(title, text), story_signature(matcher, found, reading)))
    return done


# An `Analysis` as plain tuples, strings and numbers: what crosses between processes.
# Frozen slotted dataclasses pickle through Python-level __getstate__/__setstate__, which
# cost more per post than parsing it; tuples pickle in C.
_Names = tuple[str, ...]
_Hit = tuple[
    str, _Names, _Names, tuple[tuple[str, str], ...], str | None, tuple[tuple[str, str, str], ...]
]
_Found = tuple[
    str, _Names, _Names, tuple[_Hit, ...], str | None, _Names, _Names, tuple[tuple[str, float], ...]
]
Packed = tuple[_Found, str, tuple[_Names, _Names, _Names, tuple[int, ...]]]


def pack(analysis: Analysis) -> Packed:
    """Flatten an analysis into tuples for the trip back from a worker."""
    found, summary, signature = analysis
    # Every field of TopicHit, in order: tests/test_workers.py fails when one is missed.
    hits = tuple(
        (hit.topic, hit.words, hit.keywords, hit.pairs, hit.severity, hit.graded)
        for hit in found.hits
    )
    return (
        (
            found.lang,
            found.topics,
            found.places,
            hits,
            found.severity,
            found.notes,
            found.oblasts,
            found.border_km,
        ),
        summary,
        (
            tuple(signature.topics),
            tuple(signature.places),
            tuple(signature.numbers),
            signature.sketch,
        ),
    )


def unpack(packed: Packed) -> Analysis:
    """Rebuild what `pack` flattened."""
    found, summary, signature = packed
    lang, topics, places, hits, severity, notes, oblasts, border_km = found
    topics_, places_, numbers, sketch = signature
    return (
        Classification(
            lang=lang,
            topics=topics,
            places=places,
            hits=tuple(TopicHit(*hit) for hit in hits),
            severity=severity,
            notes=notes,
            oblasts=oblasts,
            border_km=border_km,
        ),
        summary,
        Signature(
            topics=frozenset(topics_),
            places=frozenset(places_),
            numbers=frozenset(numbers),
            sketch=sketch,
        ),
    )


def analyse_many(posts: Sequence[tuple[str, str]]) -> list[Packed]:
    """Run `analyse` with this worker's matcher (runs inside a pool worker), packed."""
    if _matcher is None:
        raise RuntimeError("analyse_many runs only in a pool made by make_process_pool")
    return [pack(analysis) for analysis in analyse(_matcher, posts)]


def make_process_pool(catalog_path: Path | None, workers: int) -> ProcessPoolExecutor:
    """Start a pool of worker processes that parse and classify; the caller shuts it down.

    `catalog_path` is the topic catalog the pipeline's own matcher was built from (None:
    the shipped one), so the workers classify exactly as the main process would.
    """
    # spawn, not fork: forking a process that runs an event loop and threads is unsafe.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(catalog_path,),
    )
