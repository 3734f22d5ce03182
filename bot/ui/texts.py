"""The bot's replies, rendered as Telegram HTML from plain data (pure functions).

Every sentence goes through the chat's translator (`UI._`), so `pybabel extract` finds it
and each language's catalog translates it; values are filled in with `str.format` after
translation and escaped when they come from outside.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

from babel.numbers import format_decimal

from bot.delivery.render import safe_href, topic_label
from bot.matching import Catalog, PlaceIndex
from bot.matching.explain import ChatReasons, PlaceReason, TopicReason
from bot.matching.places import CASES
from bot.models import AuditEntry, ChatFilters, Event, FlaggedStory, Severity, Source, Stats
from bot.ui.callbacks import NotRelevant, UndoNotRelevant, WhyAlert
from bot.ui.i18n import N_, Translator, translator

__all__ = ["MESSAGE_LIMIT", "UI", "escape", "quoted", "ui_for"]

MESSAGE_LIMIT = 4000  # Telegram allows 4096 characters; a margin for the entities

if TYPE_CHECKING:
    from bot.admin.intake import ImportReport
    from bot.feedback.why import AlertReasons

# What a user wrote is echoed back at most this long (a 10,000-character argument is cut).
ECHO_CHARS = 80


def quoted(text: str, *, html: bool = True, limit: int = ECHO_CHARS) -> str:
    """Return what a user wrote, cut to `limit` characters and escaped, ready to echo."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return escape(text) if html else text


