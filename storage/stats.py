"""Figures for the admins' /stats."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import Stats
from storage._base import Repository

FAILING_SHOWN = 15  # failing sources named in /stats; /sources pages through all of them


class StatsRepository(Repository):
    """Read-only aggregate queries."""

    async def collect(self, *, now: datetime) -> Stats:
        """Gather every figure /stats shows."""
        languages = await self._db.fetchall(
            "SELECT COALESCE(language, '?') AS lang, COUNT(*) AS n FROM chats"
            " WHERE active = 1 GROUP BY 1 ORDER BY n DESC"
        )
        topics = await self._db.fetchall(
            "SELECT s.topic, COUNT(*) AS n FROM subscriptions s JOIN chats c ON c.id = s.chat_id"
            " WHERE c.active = 1 GROUP BY s.topic ORDER BY n DESC"
        )
        chats = await self._db.fetchone(
            "SELECT SUM(CASE WHEN active = 1 THEN 1 ELSE 0 END) AS active,"
            " SUM(CASE WHEN active = 0 THEN 1 ELSE 0 END) AS blocked FROM chats"
        )
        failing = await self._db.fetchall(
            "SELECT name, COALESCE(last_error_kind, '?') AS kind, consecutive_failures FROM sources"
            " WHERE consecutive_failures > 0 ORDER BY consecutive_failures DESC, name LIMIT ?",
            (FAILING_SHOWN,),
        )
        failing_count = await self._db.fetchone(
            "SELECT COUNT(*) FROM sources WHERE consecutive_failures > 0"
        )
        return Stats(
            chats=int(chats["active"] or 0) if chats else 0,
            blocked_chats=int(chats["blocked"] or 0) if chats else 0,
            by_language={row["lang"]: int(row["n"]) for row in languages},
            by_topic={row["topic"]: int(row["n"]) for row in topics},
            outbox=await self._db.outbox.summary(since=now - timedelta(hours=24)),
            failing_sources=[
                (row["name"], row["kind"], int(row["consecutive_failures"])) for row in failing
            ],
            failing_count=int(failing_count[0]) if failing_count else 0,
            db_bytes=await self._db.size_bytes(),
        )
