"""Composing: from a claimed outbox row to the message that goes out, and how it is sent.

`Composer.send` decides with the chat's delivery choices whether the row goes now (alone,
or as a digest of the rows queued before it) or waits, renders it in the chat's language,
splits it into parts Telegram accepts and picks the send options (silence, link previews,
forum topic, paid broadcast, and the buttons under a single alert: "Why this alert?" and
"Not relevant", or its undo once the chat said so). `Composer.edit` renders the new text
of a grown story's message, with the buttons as they stand. Composing reads the store and
claims a digest's members, and records nothing: what happens to the rows is the outcome
handler's to write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.delivery.plan import plan
from bot.delivery.render import html_to_plain, render_alert, render_digest
from bot.delivery.sender import Buttons, SendOptions
from bot.delivery.split import split_html, split_plain
from bot.matching import Catalog, PlaceIndex
from bot.models import Alert, OutboxRow
from bot.runtime.clock import Clock
from bot.ui.i18n import pick_language
from bot.ui.texts import alert_buttons
from storage import Database


@dataclass(frozen=True, slots=True)
class Message:
    """One message for one or more rows (a digest answers for all its members)."""

    rows: tuple[OutboxRow, ...]
    html: str  # the whole message
    parts: tuple[str, ...]  # what is sent, in order: each within Telegram's length limit
    options: SendOptions  # the buttons ride on the first part, the one the outbox records
    in_digest: bool = False

    def as_plain(self) -> Message:
        """Return the same message without markup, for a chat that refused our HTML."""
        options = SendOptions(
            html=False,
            silent=self.options.silent,
            thread_id=self.options.thread_id,
            paid=self.options.paid,
            buttons=self.options.buttons,
        )
        return replace(self, parts=tuple(split_plain(html_to_plain(self.html))), options=options)


@dataclass(frozen=True, slots=True)
class Composed:
    """What composing a row came to: a message, a later time, or rows with nothing to show."""

    message: Message | None = None
    hold_until: datetime | None = None  # not yet (a digest or quiet hours): try again then
    missing: tuple[OutboxRow, ...] = ()  # rows whose story has no events left


class Composer:
    """Turns claimed rows into messages in each reader's language."""

    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        clock: Clock,
        *,
        lease: timedelta,
        places: PlaceIndex | None = None,
    ) -> None:
        self._db = db
        self._catalog = catalog
        self._clock = clock
        self._lease = lease  # how long a digest's members are claimed for
        self._places = places  # to name places in each reader's language

    async def send(self, row: OutboxRow, *, paid: bool) -> Composed:
        """Compose a new message for a row, gathering a digest's members when one is due."""
        now = self._clock.now()
        prefs = await self._db.chats.prefs(row.chat_id)
        decision = plan(prefs, priority=row.priority, created_at=row.created_at or now, now=now)
        if decision.hold_until is not None:
            return Composed(hold_until=decision.hold_until)
        rows = [row]
        if decision.digest_before is not None:
            rows = await self._db.outbox.claim_digest(
                row.chat_id, now=now, before=decision.digest_before, lease=self._lease
            )
            rows = rows or [row]
        alerts: list[Alert] = []
        missing: list[OutboxRow] = []
        for member in rows:
            alert = await self._db.events.alert(member.story_id)
            if alert is None:
                missing.append(member)
            else:
                alerts.append(alert)
        if not alerts:
            return Composed(missing=tuple(missing))
        shown = tuple(m for m in rows if any(a.story_id == m.story_id for a in alerts))
        digest = decision.digest_before is not None
        lang = await self.language(row.chat_id)
        html = (
            render_digest(alerts, self._catalog, lang=lang)
            if digest
            else render_alert(alerts[0], self._catalog, lang=lang, places=self._places)
        )
        buttons: Buttons = ()
        if not digest and not alerts[0].is_announcement:
            buttons = alert_buttons(lang, alerts[0].story_id, flagged=False)
        options = SendOptions(
            silent=decision.silent,
            previews=prefs.link_previews,
            thread_id=prefs.thread_id,
            paid=paid,
            buttons=buttons,
        )
        message = Message(shown, html, tuple(split_html(html)), options, in_digest=digest)
        return Composed(message=message, missing=tuple(missing))

    async def edit(self, row: OutboxRow) -> Message | None:
        """Compose the new text of a sent alert whose story grew; None if the story is gone.

        An edit replaces one message, so it carries the first part of a long alert only.
        """
        alert = await self._db.events.alert(row.story_id)
        prefs = await self._db.chats.prefs(row.chat_id)
        if alert is None:
            return None
        lang = await self.language(row.chat_id)
        html = render_alert(alert, self._catalog, lang=lang, places=self._places)
        first = split_html(html)[0]
        buttons: Buttons = ()
        if not alert.is_announcement:
            flagged = await self._db.feedback.flagged_by(row.story_id, row.chat_id) is not None
            buttons = alert_buttons(lang, row.story_id, flagged=flagged)
        options = SendOptions(previews=prefs.link_previews, buttons=buttons)
        return Message((row,), first, (first,), options)

    async def language(self, chat_id: int) -> str:
        """Return the interface language a chat reads its alerts in."""
        chat = await self._db.chats.get(chat_id)
        return pick_language(chat.language if chat else None)
