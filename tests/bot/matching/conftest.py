"""The running application's tests here run on both databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.helpers.backends import both_databases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise `app_database` over SQLite and PostgreSQL."""
    both_databases(metafunc)
