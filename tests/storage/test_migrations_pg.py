"""The PostgreSQL migrations give the schema the SQLite ones give: same tables, same columns.

Migrations come in pairs (`storage/migrations/NNN_*.sql`, `storage/migrations_pg/`); a
column added to one file of a pair and forgotten in the other would break only on the
database nobody tried. Both are migrated for real here and their catalogs compared.
"""

from __future__ import annotations

from pathlib import Path

from storage import Database, open_database
from tests.helpers.paths import PROJECT
from tests.helpers.postgres import PgServer

# What only PostgreSQL needs: its migration record and the stories' version row (SQLite
# reads PRAGMA data_version instead).
POSTGRESQL_ONLY = {"schema_migrations", "stories_version"}


async def _sqlite_schema(db: Database) -> dict[str, set[str]]:
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    schema = {}
    for (name,) in (tuple(row) for row in tables):
        columns = await db.fetchall("SELECT name FROM pragma_table_info(?)", (name,))
        schema[str(name)] = {str(row[0]) for row in columns}
    return schema


async def _postgresql_schema(db: Database) -> dict[str, set[str]]:
    rows = await db.fetchall(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c"
        " JOIN information_schema.tables t"
        " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
        " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
    )
    schema: dict[str, set[str]] = {}
    for row in rows:
        schema.setdefault(str(row[0]), set()).add(str(row[1]))
    return {name: columns for name, columns in schema.items() if name not in POSTGRESQL_ONLY}


def test_migrations_come_in_pairs() -> None:
    sqlite = {p.name for p in (PROJECT / "storage" / "migrations").glob("*.sql")}
    postgresql = {p.name for p in (PROJECT / "storage" / "migrations_pg").glob("*.sql")}
    baseline = "011_baseline.sql"
    assert baseline in postgresql
    assert postgresql - {baseline} == {name for name in sqlite if name > "012_"}


async def test_both_databases_have_the_same_tables_and_columns(
    tmp_path: Path, postgres_server: PgServer
) -> None:
    lite = await open_database(tmp_path / "outpost.sqlite3")
    pg = await open_database(postgres_server.create_database())
    try:
        assert await _postgresql_schema(pg) == await _sqlite_schema(lite)
        assert await pg.schema_version() == await lite.schema_version()
        # Seeded rows too (the sender lease's row).
        seeded = "SELECT name FROM leases ORDER BY name"
        assert [tuple(r) for r in await pg.fetchall(seeded)] == [
            tuple(r) for r in await lite.fetchall(seeded)
        ]
    finally:
        await lite.close()
        await pg.close()
