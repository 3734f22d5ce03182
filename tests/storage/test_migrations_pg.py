"""The PostgreSQL migrations mirror the SQLite ones: the same tables and columns.

`storage/migrations_pg/` is not run yet (the PostgreSQL backend applies it once it lands);
until then this keeps each of its files in step with its SQLite twin.
"""

from __future__ import annotations

import re

from tests.helpers.paths import PROJECT

_TABLE = re.compile(r"CREATE TABLE (\w+) \((.*?)\n\);", re.S)
_COLUMN = re.compile(r"^\s*(\w+)\s", re.M)
_ADDED = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+)")
_SEEDED = re.compile(r"INSERT INTO (\w+) \((\w+)\) VALUES \('(\w+)'\)")


def shape(sql: str) -> tuple[dict[str, list[str]], list[tuple[str, str]], list[tuple[str, ...]]]:
    """Return the tables with their columns, the columns added, and the rows seeded."""
    sql = re.sub(r"--[^\n]*", "", sql)
    tables = {name: _COLUMN.findall(body) for name, body in _TABLE.findall(sql)}
    return tables, _ADDED.findall(sql), _SEEDED.findall(sql)


def test_every_postgresql_migration_has_the_sqlite_schema() -> None:
    found = sorted((PROJECT / "storage" / "migrations_pg").glob("*.sql"))
    assert found, "no PostgreSQL migration"
    for pg in found:
        sqlite = PROJECT / "storage" / "migrations" / pg.name
        assert sqlite.exists(), pg.name
        mine, theirs = shape(pg.read_text()), shape(sqlite.read_text())
        assert mine == theirs, pg.name
        assert mine[0], pg.name  # the pattern found the tables
