"""Persistence: the SQLite database, its migrations and one repository per table.

All SQL in Outpost lives in this package.
"""

from storage.db import Database, open_database

__all__ = ["Database", "open_database"]
