"""What every repository shares: a handle on the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.db import Database


class Repository:
    """Base of the per-table repositories; holds the shared `Database`."""

    def __init__(self, db: Database) -> None:
        self._db = db


# One encoder for every list column: json.dumps with any option builds a new one per call,
# and every stored event writes two lists.
_JSON = json.JSONEncoder(ensure_ascii=False)


def dump_list(values: Sequence[str]) -> str:
    """Encode a list of strings for a JSON column."""
    return _JSON.encode(list(values))


def load_list(value: str | None) -> tuple[str, ...]:
    """Decode a JSON list column."""
    if not value:
        return ()
    return tuple(str(item) for item in json.loads(value))
