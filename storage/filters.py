"""What each chat receives beyond its topics: place filters, minimum severity, own words.

Every change to a chat's topics, filters, words or activity gets a revision number (kept by
triggers, see migration 002), so the in-memory audience index reloads only what changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.models import ChatFilters, Severity
from storage._base import Repository, dump_list, load_list

WORD_KINDS = ("watch", "exclude")


def _pairs(value: str | None) -> tuple[tuple[str, float], ...]:
    """Decode a JSON list of [name, km] pairs."""
    if not value:
        return ()
    return tuple((str(name), float(km)) for name, km in json.loads(value))


class FilterRepository(Repository):
    """Per-chat filters and words, and the revisions of what chats receive."""

    async def revision(self) -> int:
        """Return the latest revision of any chat's audience."""
        row = await self._db.fetchone("SELECT COALESCE(MAX(rev), 0) FROM audience_changes")
        return int(row[0]) if row else 0

    async def changed_since(self, rev: int | None) -> tuple[list[ChatFilters], int]:
        """Return the chats changed after a revision (every chat for None) and the newest."""
        async with self._db.transaction():
            latest = await self.revision()
            if rev is None:
                rows = await self._db.fetchall("SELECT id FROM chats")
            else:
                rows = await self._db.fetchall(
                    "SELECT chat_id AS id FROM audience_changes WHERE rev > ?", (rev,)
                )
            chats = await self.load([int(row["id"]) for row in rows])
        return chats, latest

    async def load(self, chat_ids: Sequence[int]) -> list[ChatFilters]:
        """Return what each of these chats receives (inactive or unknown chats say so)."""
        if not chat_ids:
            return []
        ids = self._db.list_param(chat_ids)
        in_ids = self._db.any_of("chat_id")
        active = {
            int(row["id"]): bool(row["active"])
            for row in await self._db.fetchall(
                f"SELECT id, active FROM chats WHERE {self._db.any_of('id')}",  # noqa: S608
                (ids,),
            )
        }
        topics: dict[int, set[str]] = {}
        for row in await self._db.fetchall(
            f"SELECT chat_id, topic FROM subscriptions WHERE {in_ids}",  # noqa: S608
            (ids,),
        ):
            topics.setdefault(int(row["chat_id"]), set()).add(row["topic"])
        filters = {
            int(row["chat_id"]): row
            for row in await self._db.fetchall(
                "SELECT chat_id, min_severity, regions, near, borders FROM chat_filters "  # noqa: S608
                f"WHERE {in_ids}",
                (ids,),
            )
        }
        words: dict[tuple[int, str], list[str]] = {}
        for row in await self._db.fetchall(
            "SELECT chat_id, kind, phrase FROM chat_words "  # noqa: S608
            f"WHERE {in_ids} ORDER BY created_at, phrase",
            (ids,),
        ):
            words.setdefault((int(row["chat_id"]), row["kind"]), []).append(row["phrase"])
        result = []
        for chat_id in chat_ids:
            found = filters.get(chat_id)
            result.append(
                ChatFilters(
                    chat_id=chat_id,
                    active=active.get(chat_id, False),
                    topics=frozenset(topics.get(chat_id, ())),
                    min_severity=Severity(found["min_severity"]) if found else Severity.LOW,
                    regions=load_list(found["regions"]) if found else (),
                    near=_pairs(found["near"]) if found else (),
                    borders=_pairs(found["borders"]) if found else (),
                    watch=tuple(words.get((chat_id, "watch"), ())),
                    exclude=tuple(words.get((chat_id, "exclude"), ())),
                )
            )
        return result

    async def get(self, chat_id: int) -> ChatFilters:
        """Return what one chat receives."""
        return (await self.load([chat_id]))[0]

    async def set_filters(
        self,
        chat_id: int,
        *,
        min_severity: Severity,
        regions: Sequence[str],
        near: Sequence[tuple[str, float]],
        borders: Sequence[tuple[str, float]],
    ) -> None:
        """Store a chat's place filters and minimum severity."""
        await self._db.execute(
            """
            INSERT INTO chat_filters (chat_id, min_severity, regions, near, borders)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET min_severity = excluded.min_severity,
                regions = excluded.regions, near = excluded.near, borders = excluded.borders
            """,
            (
                chat_id,
                min_severity,
                dump_list(regions),
                json.dumps([list(pair) for pair in near], ensure_ascii=False),
                json.dumps([list(pair) for pair in borders]),
            ),
        )

    async def add_words(
        self, chat_id: int, kind: str, phrases: Iterable[str], *, now: datetime
    ) -> int:
        """Add own keywords or exclusions to a chat; return how many were new."""
        if kind not in WORD_KINDS:
            raise ValueError(f"unknown word kind {kind!r}")
        added = 0
        async with self._db.transaction():
            for phrase in phrases:
                cursor = await self._db.execute(
                    "INSERT INTO chat_words (chat_id, kind, phrase, created_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (chat_id, kind, phrase, now.timestamp()),
                )
                added += cursor.rowcount
        return added

    async def remove_words(self, chat_id: int, kind: str, phrases: Iterable[str] | None) -> int:
        """Remove some of a chat's words of a kind (all of them for None); return how many."""
        if phrases is None:
            cursor = await self._db.execute(
                "DELETE FROM chat_words WHERE chat_id = ? AND kind = ?", (chat_id, kind)
            )
            return cursor.rowcount
        removed = 0
        async with self._db.transaction():
            for phrase in phrases:
                cursor = await self._db.execute(
                    "DELETE FROM chat_words WHERE chat_id = ? AND kind = ? AND phrase = ?",
                    (chat_id, kind, phrase),
                )
                removed += cursor.rowcount
        return removed

    async def count_words(self, chat_id: int, kind: str) -> int:
        """Return how many words of a kind a chat has."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM chat_words WHERE chat_id = ? AND kind = ?", (chat_id, kind)
        )
        return int(row[0]) if row else 0
