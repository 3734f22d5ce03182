"""Why an alert reached a chat: the story's words and rules, and the chat's filters.

The story's first report is read again with the running matcher, for the words that hit;
its topics and places are the ones stored (the ones its alert showed, an admin's choice
included), and the chat's filters are the ones it has now.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.feedback.flags import delivered
from bot.matching import Catalog, Matcher
from bot.matching.explain import ChatReasons, PlaceReason, TopicReason, chat_reasons, story_reasons
from bot.matching.matcher import read
from bot.models import StoryReport
from storage import Database


@dataclass(frozen=True, slots=True)
class AlertReasons:
    """Everything "Why this alert?" answers with."""

    report: StoryReport
    topics: tuple[TopicReason, ...]
    places: tuple[PlaceReason, ...]
    chat: ChatReasons


async def explain_alert(
    db: Database,
    matcher: Matcher,
    catalog: Catalog,
    *,
    story_id: int,
    chat_id: int,
    message_id: int,
) -> AlertReasons | None:
    """Return why a chat got its alert about a story; None if that message is no such alert."""
    if not await delivered(db, story_id=story_id, chat_id=chat_id, message_id=message_id):
        return None
    report = await db.feedback.report(story_id)
    if report is None or report.is_announcement:
        return None
    reading = read(report.read_text)
    oblasts, border_km = matcher.places.locate(report.places)
    found = replace(
        matcher.classify(reading),
        topics=report.topics,
        places=report.places,
        oblasts=oblasts,
        border_km=border_km,
    )
    topics, places = story_reasons(matcher, catalog, found, by_admin=report.is_admin)
    chat = chat_reasons(await db.filters.get(chat_id), found, reading, catalog, matcher.places)
    return AlertReasons(report, topics, places, chat)
