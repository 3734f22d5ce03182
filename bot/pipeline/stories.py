"""One story per happening: when a new report joins a story already being told.

Each story keeps a `Signature` of what it is about: its topics, its places, the numbers
its reports give ("28 trucks") and a MinHash sketch of its first report's wording. A new
report, within `WINDOW` of the story's latest report, joins it when

- it does not contradict the story (if both name places, one is shared; if both give
  numbers, one is shared), and
- its wording is a near-duplicate (estimated Jaccard similarity of word-pair shingles at
  least `NEAR_DUPLICATE`; words are compared in their normal forms, so a rewrite that
  changes cases still counts), or it shares a topic and a named place (a town, airfield,
  crossing: an oblast is too wide).
  Topics, places and numbers do not depend on the language, so a Belarusian post and a
  Russian article about the same column join.

Why no library: datasketch's MinHash needs numpy and scipy for what is here a bottom-k
sketch of 64 hashes over a few dozen shingles, compared against a few hundred stories.

`RecentStories` keeps the recent stories' signatures decoded in memory and indexed by
sketch hash and place, so a report is compared only with the stories it could join rather
than with every story of the window; it chooses exactly what `choose_story` would.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from bot.matching.matcher import Reading
from bot.matching.normalize import Memo
from bot.models import Classification

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from storage import Database

WINDOW = timedelta(hours=12)
NEAR_DUPLICATE = 0.5
SKETCH_SIZE = 64
MAX_CANDIDATES = 300  # the newest stories in the window that a report is compared with
_MIN_NUMBER = 2  # "1" is too common to mean anything
_MAX_DIGITS = 12  # a longer number in a report is an identifier or noise, not a count
_K = TypeVar("_K")
# One encoder for every signature: json.dumps with any option builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False)
_SLACK = 8  # posting lists `RecentStories.choose` counts beyond the fewest it must


@dataclass(frozen=True, slots=True)
class Signature:
    """What a story is about, as far as joining reports goes."""

    topics: frozenset[str]
    places: frozenset[str]  # point places only
    numbers: frozenset[str]
    sketch: tuple[int, ...]  # bottom-k MinHash of word-pair shingles

    def to_json(self) -> str:
        """Encode for the stories table."""
        return _JSON.encode(
            {
                "topics": sorted(self.topics),
                "places": sorted(self.places),
                "numbers": sorted(self.numbers),
                "sketch": list(self.sketch),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Signature | None:
        """Decode a stored signature; None if it is missing or unreadable."""
        try:
            data = json.loads(text)
            return cls(
                topics=frozenset(map(str, data["topics"])),
                places=frozenset(map(str, data["places"])),
                numbers=frozenset(map(str, data["numbers"])),
                sketch=tuple(int(value) for value in data["sketch"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def signature_of(found: Classification, reading: Reading, point_places: Iterable[str]) -> Signature:
    """Describe a report: its topics, point places, numbers and a sketch of its wording."""
    # map() and filter() in C where a comprehension would run Python per word: every stored
    # report is signed. A shingle is two consecutive words (those with a normal form), each
    # in its first normal form, e.g. "колонна техника".
    words = filter(None, reading.forms)
    # isdecimal, not isdigit: "10²" is digits but no number int() reads. A longer run of
    # digits is no count of anything, and int() of it costs time quadratic in its length
    # (Python refuses one over 4,300 digits): only numbers of up to _MAX_DIGITS count.
    digits = (n for n in filter(str.isdecimal, reading.norms) if len(n) <= _MAX_DIGITS)
    numbers = {number.lstrip("0") or "0" for number in digits if int(number) >= _MIN_NUMBER}
    return Signature(
        topics=frozenset(found.topics),
        places=frozenset(point_places),
        numbers=frozenset(numbers),
        sketch=_bottom(set(map(_PAIR_HASHES.__getitem__, itertools.pairwise(words)))),
    )


def _shingle_hash(shingle: str) -> int:
    """Hash a shingle (two normal forms joined by a space): what sketches are made of."""
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def _pair_hash(pair: tuple[frozenset[str], frozenset[str]]) -> int:
    """Hash the shingle of two consecutive words, given by their normal forms."""
    one, other = pair
    return _shingle_hash(f"{min(one)} {min(other)}")


# Common word pairs recur in report after report. Keyed by the words' sets of normal forms
# as the reading holds them: a frozenset keeps its hash and these are the same objects
# report after report (`Memo` of the forms), so a known pair costs a dict lookup, without
# picking each word's form or building and hashing the shingle's string.
_PAIR_HASHES: Memo[tuple[frozenset[str], frozenset[str]], int] = Memo(_pair_hash, 262_144)


def _bottom(hashes: set[int]) -> tuple[int, ...]:
    """Return the `SKETCH_SIZE` smallest of some shingles' hashes, in order."""
    return tuple(sorted(hashes)[:SKETCH_SIZE])


