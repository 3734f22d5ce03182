"""CPU-bound ingest work (parsing documents, analysing posts) in worker processes.

Parsing and matching are pure Python and hold the GIL, so threads cannot use a second core;
a `ProcessPoolExecutor` can. Each worker builds its own matcher once, at start, from the
same catalog file (a matcher holds read-only mappings and the morphology analysers, which
do not pickle), and then receives only documents.

A document is parsed, sifted and analysed in one task (`read_in_worker`): the worker gets
the body and the source's known items and sends back one `Page`, packed as plain tuples
(`TupleCodec`), so every item crosses between processes once, within a time budget.

Workers die with the bot: on Linux the kernel kills a worker the moment the process that
started it dies (PR_SET_PDEATHSIG), elsewhere a thread in each worker watches for its
parent to go. Each worker also writes its pid to a record beside the database, so that a
start after a crash kills whatever a killed predecessor left behind (`reap_leftovers`).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import multiprocessing
import operator
import os
import signal
import sys
import threading
import time
import types
import typing
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from bot.matching import Matcher, default_places, load_catalog
from bot.models import ParseResult
from bot.pipeline.read import Page
from bot.runtime.heap import settle_heap

log = logging.getLogger(__name__)
_R = TypeVar("_R")
_T = TypeVar("_T")

# The matcher of this worker process. A process-wide value is what a worker is for: it is
# set once by the pool's initializer and read by every task the worker runs.
_matcher: Matcher | None = None


_PR_SET_PDEATHSIG = 1  # prctl(2)
_WATCH_PARENT_S = 1.0


class ParseBudgetError(Exception):
    """Reading one document took longer than its budget (raised inside the worker)."""


def _init_worker(catalog_path: Path | None, parent: int, record: Path | None) -> None:
    global _matcher  # noqa: PLW0603 -- the per-process state a pool initializer sets
    _die_with_parent(parent)
    if record is not None:
        _note(record, "worker", os.getpid())
    _matcher = Matcher(load_catalog(catalog_path), default_places())
    settle_heap()


def _die_with_parent(parent: int) -> None:
    """Make sure this worker does not outlive the bot's process `parent`."""
    armed = False
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != parent:
        os._exit(0)  # the parent died before the signal was armed: nobody is waiting
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Exit the worker once its parent is gone (where no parent-death signal exists)."""
    while os.getppid() == parent:
        time.sleep(_WATCH_PARENT_S)
    os._exit(0)


def _started(pid: int) -> int | None:
    """Return when a process started (clock ticks since boot), None if it is not running.

    Read from /proc, so that a pid the system has since given to another process is never
    taken for the one recorded; None where there is no /proc.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None  # starttime


def _note(record: Path, role: str, pid: int) -> None:
    """Append one process to the record (a short append is atomic)."""
    with record.open("a", encoding="ascii") as file:
        file.write(f"{role} {pid} {_started(pid) or 0}\n")


def _recorded(record: Path) -> Iterator[tuple[str, int, int]]:
    with contextlib.suppress(OSError):
        for line in record.read_text(encoding="ascii", errors="replace").splitlines():
            role, _, rest = line.partition(" ")
            pid, _, started = rest.partition(" ")
            if pid.isdigit() and started.isdigit():
                yield role, int(pid), int(started)


