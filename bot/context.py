"""Typed PTB context: what every handler can reach, filled in once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from telegram.ext import CallbackContext, ExtBot

from bot.delivery.dispatcher import Dispatcher
from bot.matching import Catalog, Matcher
from bot.pipeline.cycle import Pipeline
from bot.pipeline.poller import Poller
from bot.runtime.clock import Clock
from bot.runtime.health import Heartbeats
from bot.runtime.lease import SenderLease
from bot.runtime.metrics import Metrics
from bot.runtime.notices import NoticeGate
from bot.runtime.updates import UpdatesHealth
from bot.settings import Settings
from storage import Database


class AdminSet:
    """The admins added in chat, mirrored in memory so the admin check stays synchronous.

    Owners (OUTPOST_ADMIN_IDS) are always admins; only they add or remove others, and
    every change goes through `add`/`remove` after the database write.
    """

    def __init__(self, user_ids: set[int] | None = None) -> None:
        self._ids = set(user_ids or ())

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._ids

    def add(self, user_id: int) -> None:
        """Note a newly added admin."""
        self._ids.add(user_id)

    def remove(self, user_id: int) -> None:
        """Forget a removed admin."""
        self._ids.discard(user_id)


@dataclass(frozen=True, slots=True)
class Core:
    """The services built by the composition root."""

    settings: Settings
    db: Database
    http: httpx.AsyncClient
    catalog: Catalog
    matcher: Matcher
    clock: Clock
    pipeline: Pipeline
    dispatcher: Dispatcher
    health: Heartbeats  # the loops' heartbeats, for /readyz
    admins: AdminSet = field(default_factory=AdminSet)
    metrics: Metrics | None = None  # None unless OUTPOST_METRICS=true
    poller: Poller | None = None  # None: polling is driven by hand (tests, one-off commands)

    def sources_changed(self) -> None:
        """Tell the polling loop that a source was added or resumed: it is due now."""
        if self.poller is not None:
            self.poller.wake()

    def is_owner(self, user_id: int | None) -> bool:
        """Tell whether a user is an owner: an admin named in OUTPOST_ADMIN_IDS."""
        return user_id is not None and user_id in self.settings.admin_ids

    def is_admin(self, user_id: int | None) -> bool:
        """Tell whether a Telegram user is an admin: the one place this is decided."""
        return self.is_owner(user_id) or (user_id is not None and user_id in self.admins)


class BotData:
    """PTB's bot_data: constructible with no arguments, filled in by post_init."""

    def __init__(self) -> None:
        self._core: Core | None = None
        self.tasks: list[Any] = []  # background tasks owned by the application
        self.error_notices = NoticeGate()  # which errors the owners are told of, and when
        self.http_port: int | None = None  # the port the HTTP listener bound, if it runs
        self.updates: UpdatesHealth | None = None  # how reading updates goes (build time)
        self.lease: SenderLease | None = None  # the sender lease, when the dispatcher runs

    @property
    def last_updates_ok(self) -> datetime | None:
        """Return when getUpdates last answered (for a readiness probe), None if never."""
        return self.updates.last_updates_ok if self.updates is not None else None

    @property
    def deaf(self) -> bool:
        """Tell whether updates stopped coming while Telegram answers other calls."""
        return self.updates is not None and self.updates.deaf()

    @property
    def core(self) -> Core:
        """Return the services; only valid once the application started."""
        if self._core is None:
            raise RuntimeError("Outpost services are not started yet")
        return self._core

    @core.setter
    def core(self, value: Core) -> None:
        self._core = value


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context type every Outpost handler receives.

    Its user and chat data are PTB's plain dicts, unused: what a chat's conversation is
    in the middle of lives in the database (`storage.chat_state`), which every instance
    sharing it sees.
    """

    @property
    def core(self) -> Core:
        """Shortcut to the application's services."""
        return self.bot_data.core
