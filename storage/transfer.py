"""Moving a whole SQLite database into an empty PostgreSQL one (`outpost migrate-db`).

An operator who started on the embedded SQLite file and now wants several instances
needs their chats, subscriptions, sources, stories and queue on PostgreSQL without
losing a row. Both sides are first brought to the same schema version by their own
migrations, so the copy is table by table, column by column, with no mapping to keep in
step with the schema: the tables come from SQLite's catalog, in the order their foreign
keys need (a referenced table before the tables that point at it), and each row keeps
its id. Afterwards every identity column's sequence is moved past the largest id copied,
or the next insert would collide with a copied row.

It is one PostgreSQL transaction: a copy that fails half-way leaves the target as it was,
and the target must hold no chats, sources, events or stories beforehand (rows the
migrations seed, such as the sender lease, are replaced by the source's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storage.db import Database

BATCH = 2000  # rows an INSERT round carries: big enough to amortise the round trip

# Tables whose rows make a database "in use": a target holding any is refused.
_IN_USE = ("chats", "sources", "events", "stories", "outbox")


class TransferError(Exception):
    """The copy cannot be made; the message says why in one line."""


@dataclass(frozen=True)
class Copied:
    """What a transfer copied: rows per table, in the order the tables were filled."""

    tables: tuple[tuple[str, int], ...]

    @property
    def rows(self) -> int:
        """Rows copied in all."""
        return sum(count for _, count in self.tables)


async def transfer(
    source: Database, target: Database, progress: Callable[[str, int], None] | None = None
) -> Copied:
    """Copy every row of the SQLite `source` into the empty PostgreSQL `target`.

    `progress(table, rows)` is called after each table. Raises TransferError when the
    databases are not SQLite and PostgreSQL, are at different schema versions, or the
    target is already in use; nothing is written then.
    """
    if source.dialect != "sqlite" or target.dialect != "postgresql":
        raise TransferError("the copy goes from an SQLite file to a PostgreSQL database")
    versions = (await source.schema_version(), await target.schema_version())
    if versions[0] != versions[1]:
        raise TransferError(
            f"the schema versions differ (SQLite {versions[0]}, PostgreSQL {versions[1]}):"
            " run the same Outpost version on both"
        )
    order = await _table_order(source)
    columns = {table: await _target_columns(target, table) for table in order}
    missing = [table for table in order if not columns[table]]
    if missing:
        raise TransferError(f"PostgreSQL has no table {missing[0]}: is it Outpost's database?")
    for table in _IN_USE:
        if await target.fetchone(f"SELECT 1 FROM {table} LIMIT 1"):  # noqa: S608 -- our names
            raise TransferError(
                f"the PostgreSQL database already holds {table}: copy into an empty one"
            )
    copied: list[tuple[str, int]] = []
    async with target.transaction(), source.transaction():
        # Children first, so that clearing a seeded row never trips a foreign key.
        for table in reversed(order):
            await target.execute(f"DELETE FROM {table}")  # noqa: S608 -- our names
        for table in order:
            count = await _copy_table(source, target, table, columns[table])
            copied.append((table, count))
            if progress is not None:
                progress(table, count)
        await _move_sequences(target, order)
    return Copied(tuple(copied))


async def _table_order(db: Database) -> list[str]:
    """Return SQLite's tables, each after the tables its foreign keys point at."""
    rows = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    names = [str(row[0]) for row in rows]
    needs: dict[str, set[str]] = {}
    for name in names:
        keys = await db.fetchall('SELECT "table" FROM pragma_foreign_key_list(?)', (name,))
        needs[name] = {str(key[0]) for key in keys} - {name}
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(names):
        ready = [n for n in names if n not in done and needs[n] <= done]
        if not ready:
            raise TransferError("the tables' foreign keys form a cycle")  # pragma: no cover
        order.extend(ready)
        done.update(ready)
    return order


async def _target_columns(db: Database, table: str) -> dict[str, str]:
    """Return PostgreSQL's columns of `table` with their data types (empty: no table)."""
    rows = await db.fetchall(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    return {str(row[0]): str(row[1]) for row in rows}


async def _copy_table(
    source: Database, target: Database, table: str, target_columns: dict[str, str]
) -> int:
    """Copy one table's rows in batches; return how many."""
    info = await source.fetchall("SELECT name FROM pragma_table_info(?)", (table,))
    names = [str(row[0]) for row in info if str(row[0]) in target_columns]
    if not names:
        return 0
    flags = [target_columns[name] == "boolean" for name in names]
    listed = ", ".join(f'"{name}"' for name in names)
    insert = f"INSERT INTO {table} ({listed}) VALUES ({', '.join('?' for _ in names)})"  # noqa: S608
    count = 0
    last = 0
    while True:
        # By rowid, a batch at a time: the whole table is never held in memory.
        rows = await source.fetchall(
            f"SELECT rowid, {listed} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?",  # noqa: S608
            (last, BATCH),
        )
        if not rows:
            return count
        last = int(rows[-1][0])
        values = [_convert(tuple(row)[1:], flags) for row in rows]
        await target.executemany(insert, values)
        count += len(values)


def _convert(row: tuple[Any, ...], booleans: list[bool]) -> tuple[Any, ...]:
    """Turn SQLite's 0/1 into True/False where PostgreSQL's column is a boolean."""
    if not any(booleans):
        return row
    return tuple(
        bool(value) if flag and value is not None else value
        for value, flag in zip(row, booleans, strict=True)
    )


async def _move_sequences(db: Database, tables: list[str]) -> None:
    """Set every identity column's sequence past the largest id copied."""
    rows = await db.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for row in rows:
        table, column = str(row[0]), str(row[1])
        if table not in tables:
            continue
        await db.fetchone(
            f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({column}), 1),"  # noqa: S608
            f" MAX({column}) IS NOT NULL) FROM {table}",
            (table, column),
        )
