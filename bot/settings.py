"""Outpost's settings: read once, validated, passed down.

Where they come from, the first found winning: keyword arguments (tests, the demo); the
environment; a file named by `OUTPOST_<NAME>_FILE` (Docker and systemd secrets, e.g.
`OUTPOST_BOT_TOKEN_FILE=/run/secrets/bot_token`); the env file (`find_env_file()` says which);
the defaults. The data (the SQLite database) lives in one directory, `OUTPOST_DATA_DIR`,
by default the platform's per-user data directory, never silently the current folder.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import platformdirs
from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from storage.urls import SCHEMES as POSTGRES_SCHEMES
from storage.urls import redact

DEFAULT_API_URL = "https://api.telegram.org/bot"
MAX_AUTO_WORKERS = 4
MAX_WORKERS = 64
AUTO = -1  # OUTPOST_PARSE_WORKERS=auto
PREFIX = "OUTPOST_"
APP_NAME = "outpost"
ENV_FILE_NAME = "outpost.env"  # the env file's name in the user's config directory
DATABASE_NAME = "outpost.sqlite3"
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
RESERVED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # the listener's own


def default_data_dir() -> Path:
    """Return the platform's data directory for Outpost (~/.local/share/outpost on Linux)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def find_env_file() -> Path | None:
    """Return the env file to read, or None when there is none.

    `OUTPOST_ENV_FILE` if set (it must exist); else `.env` in the current folder if there is
    one; else `outpost.env` in the user's config directory (~/.config/outpost/ on Linux) if
    there is one. The bot logs which one it read when it starts.
    """
    named = os.environ.get(f"{PREFIX}ENV_FILE")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise SettingsError(f"invalid setting: {PREFIX}ENV_FILE: no file {path}")
        return path
    for path in (
        Path(".env"),
        platformdirs.user_config_path(APP_NAME, appauthor=False) / ENV_FILE_NAME,
    ):
        if path.is_file():
            return path
    return None


