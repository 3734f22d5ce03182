"""Composing: from a claimed outbox row to the message that goes out, and how it is sent.

`Composer.send` decides with the chat's delivery choices whether the row goes now (alone,
or as a digest of the rows queued before it) or waits, and with the budget of the story's
source (`AlertBudget`) whether it goes alone, waits folded, or gathers the chat's folded
rows into one digest; it renders the message in the chat's language,
splits it into parts Telegram accepts and picks the send options (silence, link previews,
forum topic, paid broadcast, and the buttons under a single alert: "Why this alert?" and
"Not relevant", or its undo once the chat said so). `Composer.edit` renders the new text
of a grown story's message, with the buttons as they stand. Composing reads the store and
claims a digest's members, and records nothing: what happens to the rows is the outcome
handler's to write.

A fan-out sends the same story to many chats, so each (alert, language) is rendered and
split once and kept for the messages after it (`RENDERED_KEPT` of them, the latest). The
alert is still read for every message: the key is the alert as it stands, so a story that
grew meanwhile is rendered again, never sent as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.delivery.budget import AlertBudget
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

# How many rendered alerts (one per story and language) are kept for the next messages.
RENDERED_KEPT = 64


@dataclass(frozen=True, slots=True)
class Message:
    """One message for one or more rows (a digest answers for all its members)."""

    rows: tuple[OutboxRow, ...]
    html: str  # the whole message
    parts: tuple[str, ...]  # what is sent, in order: each within Telegram's length limit
    options: SendOptions  # the buttons ride on the first part, the one the outbox records
    in_digest: bool = False
    spends: tuple[int, int] | None = None  # (chat, source) whose budget it uses once sent

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
    folded: bool = False  # held because its source's alerts to the chat used up the hour


@dataclass(slots=True)
class _Members:
    """The rows one message answers for, and how it shows them."""

    rows: list[OutboxRow]
    known: dict[int, Alert | None] = field(default_factory=dict)  # story -> alert, if read
    spends: tuple[int, int] | None = None  # (chat, source) budget the message uses
    digest: bool = False
    folded: int | None = None  # a digest of alerts over this many an hour from a source


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
        budget: AlertBudget | None = None,
    ) -> None:
        self._db = db
        self._catalog = catalog
        self._clock = clock
        self._lease = lease  # how long a digest's members are claimed for
        self._places = places  # to name places in each reader's language
        self._budget = budget  # alerts per chat and source in an hour; None: no limit
        # (alert, language) -> its HTML and parts; the oldest goes first when full.
        self._rendered: dict[tuple[Alert, str], tuple[str, tuple[str, ...]]] = {}

    async def send(self, row: OutboxRow, *, paid: bool) -> Composed:
        """Compose a new message for a row, gathering a digest's members when one is due."""
        now = self._clock.now()
        prefs, language = await self._db.chats.delivery_profile(row.chat_id)
        decision = plan(prefs, priority=row.priority, created_at=row.created_at or now, now=now)
        if decision.hold_until is not None:
            return Composed(hold_until=decision.hold_until)
        if decision.digest_before is not None:
            claimed = await self._db.outbox.claim_digest(
                row.chat_id, now=now, before=decision.digest_before, lease=self._lease
            )
            members = _Members(claimed or [row], digest=True)
        else:
            budgeted = await self._budgeted(row, now)
            if isinstance(budgeted, Composed):
                return budgeted
            members = budgeted
        alerts: list[Alert] = []
        missing: list[OutboxRow] = []
        for member in members.rows:
            if member.story_id in members.known:
                alert = members.known[member.story_id]
            else:
                alert = await self._db.events.alert(member.story_id)
            if alert is None:
                missing.append(member)
            else:
                alerts.append(alert)
        if not alerts:
            return Composed(missing=tuple(missing))
        shown = tuple(m for m in members.rows if any(a.story_id == m.story_id for a in alerts))
        lang = pick_language(language)
        options = SendOptions(
            silent=decision.silent,
            previews=prefs.link_previews,
            thread_id=prefs.thread_id,
            paid=paid,
        )
        message = self._message(shown, alerts, members, options, lang=lang)
        return Composed(message=message, missing=tuple(missing))

    def _message(
        self,
        shown: tuple[OutboxRow, ...],
        alerts: list[Alert],
        members: _Members,
        options: SendOptions,
        *,
        lang: str,
    ) -> Message:
        """Render the alerts a message shows; a single alert carries its buttons."""
        if members.digest:
            html = render_digest(alerts, self._catalog, lang=lang, folded=members.folded)
            parts = tuple(split_html(html))
        else:
            html, parts = self._render(alerts[0], lang)
        if not members.digest and not alerts[0].is_announcement:
            options = replace(
                options, buttons=alert_buttons(lang, alerts[0].story_id, flagged=False)
            )
        return Message(
            shown,
            html,
            parts,
            options,
            in_digest=members.digest,
            spends=members.spends,
        )

    async def _budgeted(self, row: OutboxRow, now: datetime) -> _Members | Composed:
        """Decide an instant row within its source's budget for the chat.

        Within it, the row goes alone, or as the digest of the chat's folded rows when
        there are some; over it, the row is held folded until the budget has room.
        """
        if self._budget is None:
            return _Members([row])
        first = await self._db.events.alert(row.story_id)
        source = first.source_id if first is not None else None
        if source is None:
            return _Members([row], known={row.story_id: first})
        slot = self._budget.next_slot(row.chat_id, source, now)
        if slot is not None:
            self._budget.folding.add(row.chat_id)
            return Composed(hold_until=slot, folded=True)
        spends = (row.chat_id, source)
        if not row.folded and row.chat_id not in self._budget.folding:
            return _Members([row], known={row.story_id: first}, spends=spends)
        # The first message the hour lets through carries every folded alert.
        claimed = await self._db.outbox.claim_folded(row.chat_id, now=now, lease=self._lease)
        self._budget.folding.discard(row.chat_id)
        rows = [row, *(member for member in claimed if member.id != row.id)]
        folded = self._budget.per_hour if len(rows) > 1 else None
        return _Members(
            rows, known={row.story_id: first}, spends=spends, digest=len(rows) > 1, folded=folded
        )

    async def edit(self, row: OutboxRow) -> Message | None:
        """Compose the new text of a sent alert whose story grew; None if the story is gone.

        An edit replaces one message, so it carries the first part of a long alert only.
        """
        alert = await self._db.events.alert(row.story_id)
        if alert is None:
            return None
        prefs, language = await self._db.chats.delivery_profile(row.chat_id)
        lang = pick_language(language)
        first = self._render(alert, lang)[1][0]
        buttons: Buttons = ()
        if not alert.is_announcement:
            flagged = await self._db.feedback.flagged_by(row.story_id, row.chat_id) is not None
            buttons = alert_buttons(lang, row.story_id, flagged=flagged)
        options = SendOptions(previews=prefs.link_previews, buttons=buttons)
        return Message((row,), first, (first,), options)

    def _render(self, alert: Alert, lang: str) -> tuple[str, tuple[str, ...]]:
        """Return a single alert's HTML and its parts, rendered once per alert and language."""
        key = (alert, lang)
        found = self._rendered.get(key)
        if found is None:
            html = render_alert(alert, self._catalog, lang=lang, places=self._places)
            found = (html, tuple(split_html(html)))
            if len(self._rendered) >= RENDERED_KEPT:
                del self._rendered[next(iter(self._rendered))]
            self._rendered[key] = found
        return found
