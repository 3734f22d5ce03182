"""Another writer holding the database's write lock: a second process, a backup tool, a
stuck migration, as the application meets them."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path


class OtherWriter:
    """A second connection to a database that takes and lets go of its write lock.

    Off the event loop: its BEGIN waits while a transaction of the application's own
    finishes, and that transaction may need the event loop to get there.
    """

    def __init__(self, database: Path) -> None:
        self._conn = sqlite3.connect(
            database, isolation_level=None, check_same_thread=False, timeout=30
        )
        self.holding = False

    async def lock(self) -> None:
        """Take the write lock (BEGIN IMMEDIATE) and hold it."""
        await asyncio.to_thread(self._conn.execute, "BEGIN IMMEDIATE")
        self.holding = True

    async def unlock(self) -> None:
        """Let go of the lock, if held."""
        if self.holding:
            await asyncio.to_thread(self._conn.execute, "ROLLBACK")
            self.holding = False

    def close(self) -> None:
        """Close the connection (the lock goes with it)."""
        self._conn.close()