def similarity(one: Sequence[int], other: Sequence[int]) -> float:
    """Estimate the Jaccard similarity of two sets from their bottom-k sketches."""
    if not one or not other:
        return 0.0
    k = min(SKETCH_SIZE, len(set(one) | set(other)))
    union = sorted(set(one) | set(other))[:k]
    both = set(one) & set(other)
    return sum(value in both for value in union) / k


def same_happening(story: Signature, report: Signature) -> bool:
    """Tell whether a report tells the same happening as a story."""
    # Different places or different numbers are different happenings, however alike the
    # wording ("28 trucks through Yelsk" and "28 trucks through Orsha").
    if story.places and report.places and not story.places & report.places:
        return False
    if story.numbers and report.numbers and not story.numbers & report.numbers:
        return False
    # The cheap test first: a shared topic and place is enough without the wording.
    if story.topics & report.topics and story.places & report.places:
        return True
    return similarity(story.sketch, report.sketch) >= NEAR_DUPLICATE


def merged(story: Signature, report: Signature) -> Signature:
    """Return a story's signature once a report joined it (the wording stays the first's)."""
    return Signature(
        topics=story.topics | report.topics,
        places=story.places | report.places,
        numbers=story.numbers | report.numbers,
        sketch=story.sketch,
    )


def choose_story(
    report: Signature, candidates: Iterable[tuple[int, str | None]]
) -> tuple[int, Signature] | None:
    """Return the first candidate story (newest first) the report joins, with its signature."""
    for story_id, stored in candidates:
        signature = Signature.from_json(stored) if stored else None
        if signature is not None and same_happening(signature, report):
            return story_id, signature
    return None


def _may_be_near(shared: int, one: int, other: int) -> bool:
    """Tell whether two sketches of these sizes sharing `shared` hashes can be near-duplicates.

    `similarity` counts at most the shared hashes among the k it compares, so this bound
    never rules out a pair that `similarity` would accept.
    """
    k = min(SKETCH_SIZE, one + other - shared)
    return k > 0 and shared / k >= NEAR_DUPLICATE


@dataclass(frozen=True, slots=True)
class _Story:
    """A story as `RecentStories` holds it."""

    rank: tuple[float, int]  # (last reported, id): newest first is largest first
    stored: str | None  # the signature text as stored, to tell a changed one
    signature: Signature | None  # None if unreadable: it still takes a candidate's place
    hashes: frozenset[int]  # the signature's sketch as a set, to count shared hashes