@dataclass(frozen=True, slots=True)
class UI:
    """What rendering in one chat's language needs."""

    lang: str
    tr: Translator
    catalog: Catalog
    places: PlaceIndex | None = None  # None: places are shown by their ids

    def _(self, message: str) -> str:
        """Translate one message id."""
        return self.tr.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message whose words agree with a number (one of a language's forms)."""
        return self.tr.ngettext(singular, plural, n)

    def topic(self, name: str) -> str:
        """Return a topic's emoji and name in this language."""
        return topic_label(name, self.catalog, self.lang)

    def place(self, place_id: str, case: str | None = None) -> str:
        """Return a place's name in this language (not escaped), in a case if one is given."""
        if self.places is None:
            return place_id
        return self.places.label(place_id, self.lang, case)

    def place_args(self, key: str, place_id: str) -> dict[str, str]:
        """Return a place's name for `str.format`, escaped, in every case a sentence may need.

        A message with `{place}` is translated with whichever of `{place}`, `{place_gen}`
        (after "от", "ад", "від") or `{place_loc}` (after "в", "у", "на") its grammar
        wants, so no name stands in the nominative after a preposition that governs
        another case; tests/bot/ui/test_language.py checks the catalogs for it.
        """
        args = {key: escape(self.place(place_id))}
        for case in CASES:
            args[f"{key}_{case}"] = escape(self.place(place_id, case))
        return args


def ui_for(lang: str, catalog: Catalog, places: PlaceIndex | None = None) -> UI:
    """Build the UI of a language."""
    return UI(lang, translator(lang), catalog, places)


def help_text(ui: UI, *, admin: bool = False) -> str:
    """Explain the commands (and the admin ones to admins)."""
    text = (
        ui._(
            "<b>Outpost</b> watches public sources about military activity in and around "
            "Belarus and alerts you when a report matches your topics.\n\n"
            "/topics – choose topics with buttons\n"
            "/subscribe <i>topic</i> – subscribe, e.g. <code>/subscribe drills</code>\n"
            "/unsubscribe <i>topic</i> – stop a topic\n"
            "/mysubs – what you are subscribed to\n"
            "/status – what is going on right now\n"
            "/latest <i>[topic]</i> – the newest stories\n"
            "/language – change the language\n"
            "/help – this message"
        )
        + "\n\n"
        + ui._(
            "<b>Narrow it down</b>\n"
            "/near <i>place</i> [<i>km</i>] – only reports near a place, e.g. "
            "<code>/near Mazyr 30</code>\n"
            "/border <i>country</i> [<i>km</i>] – near a border, e.g. <code>/border ua 30</code>\n"
            "/region <i>name</i> – one oblast, e.g. <code>/region gomel</code>\n"
            "/anywhere – remove the place filters (or <code>/near off</code> and the like)\n"
            "/severity low|medium|high – only reports at least this serious\n"
            "/watch <i>words</i> – your own keywords, comma-separated, in any form or language\n"
            "/unwatch [<i>words</i>] – stop watching them (all of them without words)\n"
            "/exclude <i>words</i> – never alert on reports with these words; "
            "/unexclude [<i>words</i>]\n"
            "/filters – what you have set"
        )
        + "\n\n"
        + ui._(
            "<b>How alerts arrive</b>\n"
            "/digest off|hourly|daily <i>HH</i> – alerts at once, or a digest\n"
            "/timezone <i>Europe/Minsk</i> – your time zone for digests and quiet hours\n"
            "/quiet <i>23-07</i> [silent|hold] [urgent] – quiet hours (/quiet off to stop)\n"
            "/previews on|off – link previews\n"
            "/here – in a forum topic: send alerts to this topic"
        )
    )
    if admin:
        text += "\n\n" + ui._(
            "<b>Admins</b>\n"
            "/post <i>text</i> – a verified manual update, previewed before it goes out\n"
            "/broadcast <i>text</i> – an announcement to every chat, previewed first\n"
            "/stats – subscribers, deliveries, failing sources\n"
            "/audit – the latest admin actions\n"
            "/feedback – alerts subscribers marked as not relevant\n"
            "/admins – who the admins are (owners: <code>/admins add|remove ID</code>)\n"
            "/sources – sources with their health\n"
            "/addsource <i>URL</i> [<i>name</i>] – add a feed, a site, t.me/NAME or @NAME\n"
            "/removesource <i>ID</i> – remove a source (its events stay)\n"
            "/pausesource <i>ID</i> – stop polling a source\n"
            "/resumesource <i>ID</i> – poll it again\n"
            "Send an OPML file to import its feeds."
        )
    return text


def welcome(ui: UI, subscribed: str | None = None) -> str:
    """Greet a new chat in two lines: what Outpost does, and how to start.

    The topics come as buttons under it (handlers/start.py); the commands stay in /help.
    With `subscribed` (a deep link's topic), it says the chat already follows that one.
    """
    what = ui._(
        "👋 <b>Outpost</b> watches public sources on military activity in and around Belarus "
        "and alerts you when a report matches your topics."
    )
    if subscribed is None:
        how = ui._("Tap a topic below to subscribe; /help lists every command.")
    else:
        how = ui._(
            "You are subscribed to {topic}. Tap a topic below to add it; /help lists every command."
        ).format(topic=escape(ui.topic(subscribed)))
    return f"{what}\n\n{how}"


def topic_list(ui: UI) -> str:
    """List topic ids for a command hint."""
    return ", ".join(f"<code>{escape(name)}</code>" for name in ui.catalog.names())


def my_subscriptions(ui: UI, topics: Iterable[str]) -> str:
    """Describe a chat's subscriptions."""
    wanted = set(topics)
    chosen = [name for name in ui.catalog.names() if name in wanted]
    if not chosen:
        return ui._("You have no subscriptions yet. Use /topics to pick some.")
    lines = [escape(ui.topic(name)) for name in chosen]
    return ui._("<b>Your topics</b>") + "\n" + "\n".join(lines)


def ago(ui: UI, then: datetime, now: datetime) -> str:
    """Say how long ago something happened, briefly."""
    seconds = max(int((now - then).total_seconds()), 0)
    if seconds < 60:
        return ui._("just now")
    if seconds < 3600:
        return ui._("{n} min ago").format(n=seconds // 60)
    if seconds < 86400:
        return ui._("{n} h ago").format(n=seconds // 3600)
    days = seconds // 86400
    return ui.ngettext("{n} day ago", "{n} days ago", days).format(n=days)


@dataclass(frozen=True, slots=True)
class TopicFigures:
    """One topic's line on the situation board."""

    day: int  # stories in the last 24 h
    week: int  # stories in the last 7 days
    usual: float  # stories a day, on average, over the four weeks before that
    latest: Event | None

    @property
    def above_normal(self) -> bool:
        """A spike: at least three stories today and twice the usual daily level."""
        return self.day >= 3 and self.day >= 2 * max(self.usual, 0.5)


def status_board(
    ui: UI,
    *,
    figures: Mapping[str, TopicFigures],
    places: Iterable[tuple[str, int]],
    health: tuple[int, int] | None = None,
    now: datetime,
) -> str:
    """Render /status: per topic today, this week and the usual level; places.

    It is one message whatever the number of topics: when they do not all fit, the
    busiest are shown (in catalog order) and the rest are counted. `health` (answering,
    active sources) adds the admins' one-line summary of the sources.
    """
    head = [ui._("📊 <b>What is going on</b> – reports in 24 h / 7 days (usual a day)")]
    tail = []
    mentioned = [f"{escape(ui.place(place))} ({count})" for place, count in places]
    if mentioned:
        tail.append(
            "\n"
            + ui._("<b>Places most mentioned</b> (7 days): {list}").format(
                list=", ".join(mentioned)
            )
        )
    if health is not None:
        tail.append("\n" + source_health(ui, *health))
    blocks = {name: _topic_block(ui, name, topic, now) for name, topic in figures.items()}
    budget = MESSAGE_LIMIT - sum(len(line) + 1 for line in (*head, *tail)) - 120
    busiest = sorted(
        figures,
        key=lambda name: (figures[name].above_normal, figures[name].day, figures[name].week),
        reverse=True,
    )
    shown: set[str] = set()
    for name in busiest:
        if len(blocks[name]) + 1 > budget:
            continue
        budget -= len(blocks[name]) + 1
        shown.add(name)
    lines = head + [blocks[name] for name in figures if name in shown]
    if len(shown) < len(figures):
        lines.append(
            ui._("… and {n} quieter topics: /status <i>topic</i>").format(
                n=len(figures) - len(shown)
            )
        )
    return "\n".join(lines + tail)


def _topic_block(ui: UI, name: str, topic: TopicFigures, now: datetime) -> str:
    """Render one topic's line of the board (and its latest story)."""
    usual = format_decimal(topic.usual, "0.0", locale=ui.lang)  # "0,5" in be, ru, uk
    line = f"{escape(ui.topic(name))}: <b>{topic.day}</b> / {topic.week} ({usual})"
    if topic.above_normal:
        line += " " + ui._("⚠️ <b>above normal</b>")
    if topic.latest is not None:
        line += "\n   " + ui._("latest {ago}: {title}").format(
            ago=ago(ui, topic.latest.seen_at, now), title=_linked(topic.latest, 90)
        )
    return line


def source_health(ui: UI, answering: int, active: int) -> str:
    """Sum the sources' health up in one line (for admins)."""
    return ui._("📡 {n} of {total} sources answering (/sources)").format(n=answering, total=active)


def place_board(ui: UI, place: str, stories: Iterable[Event], *, now: datetime) -> str:
    """Render /status PLACE: the latest stories that name a place."""
    lines = [ui._("📍 <b>{place}</b> – latest stories").format(place=escape(ui.place(place)))]
    for event in stories:
        labels = ", ".join(escape(ui.topic(name)) for name in event.topics)
        lines.append(f"• {_linked(event, 100)}\n   {labels} · {ago(ui, event.seen_at, now)}")
    if len(lines) == 1:
        lines.append(ui._("No stories yet."))
    return "\n".join(lines)


def _linked(event: Event, limit: int) -> str:
    title = escape(_short(event.title, limit))
    href = safe_href(event.link) if event.link else None
    return f'<a href="{href}">{title}</a>' if href else title


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def since(now: datetime, hours: int) -> datetime:
    """Return the start of a window of hours ending now."""
    return now - timedelta(hours=hours)


def draft_prompt(ui: UI, kind: str) -> str:
    """Explain what Confirm will do with a draft."""
    if kind == "broadcast":
        return ui._("☝️ Preview of the announcement. Confirm sends it to every chat.")
    return ui._("☝️ Preview of the update. Confirm sends it to the subscribers of its topics.")


def published(ui: UI, kind: str, topics: tuple[str, ...], queued: int) -> str:
    """Say what confirming a draft did."""
    if kind == "broadcast":
        return ui.ngettext(
            "Announcement sent to {n} chat.", "Announcement sent to {n} chats.", queued
        ).format(n=queued)
    if not topics:
        return ui._(
            "Posted, but it matched no topic, so no subscriber was alerted. "
            "Name the activity (e.g. drills, mobilization) in the text."
        )
    return ui.ngettext(
        "Posted. Topics: {topics}; queued for {n} chat.",
        "Posted. Topics: {topics}; queued for {n} chats.",
        queued,
    ).format(topics=escape(", ".join(ui.topic(name) for name in topics)), n=queued)


def stats(ui: UI, figures: Stats) -> str:
    """Render /stats."""
    lines = [
        ui._("📈 <b>Outpost statistics</b>"),
        ui._("Chats: <b>{active}</b> active, {blocked} blocked or gone").format(
            active=figures.chats, blocked=figures.blocked_chats
        ),
    ]
    if figures.by_language:
        langs = ", ".join(f"{escape(k)} {v}" for k, v in figures.by_language.items())
        lines.append(ui._("By language: {list}").format(list=langs))
    if figures.by_topic:
        topics = ", ".join(
            f"{escape(ui.topic(k))} {v}"
            for k, v in figures.by_topic.items()
            if k in ui.catalog.names()
        )
        lines.append(ui._("By topic: {list}").format(list=topics))
    box = figures.outbox
    lines.append(
        ui._(
            "Alerts queued in 24 h: {sent} sent, {failed} failed, {cancelled} cancelled; "
            "{pending} pending now"
        ).format(
            sent=box.get("sent", 0),
            pending=box.get("pending", 0),
            failed=box.get("failed", 0),
            cancelled=box.get("cancelled", 0),
        )
    )
    if figures.failing_sources:
        lines.append(ui._("<b>Failing sources</b>"))
        lines.extend(
            f"• {escape(_short(name, 80))} – {escape(kind)} ×{count}"
            for name, kind, count in figures.failing_sources
        )
        more = figures.failing_count - len(figures.failing_sources)
        if more > 0:
            lines.append(ui._("… and {n} more (see /sources)").format(n=more))
    else:
        lines.append(ui._("No source is failing."))
    lines.append(ui._("Database: {mb} MB").format(mb=f"{figures.db_bytes / 1e6:.1f}"))
    return "\n".join(lines)


def audit(ui: UI, entries: Iterable[AuditEntry]) -> str:
    """Render /audit."""
    lines = [ui._("🗂 <b>Latest admin actions</b>")]
    for entry in entries:
        lines.append(
            f"{entry.at:%Y-%m-%d %H:%M} UTC · <code>{entry.user_id}</code> · "
            f"<b>{escape(entry.action)}</b> {escape(_short(entry.detail, 120))}"
        )
    if len(lines) == 1:
        lines.append(ui._("Nothing yet."))
    return "\n".join(lines)


def admin_list(ui: UI, owners: Iterable[int], added: Iterable[int]) -> str:
    """Render /admins."""
    none = ui._("none")
    owner_text = ", ".join(f"<code>{uid}</code>" for uid in owners) or none
    added_text = ", ".join(f"<code>{uid}</code>" for uid in added) or none
    return ui._(
        "<b>Owners</b> (OUTPOST_ADMIN_IDS): {owners}\n<b>Admins added in chat</b>: {added}"
    ).format(owners=owner_text, added=added_text) + (
        "\n\n<code>/admins add ID</code> · <code>/admins remove ID</code>"
    )


def latest(
    ui: UI, stories: Iterable[Event], *, topic: str | None, now: datetime, offset: int
) -> str:
    """Render one page of /latest."""
    heading = escape(ui.topic(topic)) if topic else ui._("all topics")
    lines = [ui._("🗞 <b>Latest stories</b> – {heading}").format(heading=heading)]
    for number, event in enumerate(stories, start=offset + 1):
        labels = ", ".join(escape(ui.topic(name)) for name in event.topics)
        source = escape(event.source_name or "")
        when = ago(ui, event.seen_at, now)
        lines.append(f"{number}. {_linked(event, 120)}\n   {labels} · {source} · {when}")
    if len(lines) == 1:
        lines.append(ui._("No stories yet."))
    return "\n".join(lines)


def source_deactivated(ui: UI, source: Source, kind: str) -> str:
    """Tell admins that failures turned a source off."""
    failures = source.consecutive_failures + 1
    return ui.ngettext(
        "⚠️ Source <b>{name}</b> (#{id}) was turned off after {n} failed poll in a row; "
        "last error: <code>{kind}</code>.\n{url}\nFix it, then /resumesource {id}.",
        "⚠️ Source <b>{name}</b> (#{id}) was turned off after {n} failed polls in a row; "
        "last error: <code>{kind}</code>.\n{url}\nFix it, then /resumesource {id}.",
        failures,
    ).format(
        name=escape(source.name),
        id=source.id,
        n=failures,
        kind=escape(kind),
        url=escape(source.url),
    )


def chat_gone(ui: UI, chat_id: int, title: str | None) -> str:
    """Tell admins that Telegram no longer knows a chat, which gets no more alerts."""
    return ui._(
        "⚠️ Telegram says chat {chat} does not exist any more (deleted, or the bot was "
        "removed); it is marked inactive and gets no more alerts."
    ).format(chat=f"<b>{quoted(title)}</b> ({chat_id})" if title else str(chat_id))


def source_recovered(ui: UI, source: Source) -> str:
    """Tell admins that a source which was failing answers again."""
    return ui._("✅ Source <b>{name}</b> (#{id}) is back: it answers again.\n{url}").format(
        name=escape(source.name), id=source.id, url=escape(source.url)
    )


def source_identity(
    ui: UI, source: Source, title: str | None, channel_id: int | None, *, paused: bool
) -> str:
    """Tell admins that a channel's page shows another title, or another channel."""
    if paused:
        return ui._(
            "🚨 Source <b>{name}</b> (#{id}) now shows another channel: id {new}, not {old}, "
            "titled «{title}». Its name may have passed to someone else. It is paused and "
            "its posts are not read.\n{url}\nCheck the channel, then /resumesource {id} to "
            "follow the channel that holds the name now, or /removesource {id}."
        ).format(
            name=escape(source.name),
            id=source.id,
            new=channel_id,
            old=source.channel_id,
            title=escape(title or "?"),
            url=escape(source.url),
        )
    return ui._(
        "ℹ️ Source <b>{name}</b> (#{id}) changed its title from «{old}» to «{new}».\n{url}"
    ).format(
        name=escape(source.name),
        id=source.id,
        old=escape(source.channel_title or "?"),
        new=escape(title or "?"),
        url=escape(source.url),
    )


def _in(ui: UI, then: datetime, now: datetime) -> str:
    seconds = int((then - now).total_seconds())
    if seconds <= 0:
        return ui._("due now")
    if seconds < 60:
        return ui._("in {n} s").format(n=seconds)
    if seconds < 3600:
        return ui._("in {n} min").format(n=seconds // 60)
    return ui._("in {h} h {m} min").format(h=seconds // 3600, m=seconds % 3600 // 60)


def source_line(ui: UI, source: Source, items_24h: int, now: datetime) -> str:
    """Describe one source and its health for /sources."""
    if not source.active:
        state = ui._("⛔ off after failures") if source.deactivated_at else ui._("⏸ paused")
    elif source.consecutive_failures:
        state = ui._("⚠️ failing ({n}×)").format(n=source.consecutive_failures)
    else:
        state = ui._("✅ ok")
    success = ago(ui, source.last_success_at, now) if source.last_success_at else ui._("never")
    error = escape(source.last_error_kind) if source.last_error_kind else ui._("none")
    if not source.active:
        next_poll = ui._("not polled")
    elif source.next_poll_at is None:
        next_poll = ui._("due now")
    else:
        next_poll = _in(ui, source.next_poll_at, now)
    health = ui._(
        "last success: {success}; last error: {error}; items 24 h: {items}; next poll: {next}"
    ).format(success=success, error=error, items=items_24h, next=next_poll)
    return (
        f"<b>#{source.id}</b> {escape(_short(source.name, 100))} "
        f"({escape(source.kind.value)}) {state}\n"
        f"   {escape(_short(source.url, 150))}\n   {health}"
    )


def sources_page(
    ui: UI,
    sources: Sequence[Source],
    counts: Mapping[int, int],
    now: datetime,
    *,
    first: int,
    total: int,
) -> str:
    """Render one page of /sources: its sources with their health, numbered from `first`."""
    if not total:
        return ui._(
            "No sources yet. Add one with /addsource URL (a feed, a site, t.me/NAME or @NAME)."
        )
    heading = ui._("📡 <b>Sources</b> ({n})").format(n=total)
    if len(sources) < total:
        heading += " · " + ui._("{first}–{last} of {n}").format(
            first=first + 1, last=first + len(sources), n=total
        )
    blocks = [source_line(ui, source, counts.get(source.id, 0), now) for source in sources]
    return "\n\n".join([heading, *blocks])


def import_report(ui: UI, report: ImportReport) -> str:
    """Say what an OPML import did."""
    lines = [
        ui._(
            "📥 OPML import: <b>{added}</b> added, {known} already known, {refused} refused."
        ).format(added=len(report.added), known=len(report.duplicates), refused=len(report.refused))
    ]
    lines.extend(
        f"• #{source.id} {escape(_short(source.name, 80))}" for source in report.added[:30]
    )
    if len(report.added) > 30:
        lines.append(ui._("… and {n} more (see /sources)").format(n=len(report.added) - 30))
    lines.extend(
        f"✗ {escape(_short(url, 120))}: {escape(_short(why, 160))}"
        for url, why in report.refused[:20]
    )
    return "\n".join(lines)


SEVERITY_LABELS = {
    Severity.LOW: N_("🟢 Low"),
    Severity.MEDIUM: N_("🟠 Medium"),
    Severity.HIGH: N_("🔴 High"),
}

# "Within N km of the border with X" and "How far from the border with X?" whole, one
# message a neighbour: each language puts the country in the case its preposition needs
# ("с Украиной", "з Украінай", "з Україною").
WITHIN_BORDER = {
    "ua": N_("within {km} km of the border with Ukraine"),
    "pl": N_("within {km} km of the border with Poland"),
    "lt": N_("within {km} km of the border with Lithuania"),
    "lv": N_("within {km} km of the border with Latvia"),
    "ru": N_("within {km} km of the border with Russia"),
}
HOW_FAR_FROM_BORDER = {
    "ua": N_("🛂 How far from the border with Ukraine?"),
    "pl": N_("🛂 How far from the border with Poland?"),
    "lt": N_("🛂 How far from the border with Lithuania?"),
    "lv": N_("🛂 How far from the border with Latvia?"),
    "ru": N_("🛂 How far from the border with Russia?"),
}


def within_border(ui: UI, code: str, km: float) -> str:
    """Say "within N km of the border with X" in the reader's language."""
    message = WITHIN_BORDER.get(code)
    if message is None:  # a code stored by a version that knew more neighbours
        return f"{km:g} km · {escape(code)}"
    return ui._(message).format(km=f"{km:g}")


def how_far_from_border(ui: UI, code: str) -> str:
    """Ask how far from one neighbour's border, in the reader's language."""
    message = HOW_FAR_FROM_BORDER.get(code)
    return ui._(message) if message is not None else f"🛂 {escape(code)}?"


def filters_summary(ui: UI, chat: ChatFilters) -> str:
    """Describe a chat's place filters, severity, own keywords and exclusions."""
    lines = [ui._("<b>Your filters</b>")]
    places = [escape(ui.place(region)) for region in chat.regions]
    places += [
        ui._("within {km} km of {place}").format(km=f"{km:g}", **ui.place_args("place", place))
        for place, km in chat.near
    ]
    places += [within_border(ui, code, km) for code, km in chat.borders]
    lines.append(
        ui._("Places: {list}").format(list="; ".join(places) if places else ui._("anywhere"))
    )
    lines.append(
        ui._("Minimum severity: {level}").format(level=ui._(SEVERITY_LABELS[chat.min_severity]))
    )
    if chat.watch:
        lines.append(
            ui._("Your keywords: {list}").format(list=", ".join(escape(p) for p in chat.watch))
        )
    if chat.exclude:
        lines.append(
            ui._("Excluded: {list}").format(list=", ".join(escape(p) for p in chat.exclude))
        )
    return "\n".join(lines)


# -- learning from subscribers: the buttons under alerts, "Why this alert?", /feedback -----

FROM_BORDER = {
    "ua": N_("{km} km from the border with Ukraine"),
    "pl": N_("{km} km from the border with Poland"),
    "lt": N_("{km} km from the border with Lithuania"),
    "lv": N_("{km} km from the border with Latvia"),
    "ru": N_("{km} km from the border with Russia"),
}
WHY_WORDS = 5  # pairs of words shown per topic
WHY_CHARS = 60  # of each quoted word or phrase


def alert_buttons(
    lang: str, story_id: int, *, flagged: bool
) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Return the buttons under an alert: why it came, and "not relevant" or its undo."""
    _ = translator(lang).gettext
    why = (_("❓ Why this alert?"), WhyAlert(story_id).encode())
    if flagged:
        return ((why, (_("↩️ Relevant after all"), UndoNotRelevant(story_id).encode())),)
    return ((why, (_("👎 Not relevant"), NotRelevant(story_id).encode())),)


def _quote(words: str) -> str:
    return "“" + escape(_short(" ".join(words.split()), WHY_CHARS)) + "”"


def _topic_reason(ui: UI, reason: TopicReason) -> list[str]:
    head = f"{escape(ui.topic(reason.topic))} ({ui._(SEVERITY_LABELS[reason.severity])})"
    if reason.by_admin:
        return [head + ": " + ui._("chosen by an Outpost admin")]
    if not reason.pairs:
        return [head + ": " + ui._("the catalog as it is now finds no words for it")]
    pairs = "; ".join(
        ui._("{words} → concepts {concepts}").format(words=_quote(words), concepts=_quote(keyword))
        if keyword in reason.frames
        else ui._("{words} → keyword {keyword}").format(
            words=_quote(words), keyword=_quote(keyword)
        )
        for words, keyword in reason.pairs[:WHY_WORDS]
    )
    lines = [f"{head}: {pairs}"]
    lines.extend(
        "   "
        + ui._("{words} made it {severity}: {rule}").format(
            words=_quote(words),
            severity=ui._(SEVERITY_LABELS[level]),
            rule=escape(_short(note, 160)),
        )
        for words, level, note in reason.graded[:WHY_WORDS]
    )
    return lines


def _place_reason(ui: UI, reason: PlaceReason) -> str:
    line = f"📍 {escape(ui.place(reason.place))}"
    if reason.oblast and reason.oblast != reason.place:
        line += f" ({escape(ui.place(reason.oblast))})"
    if reason.border is not None:
        code, km = reason.border
        message = FROM_BORDER.get(code)
        if message is not None:
            line += ", " + ui._(message).format(km=f"{km:.0f}")
    return line


def _found_at(ui: UI, place: str, km: float) -> str:
    return ui._("{place}, {km} km away").format(place=escape(ui.place(place)), km=f"{km:.0f}")


def _chat_reasons(ui: UI, chat: ChatReasons) -> list[str]:
    lines: list[str] = []
    minimum = ui._(SEVERITY_LABELS[chat.min_severity])
    lines.extend(
        "• "
        + ui._("You follow {topic}: this report is {severity}, your minimum is {minimum}.").format(
            topic=escape(ui.topic(topic)), severity=ui._(SEVERITY_LABELS[level]), minimum=minimum
        )
        for topic, level in chat.topics
    )
    lines.extend(
        "• "
        + ui._(
            "You follow {topic} too, but this report is {severity}, below your minimum {minimum}."
        ).format(
            topic=escape(ui.topic(topic)), severity=ui._(SEVERITY_LABELS[level]), minimum=minimum
        )
        for topic, level in chat.below
    )
    if chat.words:
        lines.append(
            "• "
            + ui._("Your own keywords found in it: {list}").format(
                list=", ".join(_quote(word) for word in chat.words)
            )
        )
    if not chat.located:
        lines.append("• " + ui._("Places: you get reports from anywhere."))
    else:
        met = [escape(ui.place(oblast)) for oblast in chat.regions]
        met += [
            ui._("within {km} km of {place}").format(km=f"{km:g}", **ui.place_args("place", centre))
            + ": "
            + _found_at(ui, point, away)
            for centre, km, point, away in chat.near
        ]
        met += [
            within_border(ui, code, km) + ": " + _found_at(ui, point, away)
            for code, km, point, away in chat.borders
        ]
        if met:
            lines.append(
                "• " + ui._("Your place filter it meets: {list}").format(list="; ".join(met))
            )
        else:
            lines.append("• " + ui._("It meets none of your place filters."))
    if chat.excluded:
        lines.append(
            "• "
            + ui._("Your excluded words found in it: {list}").format(
                list=", ".join(_quote(word) for word in chat.excluded)
            )
        )
    if not chat.passes:
        lines.append(
            ui._("With your filters as they are now, this report would not reach this chat.")
        )
    return lines


def why_alert(ui: UI, reasons: AlertReasons) -> str:
    """Answer "Why this alert?": the words and rules that fired, places, the chat's filters."""
    lines = [ui._("❓ <b>Why this alert</b>"), "", ui._("<b>What the report says</b>")]
    if reasons.report.is_admin:
        lines.append(ui._("A verified update: an Outpost admin chose its topics and places."))
    for topic in reasons.topics:
        lines.extend(_topic_reason(ui, topic))
    if not reasons.topics:
        lines.append(ui._("No topic: it reached you by your own keywords."))
    lines.extend(_place_reason(ui, place) for place in reasons.places)
    lines += ["", ui._("<b>Why this chat got it</b>")]
    lines.extend(_chat_reasons(ui, reasons.chat))
    lines += [
        "",
        ui._("Not what you want? Tap “👎 Not relevant”, or change your filters in /settings."),
    ]
    return "\n".join(lines)


def flagged_page(ui: UI, stories: Sequence[FlaggedStory], *, offset: int, now: datetime) -> str:
    """Render one page of /feedback: flagged stories, the most recently flagged first, each
    with an excerpt, its topics and how many of the chats it reached flagged it."""
    lines = [ui._("🚩 <b>Marked as not relevant</b>, the latest marked first")]
    for number, story in enumerate(stories, start=offset + 1):
        excerpt = escape(_short(" ".join(story.text.split()), 200))
        href = safe_href(story.url) if story.url else None
        shown = f'<a href="{href}">{excerpt}</a>' if href else excerpt
        labels = ", ".join(escape(ui.topic(name)) for name in story.topics) or ui._("no topic")
        count = ui.ngettext(
            "marked by {n} of {total} chat it reached",
            "marked by {n} of {total} chats it reached",
            story.reached,
        ).format(n=story.chats, total=story.reached)
        lines.append(
            f"{number}. {shown}\n   {labels} · {count} · {ago(ui, story.last_at, now)}"
            f" · #{story.story_id}"
        )
    if not stories:
        lines.append(ui._("No alert has been marked as not relevant yet."))
    return "\n".join(lines)
