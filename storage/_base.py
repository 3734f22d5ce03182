"""What every repository shares: a handle on the database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import psycopg

if TYPE_CHECKING:
    from storage.db import Database


class Row(Protocol):
    """A result row, read by position or by column name (Row, storage.postgres.Row)."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...
    def keys(self) -> list[str]: ...


# A statement broke a constraint (a unique key, a foreign key), whichever the database.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)


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
