"""`bot.services.open_services`: the one wiring opens every core service and closes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import CatalogError
from bot.pipeline.fetch.fetcher import DEFAULT_USER_AGENT
from bot.runtime.clock import ManualClock
from bot.services import open_services
from bot.settings import Settings, load_settings


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return load_settings(env_file=False, database=tmp_path / "outpost.sqlite3", **overrides)


async def test_services_are_wired_together_and_closed(tmp_path: Path, clock: ManualClock) -> None:
    async with open_services(_settings(tmp_path, parse_workers=0), clock=clock) as services:
        assert services.clock is clock
        assert services.pipeline.db is services.db
        assert services.pipeline.fetcher is services.fetcher
        assert services.pipeline.matcher is services.matcher
        assert services.pipeline.executor is None
        assert services.pool is None
        assert services.http.headers["User-Agent"] == DEFAULT_USER_AGENT
        assert await services.db.sources.all() == []
    assert services.http.is_closed
    with pytest.raises(
        ValueError, match=r"no active connection|Connection closed"
    ):  # aiosqlite, closed
        await services.db.sources.all()


async def test_worker_processes_only_when_asked_for(tmp_path: Path) -> None:
    async with open_services(_settings(tmp_path, parse_workers=1), workers=False) as services:
        assert services.pool is None
    async with open_services(_settings(tmp_path, parse_workers=1)) as services:
        assert services.pool is not None
        assert services.pipeline.executor is services.pool
    with pytest.raises(RuntimeError, match="shutdown"):
        services.pool.submit(abs, -1)


async def test_a_bad_catalog_fails_before_anything_is_yielded(tmp_path: Path) -> None:
    settings = _settings(tmp_path, catalog=tmp_path / "missing.toml")
    with pytest.raises(CatalogError, match="cannot read the catalog"):
        async with open_services(settings):
            pytest.fail("services opened with an unreadable catalog")
