"""The audience: who receives each report, from an in-memory index kept in step with storage.

The index (`bot.matching.audience.AudienceIndex`) is built from every chat on first use;
after that, each fan-out first reloads only the chats whose topics, filters or words
changed since (storage numbers every change), so a `/watch` in one chat costs one chat's
reload, never a rebuild, and no write path can leave the index stale.
"""

from __future__ import annotations

import asyncio

from bot.matching import Catalog
from bot.matching.audience import AudienceIndex
from bot.matching.matcher import Reading
from bot.matching.places import PlaceIndex
from bot.models import Classification
from storage import Database


class Audience:
    """Finds the chats a classified report goes to."""

    def __init__(self, catalog: Catalog, places: PlaceIndex) -> None:
        self.index = AudienceIndex(catalog, places)
        self._revision: int | None = None  # None: nothing loaded yet
        self._lock = asyncio.Lock()

    async def sync(self, db: Database) -> int:
        """Load the chats that changed since the last call; return how many were reloaded."""
        async with self._lock:
            chats, latest = await db.filters.changed_since(self._revision)
            self.index.build(chats)
            self._revision = latest
            return len(chats)

    async def recipients(self, db: Database, found: Classification, reading: Reading) -> list[int]:
        """Return the chats, in id order, that should be alerted about a report."""
        await self.sync(db)
        return sorted(self.index.recipients(found, reading))
