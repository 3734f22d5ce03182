"""How urgent a report is: low, medium or high, in that order.

One type carries severity everywhere (the catalog, the matcher's findings, a chat's minimum,
an admin's choice on a /post), so "at least this serious" is a comparison of two values,
not a look-up in a table of ranks. It is a `StrEnum` so that what is stored, printed and
written to JSON stays the plain word ("high"), and its order is its rank, not the
alphabet's: comparing a severity with a plain string is a bug and raises `TypeError`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Severity(StrEnum):
    """How urgent a report is; members are listed from the least to the most urgent."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """Return the position in the order: 0 for low, 1 for medium, 2 for high."""
        return _RANK[self]

    @classmethod
    def parse(cls, word: str) -> Self | None:
        """Return the severity a word names ("High", " low"), or None if it names none."""
        try:
            return cls(word.strip().casefold())
        except ValueError:
            return None

    def __lt__(self, other: object) -> bool:
        return _RANK[self] < _rank_of(other)

    def __le__(self, other: object) -> bool:
        return _RANK[self] <= _rank_of(other)

    def __gt__(self, other: object) -> bool:
        return _RANK[self] > _rank_of(other)

    def __ge__(self, other: object) -> bool:
        return _RANK[self] >= _rank_of(other)


_RANK: dict[str, int] = {level.value: rank for rank, level in enumerate(Severity)}


def _rank_of(other: object) -> int:
    """Return another severity's rank; refuse anything else rather than compare letters."""
    if not isinstance(other, Severity):
        raise TypeError(f"cannot order a severity against {type(other).__name__}")
    return _RANK[other]
