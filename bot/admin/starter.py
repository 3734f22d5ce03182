"""The starter set of sources shipped with Outpost (bot/data/starter_sources.opml).

An operator's first question is what to follow; the file answers it with public channels
and feeds for this field. Its addresses are unchecked (nothing here reaches the internet),
so importing only stores them: the next poll tells each one's health.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from bot.admin.intake import ImportReport, import_opml
from storage import Database

STARTER_FILE = "starter_sources.opml"


def starter_opml() -> bytes:
    """Return the starter OPML document shipped in the package."""
    return (resources.files("bot") / "data" / STARTER_FILE).read_bytes()


async def import_starter(db: Database, *, now: datetime, allow_private: bool) -> ImportReport:
    """Add the starter sources as an OPML import would (known ones are reported, not doubled)."""
    return await import_opml(db, starter_opml(), now=now, allow_private=allow_private)
