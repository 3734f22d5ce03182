"""Persistence: the database (SQLite or PostgreSQL), its migrations and one repository per table.

All SQL in Outpost lives in this package.
"""

from storage.db import Database, DatabaseFileError, open_database, unwritable_for_now

__all__ = ["Database", "DatabaseFileError", "open_database", "unwritable_for_now"]