class Settings(BaseSettings):
    """Every setting Outpost reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_file=None,  # load_settings passes the one find_env_file() finds
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `OUTPOST_BOT_TOKEN=` (as in .env.example) means unset
        extra="ignore",
    )

    bot_token: SecretStr | None = None
    # NoDecode: the value is "111,222", not JSON, so the validator below splits it.
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    data_dir: Path = Field(default_factory=default_data_dir)
    # The SQLite file (a relative path is taken inside data_dir), or a PostgreSQL server's
    # postgresql:// URL (kept as text: `database_path` and `database_url` tell them apart).
    database: Path | str = Path(DATABASE_NAME)
    # Connections PostgreSQL's pool may open (unused with SQLite).
    database_pool_size: int = Field(default=10, ge=1, le=1_000)
    telegram_api_url: str = DEFAULT_API_URL
    poll_interval: float = Field(default=300.0, ge=1.0, le=86_400.0)
    allow_private_sources: bool = False
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # host:port of the HTTP listener (/healthz, /readyz, /metrics); None: no listener.
    http_listen: str | None = None
    metrics: bool = False  # /metrics on the listener (Prometheus text format)
    # Seconds a loop (polling, the dispatcher) may go without coming round before /readyz
    # fails.
    stall_after: float = Field(default=300.0, ge=10.0, le=86_400.0)
    catalog: Path | None = None  # a replacement topic catalog (TOML); None: the shipped one
    http_timeout: float = Field(default=20.0, gt=0, le=300)
    max_response_bytes: int = Field(default=5_000_000, ge=1_000, le=100_000_000)
    min_poll_interval: float = Field(default=60.0, ge=1.0, le=86_400.0)
    max_poll_interval: float = Field(default=86_400.0, ge=60.0, le=7 * 86_400.0)
    poll_concurrency: int = Field(default=8, ge=1, le=256)
    per_host_concurrency: int = Field(default=2, ge=1, le=64)
    max_failures: int = Field(default=10, ge=1, le=1_000)
    backfill_alerts: int = Field(default=0, ge=0, le=1_000)
    channel_backfill_pages: int = Field(default=2, ge=0, le=50)
    # Worker processes that parse and match; "auto" (AUTO): one per CPU, at most 4, none
    # on a single CPU.
    parse_workers: int = AUTO
    # Messages a second to Telegram overall; Telegram allows about 30, so stay just under.
    # (Jitter needs no margin here: the pacer also keeps every second of arrivals at 30.)
    global_rate: float = Field(default=29.0, gt=0, le=1000)
    # Seconds a message is retried after 5xx or network errors before it is given up.
    delivery_max_age: float = Field(default=86_400.0, ge=60, le=30 * 86_400)
    # Seconds a claimed message stays reserved for this process; after a crash it is sent
    # again once this runs out.
    delivery_lease: float = Field(default=120.0, ge=1, le=3600)
    # Seconds the sender lease lasts (several instances on one database: one sends at a
    # time). A standby takes over within 1.25 times this after the holder dies.
    sender_lease: float = Field(default=10.0, ge=2, le=60)
    # Send high-severity alerts with allow_paid_broadcast (paid in Stars, up to 1000/s).
    paid_broadcast: bool = False
    # New items read from one source per poll, the oldest first; the rest wait for its next
    # poll. A source that floods (thousands of items at once) then costs its own time only.
    max_items_per_poll: int = Field(default=100, ge=1, le=10_000)
    # Alerts one chat receives from one source in any hour; the rest of that source's
    # alerts are folded into one digest, sent when the hour lets another message through.
    max_alerts_per_hour: int = Field(default=20, ge=1, le=1_000)
    # Seconds between two edits of one sent alert: the sources that join its story
    # meanwhile are shown by one edit, not one edit each.
    edit_interval: float = Field(default=300.0, ge=0, le=86_400)
    # Days sent, failed and cancelled outbox rows are kept; days events and stories are kept
    # (their daily counts for /status and the chart stay). Pruned by a daily job.
    outbox_retention_days: int = Field(default=30, ge=1, le=36_500)
    event_retention_days: int = Field(default=400, ge=1, le=36_500)
    # Days an event keeps its full text (read only by "Why this alert?" and "Not
    # relevant"); never less than outbox_retention_days, while its alert is kept. Its
    # title, summary and labels stay for event_retention_days.
    text_retention_days: int = Field(default=30, ge=1, le=36_500)
    # The public base URL at which WebSub hubs reach the HTTP listener
    # (https://bot.example.org); with it and OUTPOST_HTTP_LISTEN, feeds that name a hub are
    # also subscribed there.
    websub_callback_url: str | None = None
    # Seconds one fetch may take in all (every redirect and the whole body), however the
    # server trickles it; each read and connect also keeps to http_timeout.
    fetch_deadline: float = Field(default=30.0, gt=0, le=600)
    # Seconds reading one document (parsing it, analysing its new items) may take in a
    # worker process; past it the source fails this poll as too slow.
    parse_budget: float = Field(default=10.0, gt=0, le=600)
    # Seconds without an answer to getUpdates, while Telegram answers the bot's other
    # calls, after which the bot logs at ERROR that it is not reading commands.
    deaf_after: float = Field(default=300.0, ge=10, le=86_400)
    # The per-user command budget: updates at once, then this many a second; past it one
    # "slow down", then the user's updates are ignored for flood_mute seconds.
    command_burst: int = Field(default=20, ge=1, le=1_000)
    command_rate: float = Field(default=1.0, gt=0, le=100)
    flood_mute: float = Field(default=60.0, ge=0, le=86_400)
    # Create the database file when it is missing (its folder must exist). false: refuse to
    # start instead, for a deployment where a missing file means a failed mount.
    create_database: bool = True
    # Webhook mode (polling when unset): the public HTTPS URL Telegram posts updates to,
    # whose path the HTTP listener (OUTPOST_HTTP_LISTEN) serves behind a reverse proxy,
    # and the secret Telegram sends with each (1-256 of A-Z a-z 0-9 _ -), required with it.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    @field_validator("websub_callback_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        """The callback base must be http(s); hubs call it from the internet."""
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.strip().rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        """Telegram posts only to HTTPS, on a path of its own beside /healthz and /metrics."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("must be an https:// URL (Telegram posts updates only over HTTPS)")
        path = parts.path.rstrip("/")
        if not path or path in RESERVED_PATHS or path.startswith("/websub/"):
            raise ValueError(
                "needs a path of its own, such as https://bot.example.org/telegram/updates"
            )
        if parts.query or parts.fragment:
            raise ValueError("must have no query or fragment")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram's secret_token: 1 to 256 characters, A-Z a-z 0-9 _ and - only."""
        if value is None:
            return None
        if not WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            # The value itself is never repeated: it is a secret.
            raise ValueError("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    def webhook_path(self) -> str | None:
        """Return the path the listener serves the webhook on, or None in polling mode."""
        if self.webhook_url is None:
            return None
        return urlsplit(self.webhook_url).path.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read `OUTPOST_<NAME>_FILE` after the environment and before the env file."""
        env_path = getattr(dotenv_settings, "env_file", None)
        files = FileValues(settings_cls, env_path if isinstance(env_path, Path) else None)
        return init_settings, env_settings, files, dotenv_settings, file_secret_settings

    @property
    def database_path(self) -> Path | None:
        """Return the SQLite file, or None when the database is a PostgreSQL server."""
        return self.database if isinstance(self.database, Path) else None

    @property
    def database_url(self) -> str | None:
        """Return the PostgreSQL URL (with its password), or None for a SQLite file."""
        return self.database if isinstance(self.database, str) else None

    @property
    def database_shown(self) -> str:
        """Return the database as it may be logged or printed: a URL loses its password."""
        if isinstance(self.database, str):
            return redact(self.database)
        return str(self.database)

    def listen_address(self) -> tuple[str, int] | None:
        """Return the HTTP listener's (host, port), or None when it is off."""
        if self.http_listen is None:
            return None
        host, _, port = self.http_listen.rpartition(":")
        return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 -- ":8080" means all

    def worker_processes(self) -> int:
        """Return how many parse/match worker processes to start (0: none)."""
        if self.parse_workers != AUTO:
            return self.parse_workers
        cpus = os.cpu_count() or 1
        # One core gains nothing from a pool; past 4 the bot's own process (fetching,
        # storing, sending) is the limit, and every worker holds its own dictionaries.
        return 0 if cpus < 2 else min(cpus, MAX_AUTO_WORKERS)

    @field_validator("parse_workers", mode="before")
    @classmethod
    def _workers(cls, value: object) -> object:
        """Accept "auto" or a number of processes from 0 to MAX_WORKERS."""
        if (isinstance(value, str) and value.strip().lower() == "auto") or (
            isinstance(value, int) and value == AUTO
        ):
            return AUTO  # the word from the environment, or the default
        try:
            count = int(str(value).strip())
        except ValueError:
            raise ValueError(f"expected auto or 0..{MAX_WORKERS}") from None
        if not 0 <= count <= MAX_WORKERS:
            raise ValueError(f"expected auto or 0..{MAX_WORKERS}")
        return count

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept "111,222" (the documented form) as well as a list."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            try:
                return frozenset(int(part) for part in parts)
            except ValueError:
                raise ValueError(
                    f"expected comma-separated Telegram user ids, got {value!r}"
                ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        """Refuse a level the logging module does not know."""
        level = value.upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("database", mode="before")
    @classmethod
    def _a_file_or_postgres(cls, value: object) -> object:
        """Take a path as a SQLite file and a postgresql:// URL as is; refuse other URLs."""
        if isinstance(value, str):
            value = value.strip()
            if value.startswith(POSTGRES_SCHEMES):
                return value
            if "://" in value:
                raise ValueError(
                    "expected a SQLite file path or a postgresql:// URL"
                    " (postgresql://user:password@host:5432/outpost)"
                )
            return Path(value)
        return value

    @field_validator("http_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        """Accept host:port, [v6]:port or :port, with a port from 0 to 65535."""
        if value is None:
            return None
        _, colon, port = value.rpartition(":")
        if not colon or not port.isdigit() or not 0 <= int(port) <= 65_535:
            raise ValueError(f"expected host:port such as 127.0.0.1:8080, got {value!r}")
        return value

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        """Put a relative database inside the data directory; metrics need the listener."""
        self.data_dir = self.data_dir.expanduser()
        if isinstance(self.database, Path):
            database = self.database.expanduser()
            if not database.is_absolute() and str(database) != ":memory:":
                database = self.data_dir / database
            self.database = database
        if self.metrics and self.http_listen is None:
            raise ValueError("OUTPOST_METRICS=true needs OUTPOST_HTTP_LISTEN (host:port)")
        if self.webhook_url is not None:
            if self.webhook_secret is None:
                raise ValueError("OUTPOST_WEBHOOK_URL needs OUTPOST_WEBHOOK_SECRET")
            if self.http_listen is None:
                raise ValueError(
                    "OUTPOST_WEBHOOK_URL needs OUTPOST_HTTP_LISTEN (host:port) to receive on"
                )
        elif self.webhook_secret is not None:
            raise ValueError("OUTPOST_WEBHOOK_SECRET is set without OUTPOST_WEBHOOK_URL")
        return self

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """The Bot API base URL must be http(s); PTB appends the token to it."""
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class SettingsError(Exception):
    """A setting has a wrong value; the message is one line naming it."""


class FileValues(PydanticBaseSettingsSource):
    """Settings read from files named by `OUTPOST_<NAME>_FILE` (Docker and systemd secrets).

    The variable may be in the environment or the env file. The file's content, without
    surrounding whitespace, is the value, exactly as if it had been set in the environment.
    Setting both OUTPOST_X and OUTPOST_X_FILE in the environment is refused as ambiguous.
    """

    def __init__(self, settings_cls: type[BaseSettings], env_path: Path | None) -> None:
        super().__init__(settings_cls)
        self._env_path = env_path

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` reads every field at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """Return {field: the content of its file} for every OUTPOST_<NAME>_FILE set."""
        names: dict[str, str | None] = {}
        if self._env_path is not None:
            names.update(dotenv_values(self._env_path, encoding="utf-8"))
        names.update(os.environ)
        values: dict[str, Any] = {}
        for field_name in self.settings_cls.model_fields:
            variable = f"{PREFIX}{field_name.upper()}"
            path = names.get(f"{variable}_FILE")
            if not path:
                continue
            if os.environ.get(variable):
                raise SettingsError(
                    f"invalid setting: {variable} and {variable}_FILE are both set; keep one"
                )
            try:
                values[field_name] = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SettingsError(
                    f"invalid setting: {variable}_FILE: cannot read {path}: {exc.strerror}"
                ) from None
        return values


def load_settings(*, env_file: bool = True, **overrides: object) -> Settings:
    """Read the settings, turning a validation failure into one readable line.

    `env_file=False` reads no env file (tests and the demo must not pick up a developer's
    real token); otherwise the one `find_env_file()` finds is read.
    """
    try:
        path = find_env_file() if env_file else None
        return Settings(_env_file=path, **overrides)  # type: ignore[call-arg, arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = PREFIX + "_".join(str(part) for part in error["loc"]).upper()
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}" if error["loc"] else message)
        raise SettingsError("invalid setting: " + "; ".join(problems)) from None
