"""Settings read from the environment: the parse worker count and its "auto" default."""

from __future__ import annotations

import os

import pytest

from bot.settings import MAX_AUTO_WORKERS, SettingsError, load_settings


def test_parse_workers_default_to_one_per_cpu_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTPOST_PARSE_WORKERS", raising=False)
    cpus = os.cpu_count() or 1
    expected = 0 if cpus < 2 else min(cpus, MAX_AUTO_WORKERS)
    assert load_settings(env_file=False).worker_processes() == expected
    monkeypatch.setenv("OUTPOST_PARSE_WORKERS", " Auto ")
    assert load_settings(env_file=False).worker_processes() == expected


def test_parse_workers_take_a_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTPOST_PARSE_WORKERS", "3")
    assert load_settings(env_file=False).worker_processes() == 3
    monkeypatch.setenv("OUTPOST_PARSE_WORKERS", "0")
    assert load_settings(env_file=False).worker_processes() == 0


@pytest.mark.parametrize("value", ["many", "-1", "65", "2.5"])
def test_a_wrong_worker_count_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("OUTPOST_PARSE_WORKERS", value)
    with pytest.raises(SettingsError, match=r"^invalid setting: OUTPOST_PARSE_WORKERS: .*auto"):
        load_settings(env_file=False)
