"""/status [TOPIC|PLACE]: the situation board, with a chart on request."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chats.filters import COUNTRY_NAMES
from bot.context import Context, Core
from bot.matching import resolve_topic
from bot.ui import charts, maps, texts
from bot.ui.callbacks import StatusChart, StatusMap
from bot.ui.texts import UI, TopicFigures
from handlers.common import answer, reply, ui_of

CHART_DAYS = 14
MAP_HOURS = 48
MAP_PLACES = 200  # more than the gazetteer's places a real 48 h names


async def _figures(core: Core, topics: tuple[str, ...]) -> dict[str, TopicFigures]:
    now = core.clock.now()
    day = await core.db.events.count_by_topic(now - timedelta(hours=24))
    week = await core.db.events.count_by_topic(now - timedelta(days=7))
    before = await core.db.events.daily_counts(start=now - timedelta(days=35), days=28)
    latest = await core.db.events.latest_by_topic(topics)
    return {
        name: TopicFigures(
            day=day.get(name, 0),
            week=week.get(name, 0),
            usual=sum(before.get(name, [])) / 28,
            latest=latest.get(name),
        )
        for name in topics
    }


def _picture_buttons(ui: UI) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ui._("📈 Chart, 14 days"), callback_data=StatusChart().encode()
                ),
                InlineKeyboardButton(ui._("🗺 Map, 48 h"), callback_data=StatusMap().encode()),
            ]
        ]
    )


async def status(update: Update, context: Context) -> None:
    """Show the board for every topic, one topic, or one place."""
    message = update.effective_message
    if message is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    now = core.clock.now()
    wanted = " ".join(context.args or ())
    topic = resolve_topic(core.catalog, wanted) if wanted else None
    places = core.matcher.classify(wanted).places if wanted and topic is None else ()
    if places:
        stories = await core.db.events.latest_stories(place=places[0], limit=8)
        board = texts.place_board(ui, places[0], stories, now=now)
    else:
        user = update.effective_user
        health = None
        if user is not None and core.is_admin(user.id):
            _, active, answering = await core.db.sources.health()
            health = (answering, active)
        board = texts.status_board(
            ui,
            figures=await _figures(core, (topic,) if topic else core.catalog.names()),
            places=await core.db.events.top_places(since=now - timedelta(days=7)),
            health=health,
            now=now,
        )
    await reply(
        message,
        board,
        html=True,
        previews=False,
        markup=_picture_buttons(ui),
    )


async def picture(update: Update, context: Context) -> None:
    """Send the chart of stories per day over the last two weeks, for the reader's topics."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    await answer(query)
    today = core.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=CHART_DAYS - 1)
    counts = await core.db.events.daily_counts(start=start, days=CHART_DAYS)
    followed = await core.db.chats.topics_of(chat.id)
    shown = charts.topics_to_show(core.catalog.names(), followed, counts)
    series = {name: counts.get(name, [0] * CHART_DAYS) for name in shown}
    days = [(start + timedelta(days=n)).date() for n in range(CHART_DAYS)]
    labels = {name: core.catalog.topic(name).display_name(ui.lang) for name in series}
    # matplotlib takes a noticeable fraction of a second: never on the event loop.
    png = await asyncio.to_thread(
        charts.reports_chart, series, days, labels=labels, texts=charts.chart_texts(ui)
    )
    await context.bot.send_photo(chat.id, png, caption=ui._("Stories per day, last 14 days"))


async def map_picture(update: Update, context: Context) -> None:
    """Send the map of the places stories named in the last 48 hours.

    The reader's /near places are named on it whatever their count, with their circles.
    """
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    core = context.core
    ui = await ui_of(update, context)
    await answer(query)
    since = core.clock.now() - timedelta(hours=MAP_HOURS)
    near = dict((await core.db.filters.get(chat.id)).near)
    spots, areas = [], []
    for place_id, stories in await core.db.events.top_places(since=since, limit=MAP_PLACES):
        place = core.matcher.places.get(place_id)
        if place is not None and place.kind != "oblast":  # an oblast is no point on a map
            spots.append(
                maps.Spot(place.lat, place.lon, stories, place.label(ui.lang), place_id in near)
            )
    located = {spot.label for spot in spots}
    for place_id, km in near.items():
        place = core.matcher.places.get(place_id)
        if place is not None:
            areas.append(maps.Area(place.lat, place.lon, km))
            if place.label(ui.lang) not in located:  # named on the map, with no count
                spots.append(maps.Spot(place.lat, place.lon, 0, place.label(ui.lang), True))
    png = await asyncio.to_thread(
        maps.stories_map, spots, texts=maps.map_texts(ui, COUNTRY_NAMES), areas=areas
    )
    named = [spot for spot in spots if spot.stories]
    caption = ui.ngettext(
        "{n} place named in the last 48 hours", "{n} places named in the last 48 hours", len(named)
    ).format(n=len(named))
    most = sorted(named, key=lambda spot: -spot.stories)[:5]
    if most:
        caption += "\n" + ", ".join(f"{spot.label} ({spot.stories})" for spot in most)
    await context.bot.send_photo(chat.id, png, caption=caption)
