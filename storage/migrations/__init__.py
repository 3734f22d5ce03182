"""Versioned schema migrations: this folder for SQLite, `storage.migrations_pg` for PostgreSQL.

Rule for every new migration: it comes as two files with the same number and name, one
here (SQLite) and one in `storage/migrations_pg/` (PostgreSQL), so that both databases
reach the same version with the same tables (`latest_version` is the same for both, and
tests/storage/test_migrations.py checks it). SQLite counts from 001 and records the
version in `PRAGMA user_version`; PostgreSQL starts at `011_baseline.sql` (the schema
SQLite has at version 11) and records each applied file in `schema_migrations`.
"""

from __future__ import annotations

import re
from importlib import resources

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def packaged(package: str) -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for every migration in a package, in order.

    The numbers must follow each other without a gap from the first file's.
    """
    found = []
    for entry in resources.files(package).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    first = versions[0] if versions else 1
    if versions != list(range(first, first + len(found))):
        raise RuntimeError(f"migrations must be numbered without gaps, found {versions}")
    return found