class RecentStories:
    """The newest `MAX_CANDIDATES` stories of the window, decoded and indexed by key.

    Mutable on purpose: it is a cache of the stories table, refreshed from it (`sync`) and
    updated after each report stored (`touch`), so decoding signatures and comparing
    sketches is done once per story, not once per story and report (`StoryMirror` keeps
    it in step with the table). `choose` gives exactly what `choose_story` gives for the
    same rows.
    """

    def __init__(self, limit: int = MAX_CANDIDATES) -> None:
        self._limit = limit
        self._stories: dict[int, _Story] = {}
        self._ranks: list[tuple[float, int]] = []  # ascending
        self._by_hash: dict[int, set[int]] = {}
        self._by_place: dict[str, set[int]] = {}

    def sync(self, rows: Iterable[tuple[int, float, str | None]]) -> None:
        """Mirror the stories table's newest stories: (id, last reported, signature) rows."""
        fresh = {story_id: (seen, stored) for story_id, seen, stored in rows}
        for story_id in [known for known in self._stories if known not in fresh]:
            self._drop(story_id)
        for story_id, (seen, stored) in fresh.items():
            self._put(story_id, seen, stored)

    def touch(
        self,
        story_id: int,
        seen: float,
        stored: str | None,
        signature: Signature | None = None,
    ) -> None:
        """Record that a story was just reported (and its signature, if it was rewritten).

        `signature` is `stored` decoded, when the caller has it: it saves decoding it again.
        """
        if stored is None and story_id in self._stories:
            stored = self._stories[story_id].stored
            signature = None
        self._put(story_id, seen, stored, signature)
        while len(self._ranks) > self._limit:
            self._drop(self._ranks[0][1])

    def choose(self, report: Signature, *, since: float) -> tuple[int, Signature] | None:
        """Return the newest story of the window the report joins, with its signature."""
        size = len(report.sketch)
        # However long a story's sketch, k is at least min(SKETCH_SIZE, size): fewer shared
        # hashes than NEAR_DUPLICATE of that cannot be a near-duplicate.
        least = NEAR_DUPLICATE * min(SKETCH_SIZE, size)
        # A story sharing `least` of the report's hashes is in at least `least - (size - m)`
        # of any m of their posting lists. Counting only the m shortest lists (m a few more
        # than that bound needs to be positive) touches a fraction of the index, and the
        # few stories it leaves are counted exactly by a set intersection in C.
        lists = sorted(map(self._by_hash.get, report.sketch, itertools.repeat(())), key=len)
        shortest = min(size, size - math.ceil(least) + _SLACK)
        floor = least - (size - shortest)
        counts = Counter(itertools.chain.from_iterable(lists[:shortest]))
        mine = frozenset(report.sketch)  # a sketch's hashes are distinct (`_sketch`)
        candidates: set[int] = set()
        for story_id, partial in counts.items():
            if partial < floor:
                continue
            theirs = self._stories[story_id].hashes
            shared = len(mine.intersection(theirs))
            if shared >= least and _may_be_near(shared, len(theirs), size):
                candidates.add(story_id)
        for place in report.places:
            candidates.update(self._by_place.get(place, ()))
        ranked = sorted((self._stories[story_id].rank for story_id in candidates), reverse=True)
        for seen, story_id in ranked:
            if seen < since:
                break
            signature = self._stories[story_id].signature
            if signature is not None and same_happening(signature, report):
                return story_id, signature
        return None

    def _put(
        self, story_id: int, seen: float, stored: str | None, decoded: Signature | None = None
    ) -> None:
        old = self._stories.get(story_id)
        if old is not None and old.stored == stored:
            if old.rank[0] != seen:
                self._ranks.pop(bisect.bisect_left(self._ranks, old.rank))
                bisect.insort(self._ranks, (seen, story_id))
                self._stories[story_id] = _Story(
                    (seen, story_id), stored, old.signature, old.hashes
                )
            return
        signature: Signature | None = None
        if stored:
            signature = decoded if decoded is not None else Signature.from_json(stored)
        hashes = frozenset(()) if signature is None else frozenset(signature.sketch)
        story = _Story((seen, story_id), stored, signature, hashes)
        if old is not None:
            self._ranks.pop(bisect.bisect_left(self._ranks, old.rank))
        self._stories[story_id] = story
        bisect.insort(self._ranks, story.rank)
        self._reindex(story_id, None if old is None else old.signature, signature)

    def _drop(self, story_id: int) -> None:
        story = self._stories.pop(story_id)
        self._ranks.pop(bisect.bisect_left(self._ranks, story.rank))
        self._reindex(story_id, story.signature, None)

    def _reindex(self, story_id: int, before: Signature | None, after: Signature | None) -> None:
        """Move a story's index entries from one signature (None: none) to another.

        A story that grows keeps its first report's sketch (`merged`), so only its places
        change: its 64 hashes are left where they are rather than removed and added again
        for every report that joins it.
        """
        old_sketch = () if before is None else before.sketch
        new_sketch = () if after is None else after.sketch
        if old_sketch != new_sketch:
            for value in old_sketch:
                _discard(self._by_hash, value, story_id)
            for value in new_sketch:
                self._by_hash.setdefault(value, set()).add(story_id)
        old_places = frozenset() if before is None else before.places
        new_places = frozenset() if after is None else after.places
        for place in old_places - new_places:
            _discard(self._by_place, place, story_id)
        for place in new_places - old_places:
            self._by_place.setdefault(place, set()).add(story_id)


