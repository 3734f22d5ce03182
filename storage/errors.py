"""Errors storage raises whichever database is behind it."""

from __future__ import annotations


class DatabaseFileError(Exception):
    """The database cannot be used; the message is one line: which database, what to do.

    For SQLite it names the file; for PostgreSQL the server, never with its password.
    """
