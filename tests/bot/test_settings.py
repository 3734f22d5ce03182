"""Settings: where they are read from (environment, *_FILE, the env file), the data directory,
the parse worker count and its "auto" default, the listener."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.settings import (
    MAX_AUTO_WORKERS,
    Settings,
    SettingsError,
    find_env_file,
    load_settings,
)
from tests.helpers.paths import PROJECT


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


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No OUTPOST_ variable, an empty working folder, and XDG folders inside tmp_path."""
    for name in list(os.environ):
        if name.startswith("OUTPOST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def test_the_data_lives_in_one_documented_directory(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    assert settings.data_dir == clean_env / "xdg-data" / "outpost"
    assert settings.database == settings.data_dir / "outpost.sqlite3"  # not the current folder
    monkeypatch.setenv("OUTPOST_DATA_DIR", str(clean_env / "data"))
    monkeypatch.setenv("OUTPOST_DATABASE", "bot.sqlite3")
    assert load_settings().database == clean_env / "data" / "bot.sqlite3"
    monkeypatch.setenv("OUTPOST_DATABASE", str(clean_env / "elsewhere.sqlite3"))
    assert load_settings().database == clean_env / "elsewhere.sqlite3"


def test_a_postgresql_url_is_taken_as_is_and_shown_without_its_password(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTPOST_DATABASE", "postgresql://outpost:pw@db/outpost")
    settings = load_settings()
    assert settings.database_url == "postgresql://outpost:pw@db/outpost"
    assert settings.database_path is None
    assert settings.database_shown == "postgresql://outpost:***@db/outpost"
    monkeypatch.setenv("OUTPOST_DATABASE", "mysql://outpost:pw@db/outpost")
    with pytest.raises(SettingsError, match="OUTPOST_DATABASE: expected a SQLite file path"):
        load_settings()
    # A Docker secret holds the URL: OUTPOST_DATABASE_FILE names the file.
    monkeypatch.delenv("OUTPOST_DATABASE")
    secret = clean_env / "database_url"
    secret.write_text("postgres://outpost:from-a-file@db:5433/outpost\n")
    monkeypatch.setenv("OUTPOST_DATABASE_FILE", str(secret))
    assert load_settings().database_url == "postgres://outpost:from-a-file@db:5433/outpost"


def test_the_env_file_is_found_where_documented(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert find_env_file() is None
    config = clean_env / "xdg-config" / "outpost" / "outpost.env"
    config.parent.mkdir(parents=True)
    config.write_text("OUTPOST_ADMIN_IDS=7\n")
    assert find_env_file() == config
    assert load_settings().admin_ids == {7}
    Path(".env").write_text("OUTPOST_ADMIN_IDS=8\nOUTPOST_BOT_TOKEN=\n")  # the current folder first
    assert load_settings().admin_ids == {8}
    assert load_settings().bot_token is None  # empty means unset
    named = clean_env / "named.env"
    named.write_text("OUTPOST_ADMIN_IDS=9\n")
    monkeypatch.setenv("OUTPOST_ENV_FILE", str(named))
    assert load_settings().admin_ids == {9}
    monkeypatch.setenv("OUTPOST_ENV_FILE", str(clean_env / "missing.env"))
    with pytest.raises(SettingsError, match="OUTPOST_ENV_FILE: no file"):
        load_settings()


def test_secrets_are_read_from_files(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = clean_env / "bot_token"
    secret.write_text("123456:secret-from-a-file\n")
    monkeypatch.setenv("OUTPOST_BOT_TOKEN_FILE", str(secret))
    token = load_settings().bot_token
    assert token is not None
    assert token.get_secret_value() == "123456:secret-from-a-file"
    ids = clean_env / "admins"
    ids.write_text("1,2")
    Path(".env").write_text(f"OUTPOST_ADMIN_IDS_FILE={ids}\n")  # also from the env file
    assert load_settings().admin_ids == {1, 2}
    monkeypatch.setenv("OUTPOST_BOT_TOKEN", "123456:also-set")
    with pytest.raises(SettingsError, match="OUTPOST_BOT_TOKEN and OUTPOST_BOT_TOKEN_FILE"):
        load_settings()
    monkeypatch.delenv("OUTPOST_BOT_TOKEN")
    monkeypatch.setenv("OUTPOST_BOT_TOKEN_FILE", str(clean_env / "missing"))
    with pytest.raises(SettingsError, match=r"OUTPOST_BOT_TOKEN_FILE: cannot read .*missing"):
        load_settings()


def test_the_listener_settings(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().listen_address() is None
    monkeypatch.setenv("OUTPOST_HTTP_LISTEN", ":8080")
    assert load_settings().listen_address() == ("0.0.0.0", 8080)  # noqa: S104 -- what ":port" means
    monkeypatch.setenv("OUTPOST_HTTP_LISTEN", "[::1]:9000")
    assert load_settings().listen_address() == ("::1", 9000)
    monkeypatch.setenv("OUTPOST_HTTP_LISTEN", "localhost")
    with pytest.raises(SettingsError, match="OUTPOST_HTTP_LISTEN: expected host:port"):
        load_settings()
    monkeypatch.delenv("OUTPOST_HTTP_LISTEN")
    monkeypatch.setenv("OUTPOST_METRICS", "true")
    with pytest.raises(SettingsError, match="OUTPOST_METRICS=true needs OUTPOST_HTTP_LISTEN"):
        load_settings()
    monkeypatch.setenv("OUTPOST_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="OUTPOST_LOG_FORMAT"):
        load_settings()


def test_every_setting_is_documented_in_the_example_env_file() -> None:
    example = (PROJECT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?(OUTPOST_[A-Z_]+)=", example, flags=re.MULTILINE))
    expected = {f"OUTPOST_{name.upper()}" for name in Settings.model_fields}
    assert expected <= documented, expected - documented
