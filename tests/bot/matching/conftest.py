"""The running application's tests here run on both databases (SQLite and PostgreSQL); the
matching tests share one matcher over the shipped catalog."""

from __future__ import annotations

import pytest

from bot.matching import Matcher, default_matcher
from tests.helpers.backends import both_databases

# The case tables' assertions say what the matcher found, as a test module's do.
pytest.register_assert_rewrite("tests.bot.matching.cases")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise `app_database` over SQLite and PostgreSQL."""
    both_databases(metafunc)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    """The matcher over the shipped catalog and places (built once)."""
    return default_matcher()
