"""CPU-bound ingest work (parsing documents, matching texts) in worker processes.

Parsing and matching are pure Python and hold the GIL, so threads cannot use a second core;
a `ProcessPoolExecutor` can. Each worker builds its own matcher once, at start, from the
same catalog file (a matcher holds read-only mappings and the morphology analysers, which
do not pickle), and then receives only documents.

A document is parsed, sifted and analysed in one task (`digest_packed`): the worker gets the body
and the source's known items, and sends back only the new and changed items with their
content hashes and analyses. Parsing in one task and matching in another sent every item's
text across three times and made the main process rebuild every parsed item, which cost
the main process more than storing the items did.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from bot.matching import Matcher, default_places, load_catalog
from bot.matching.matcher import read
from bot.models import (
    Classification,
    ErrorKind,
    ParsedItem,
    ParseResult,
    Severity,
    SourceKind,
    TopicHit,
)
from bot.pipeline.alerts import content_hash, story_signature, summarize
from bot.pipeline.parse import parse_document
from bot.pipeline.parse.telegram_channel import older_page_url
from bot.pipeline.stories import Signature
from bot.runtime.heap import settle_heap

log = logging.getLogger(__name__)
_R = TypeVar("_R")

# What `analyse` works out for one post: its classification, summary and story signature.
Analysis = tuple[Classification, str, Signature]

# The matcher of this worker process. A process-wide value is what a worker is for: it is
# set once by the pool's initializer and read by every task the worker runs.
_matcher: Matcher | None = None


def _init_worker(catalog_path: Path | None) -> None:
    global _matcher  # noqa: PLW0603 -- the per-process state a pool initializer sets
    _matcher = Matcher(load_catalog(catalog_path), default_places())
    settle_heap()


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
_Graded = tuple[tuple[str, Severity, str], ...]
_Hit = tuple[str, _Names, _Names, tuple[tuple[str, str], ...], Severity | None, _Graded]
_Found = tuple[
    str,
    _Names,
    _Names,
    tuple[_Hit, ...],
    Severity | None,
    _Names,
    _Names,
    tuple[tuple[str, float], ...],
]
Packed = tuple[_Found, str, tuple[_Names, _Names, _Names, tuple[int, ...]]]


def pack(analysis: Analysis) -> Packed:
    """Flatten an analysis into tuples for the trip back from a worker."""
    found, summary, signature = analysis
    # Every field of TopicHit, in order: tests/bot/pipeline/test_workers.py fails when one
    # is missed.
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


@dataclass(frozen=True, slots=True)
class Digest:
    """A fetched document reduced to what storing it needs."""

    result: ParseResult  # its title, error, warning, detail and ttl; `items` is left empty
    count: int  # how many items the document had
    fresh: tuple[ParsedItem, ...]  # its new and changed items, in document order
    hashes: tuple[str, ...]  # the content hash of each fresh item
    analyses: tuple[Analysis, ...]  # the analysis of each fresh item; () until analysed
    older: str | None = None  # a channel page's next older page (`?before=ID`), if any


def read_document(
    body: bytes,
    *,
    kind: SourceKind,
    content_type: str | None,
    base_url: str,
    known: Mapping[str, str | None],
    taken: Collection[str] = (),
) -> Digest:
    """Parse a document and keep its items that are new or changed, not yet analysed.

    `known` maps the source's stored item keys to their content hashes: an item stored
    before with the same content is skipped before it costs a classification. `taken`
    are keys already read from a newer page of the same poll; the first of a key wins.
    """
    parsed = parse_document(body, kind=kind, content_type=content_type, base_url=base_url)
    fresh: dict[str, tuple[ParsedItem, str]] = {}
    for item in parsed.items:
        if item.key in fresh or item.key in taken:
            continue
        digest = content_hash(item.title, item.text)
        if known.get(item.key) != digest:
            fresh[item.key] = (item, digest)
    older = older_page_url(base_url, parsed.items) if kind is SourceKind.TELEGRAM else None
    return Digest(
        result=replace(parsed, items=()),
        count=len(parsed.items),
        fresh=tuple(item for item, _ in fresh.values()),
        hashes=tuple(digest for _, digest in fresh.values()),
        analyses=(),
        older=older,
    )


def with_analyses(matcher: Matcher, read_: Digest) -> Digest:
    """Return a digest with its fresh items classified, summarised and signed."""
    posts = [(item.title, item.text) for item in read_.fresh]
    return replace(read_, analyses=tuple(analyse(matcher, posts)))


# A ParsedItem as a plain tuple of its fields, in order (tests/bot/pipeline/test_workers.py
# checks all).
_Item = tuple[
    str, str, str, str | None, str | None, datetime | None, bool, bool, str | None, int | None
]
_Meta = tuple[str | None, str | None, str, int | None, str | None]
PackedDigest = tuple[_Meta, int, tuple[_Item, ...], tuple[str, ...], tuple[Packed, ...], str | None]


def pack_digest(done: Digest) -> PackedDigest:
    """Flatten a digest into tuples for the trip back from a worker."""
    result = done.result
    meta: _Meta = (
        result.title,
        None if result.error is None else result.error.value,
        result.detail,
        result.ttl_minutes,
        None if result.warning is None else result.warning.value,
    )
    items = tuple(
        (
            item.key,
            item.title,
            item.text,
            item.link,
            item.canonical_link,
            item.published,
            item.has_photo,
            item.has_video,
            item.forwarded_from,
            item.views,
        )
        for item in done.fresh
    )
    analyses = tuple(pack(analysis) for analysis in done.analyses)
    return (meta, done.count, items, done.hashes, analyses, done.older)


def unpack_digest(packed: PackedDigest) -> Digest:
    """Rebuild what `pack_digest` flattened."""
    meta, count, items, hashes, analyses, older = packed
    title, error, detail, ttl_minutes, warning = meta
    return Digest(
        result=ParseResult(
            title=title,
            error=None if error is None else ErrorKind(error),
            detail=detail,
            ttl_minutes=ttl_minutes,
            warning=None if warning is None else ErrorKind(warning),
        ),
        count=count,
        fresh=tuple(ParsedItem(*item) for item in items),
        hashes=hashes,
        analyses=tuple(unpack(one) for one in analyses),
        older=older,
    )


def digest_packed(read_: Callable[[], Digest]) -> PackedDigest:
    """Read a document and analyse it with this worker's matcher (in a pool worker), packed.

    `read_` is `read_document` with its arguments bound (a picklable partial).
    """
    if _matcher is None:
        raise RuntimeError("digest_packed runs only in a pool made by make_process_pool")
    return pack_digest(with_analyses(_matcher, read_()))


class WorkerPool(Executor):
    """A pool of worker processes that starts afresh when one of its workers died.

    A worker that dies (a C parser crashing on a hostile document, the kernel's OOM
    killer) breaks a `ProcessPoolExecutor` for good: every later task fails at once, so
    one bad document would stop all ingest until a restart. This pool notices that it is
    broken when asked for work and starts new workers for it; the tasks that were running
    when the worker died still fail (their callers retry once, see `Pipeline.digest`).
    """

    def __init__(self, start: Callable[[], ProcessPoolExecutor]) -> None:
        self._start = start
        self._pool = start()
        self._lock = threading.Lock()
        self.restarts = 0  # how many times the workers were started afresh

    def submit(self, fn: Callable[..., _R], /, *args: object, **kwargs: object) -> Future[_R]:
        """Run fn(*args, **kwargs) in a worker, starting new workers if the pool broke."""
        with self._lock:
            try:
                return self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:
                log.warning("a worker process died; starting new ones")
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
                self.restarts += 1
                return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers (see `Executor.shutdown`)."""
        with self._lock:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def make_process_pool(catalog_path: Path | None, workers: int) -> WorkerPool:
    """Start a pool of worker processes that parse and classify; the caller shuts it down.

    `catalog_path` is the topic catalog the pipeline's own matcher was built from (None:
    the shipped one), so the workers classify exactly as the main process would.
    """
    # spawn, not fork: forking a process that runs an event loop and threads is unsafe.
    return WorkerPool(
        functools.partial(
            ProcessPoolExecutor,
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(catalog_path,),
        )
    )
