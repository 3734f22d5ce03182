"""Outpost's settings: read once from the environment or `.env`, validated, passed down."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_URL = "https://api.telegram.org/bot"
MAX_AUTO_WORKERS = 4
MAX_WORKERS = 64
AUTO = -1  # OUTPOST_PARSE_WORKERS=auto


class Settings(BaseSettings):
    """Every setting Outpost reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="OUTPOST_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    bot_token: SecretStr | None = None
    # NoDecode: the value is "111,222", not JSON, so the validator below splits it.
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database: Path = Path("outpost.sqlite3")
    telegram_api_url: str = DEFAULT_API_URL
    poll_interval: float = Field(default=300.0, ge=1.0, le=86_400.0)
    allow_private_sources: bool = False
    log_level: str = "INFO"
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
    # Send high-severity alerts with allow_paid_broadcast (paid in Stars, up to 1000/s).
    paid_broadcast: bool = False

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

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """The Bot API base URL must be http(s); PTB appends the token to it."""
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class SettingsError(Exception):
    """A setting has a wrong value; the message is one line naming it."""


def load_settings(*, env_file: bool = True, **overrides: object) -> Settings:
    """Read the settings, turning a validation failure into one readable line.

    `env_file=False` ignores a `.env` in the working directory (tests and the demo must not
    pick up a developer's real token).
    """
    try:
        if not env_file:
            return Settings(_env_file=None, **overrides)  # type: ignore[call-arg, arg-type]
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "OUTPOST_" + "_".join(str(part) for part in error["loc"]).upper()
            problems.append(f"{name}: {error['msg']}")
        raise SettingsError("invalid setting: " + "; ".join(problems)) from None