def reap_leftovers(record: Path) -> int:
    """Kill the workers a dead predecessor left running, start a new record; return how many.

    Only processes whose pid and start time both match the record are touched, and only
    when the process that recorded them is gone; a live one (another instance on the same
    database) keeps its workers.
    """
    entries = list(_recorded(record))
    parents = [(pid, started) for role, pid, started in entries if role == "parent"]
    ours = any(pid == os.getpid() for pid, _ in parents)  # an earlier pool of this process
    killed = 0
    alive = any(started and _started(pid) == started for pid, started in parents)
    if not alive:
        for role, pid, started in entries:
            if role == "worker" and started and _started(pid) == started:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
        if killed:
            log.warning(
                "killed %d worker process(es) a stopped predecessor left running (%s)",
                killed,
                record,
            )
    if alive and not ours:
        log.warning("another Outpost process still runs with the workers recorded in %s", record)
        return 0
    record.write_text("", encoding="ascii")
    _note(record, "parent", os.getpid())
    return killed


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise ParseBudgetError in this (worker's main) thread once `seconds` have passed.

    SIGALRM interrupts Python code between bytecodes; a C call that never returns is not
    interrupted, which is why pathological nesting is refused before parsing
    (`bot.pipeline.parse.depth`) and why the cycle keeps its own deadline besides.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise ParseBudgetError(f"reading took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class TupleCodec(Generic[_T]):
    """Packs a frozen dataclass into plain tuples and back, field by field, in field order.

    Slotted dataclasses pickle through Python-level `__getstate__`/`__setstate__`, which
    cost more per post than parsing it; tuples of strings and numbers pickle in C. The
    layout is read from the class's own fields and type hints, so a field added later
    crosses without anyone updating a packer. A field holding a dataclass, an optional
    one or a `tuple[Dataclass, ...]` is packed in turn; a dataclass anywhere else in a
    field's type (a list or dict of them) is refused when the codec is made.
    """

    def __init__(self, cls: type[_T]) -> None:
        if not is_dataclass(cls):
            raise TypeError(f"{cls!r} is not a dataclass")
        self._cls = cls
        hints = typing.get_type_hints(cls)
        names: list[str] = []
        nested: list[tuple[int, TupleCodec[Any], bool]] = []
        for index, spec in enumerate(fields(cls)):
            if not spec.init or spec.kw_only:
                raise TypeError(f"{cls.__name__}.{spec.name} is not a positional field")
            names.append(spec.name)
            inner, many = _nested_dataclass(hints[spec.name])
            if inner is not None:
                nested.append((index, TupleCodec(inner), many))
            elif _mentions_dataclass(hints[spec.name]):
                raise TypeError(f"{cls.__name__}.{spec.name}: cannot pack {hints[spec.name]}")
        getter = operator.attrgetter(*names)
        # attrgetter of one name returns the value itself, not a tuple of one.
        self._get: Callable[[_T], tuple[Any, ...]] = (
            getter if len(names) > 1 else lambda value: (getter(value),)
        )
        self._nested = tuple(nested)

    def pack(self, value: _T) -> tuple[Any, ...]:
        """Return the value's fields as a tuple, nested dataclasses packed too."""
        packed = self._get(value)
        if not self._nested:
            return packed
        out = list(packed)
        for index, codec, many in self._nested:
            inner = out[index]
            if inner is not None:
                out[index] = tuple(map(codec.pack, inner)) if many else codec.pack(inner)
        return tuple(out)

    def unpack(self, packed: tuple[Any, ...]) -> _T:
        """Rebuild what `pack` flattened."""
        if not self._nested:
            return self._cls(*packed)
        out = list(packed)
        for index, codec, many in self._nested:
            inner = out[index]
            if inner is not None:
                out[index] = tuple(map(codec.unpack, inner)) if many else codec.unpack(inner)
        return self._cls(*out)


def _nested_dataclass(hint: Any) -> tuple[type[Any] | None, bool]:
    """Return the dataclass a field holds (itself, optional, or as `tuple[X, ...]`), if any."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            hint, args = rest[0], typing.get_args(rest[0])
    if isinstance(hint, type) and is_dataclass(hint):
        return hint, False
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if isinstance(item, type) and is_dataclass(item):
            return item, True
    return None, False


def _mentions_dataclass(hint: Any) -> bool:
    if isinstance(hint, type) and is_dataclass(hint):
        return True
    return any(_mentions_dataclass(arg) for arg in typing.get_args(hint))


PAGES: TupleCodec[Page] = TupleCodec(Page)
PackedPage = tuple[Any, ...]


def read_in_worker(
    parse: Callable[[], ParseResult],
    sift: Callable[[ParseResult, Matcher], Page],
    budget: float | None = None,
) -> PackedPage:
    """Parse a document and sift and analyse it with this worker's matcher, packed.

    `parse` is `parse_document` and `sift` is `page_of`, each bound to its arguments
    (picklable partials); the matcher is the one this worker built at start. Past `budget`
    seconds the work stops with ParseBudgetError.
    """
    if _matcher is None:
        raise RuntimeError("read_in_worker runs only in a pool made by make_process_pool")
    with time_budget(budget):
        return PAGES.pack(sift(parse(), _matcher))


class WorkerPool(Executor):
    """A pool of worker processes that starts afresh when one of its workers died.

    A worker that dies (a C parser crashing on a hostile document, the kernel's OOM
    killer) breaks a `ProcessPoolExecutor` for good: every later task fails at once, so
    one bad document would stop all ingest until a restart. This pool notices that it is
    broken when asked for work and starts new workers for it; the tasks that were running
    when the worker died still fail (their callers retry once, see `Pipeline.read`).
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


def make_process_pool(
    catalog_path: Path | None, workers: int, *, record: Path | None = None
) -> WorkerPool:
    """Start a pool of worker processes that parse and analyse; the caller shuts it down.

    `catalog_path` is the topic catalog the pipeline's own matcher was built from (None:
    the shipped one), so the workers classify exactly as the main process would. `record`
    is where the workers note their pids, after any left there by a killed predecessor
    were killed (`reap_leftovers`).
    """
    if record is not None:
        reap_leftovers(record)
    # spawn, not fork: forking a process that runs an event loop and threads is unsafe.
    return WorkerPool(
        functools.partial(
            ProcessPoolExecutor,
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(catalog_path, os.getpid(), record),
        )
    )
