"""The garbage collector set for a long-running process that makes many short-lived objects."""

from __future__ import annotations

import gc

# Container objects allocated (net) before a young collection. CPython's 700 suits small
# scripts; storing one report makes hundreds of short-lived tuples, dicts and dataclasses.
_YOUNG = 20_000


def settle_heap() -> None:
    """Collect once, freeze what start-up built, and let young objects pile up longer.

    A process builds its catalog, matcher and places at start and keeps them to the end:
    hundreds of thousands of objects that every full collection walked again, for nothing.
    Frozen (`gc.freeze`), they sit in a permanent generation no collection visits; objects
    freed later by their reference counts are freed as before, and only cycles among frozen
    objects are never collected, which is why the collection comes first. Called once a
    process is set up: by the bot after it opened its services, and by each ingest worker.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(_YOUNG, *gc.get_threshold()[1:])