class StoryMirror:
    """The recent stories held in memory (`RecentStories`), kept in step with the table.

    The mirror knows the version of the stories table it matches: SQLite's data_version
    (which moves when another connection commits) with this connection's own count of
    story writes (`EventRepository.stories_version`). `recent` re-reads the table only
    when that version moved, because re-reading is hundreds of rows where the version is
    one query. A writer that uses the mirror inside `transaction` touches it with every
    story it writes, so once that transaction commits the mirror matches the table again;
    if it fails, the version stays unknown and the next `recent` re-reads.
    """

    def __init__(self) -> None:
        self._stories = RecentStories(MAX_CANDIDATES)
        self._version: tuple[int, int] | None = None  # None: unknown, so `recent` re-reads
        self._pending: int | None = None  # data_version `recent` saw in the open transaction

    @property
    def version(self) -> tuple[int, int] | None:
        """Return the stories table's version the mirror is known to match, if any."""
        return self._version

    async def recent(self, db: Database, *, now: datetime) -> RecentStories:
        """Return the recent stories as the table holds them; call inside a transaction.

        The caller must `touch` what it writes to the stories table; until the transaction
        commits through `transaction`, the mirror counts as unknown.
        """
        if not db.in_transaction:
            raise RuntimeError("StoryMirror.recent needs a transaction around it")
        version = await db.events.stories_version()
        if version != self._version:
            self._stories.sync(
                await db.events.recent_signatures(since=now - WINDOW, limit=MAX_CANDIDATES)
            )
        self._version = None  # until the transaction commits, the mirror may run ahead
        self._pending = version[0]
        return self._stories

    @asynccontextmanager
    async def transaction(self, db: Database) -> AsyncIterator[None]:
        """Run a transaction in which stories may be written through this mirror.

        It must be the outermost transaction: the mirror matches the table only once the
        writes are committed, which an enclosing transaction would decide later.
        """
        if db.in_transaction:
            raise RuntimeError("StoryMirror.transaction must not be nested in another")
        settled: tuple[int, int] | None = None
        async with db.transaction():
            self._pending = None  # under the database's lock: no other writer is between
            yield
            if self._pending is not None:
                # No other connection can commit while this one holds the write lock, so
                # data_version is still what `recent` saw; the own writes are counted.
                settled = (self._pending, db.events.stories_writes)
        if settled is not None:
            self._version = settled  # committed: the mirror matches the table


def _discard(index: dict[_K, set[int]], key: _K, story_id: int) -> None:
    ids = index.get(key)
    if ids is not None:
        ids.discard(story_id)
        if not ids:
            del index[key]
