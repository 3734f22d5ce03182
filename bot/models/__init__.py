"""Plain data shared by every stage: frozen dataclasses and enums, one module a concept.

No Telegram, HTTP or SQL in them, so each stage can be tested and benchmarked alone (see
DESIGN.md, "Data flow"). Import them from here: `from bot.models import Source`.

- `severity`: how urgent a report is, ordered low < medium < high;
- `source`: sources, their health and what one poll gave;
- `item`: posts as read from a document;
- `classification`: what the matcher found in a text;
- `event`: stored posts, stories and alerts;
- `outbox`: queued messages and the priority an alert goes at;
- `chat`: a chat's filters and delivery choices, changes to them, the answer awaited;
- `admin`: drafts, the audit log and /stats figures;
- `feedback`: a story's first report and the stories subscribers flagged.
"""

from bot.models.admin import AuditEntry, Draft, Stats
from bot.models.chat import (
    KEEP,
    Awaiting,
    ChatFilters,
    Delivery,
    DeliveryChange,
    DeliveryChoices,
    Keep,
    Prompt,
    QuietMode,
)
from bot.models.classification import Classification, TopicHit
from bot.models.event import Alert, Event, StoryLink
from bot.models.feedback import Flag, FlaggedStory, StoryReport
from bot.models.item import ParsedItem, ParseResult
from bot.models.outbox import HIGH_PRIORITY, OutboxRow, alert_priority
from bot.models.severity import Severity
from bot.models.source import DuplicateSourceError, ErrorKind, FetchResult, Source, SourceKind

__all__ = [
    "HIGH_PRIORITY",
    "KEEP",
    "Alert",
    "AuditEntry",
    "Awaiting",
    "ChatFilters",
    "Classification",
    "Delivery",
    "DeliveryChange",
    "DeliveryChoices",
    "Draft",
    "DuplicateSourceError",
    "ErrorKind",
    "Event",
    "FetchResult",
    "Flag",
    "FlaggedStory",
    "Keep",
    "OutboxRow",
    "ParseResult",
    "ParsedItem",
    "Prompt",
    "QuietMode",
    "Severity",
    "Source",
    "SourceKind",
    "Stats",
    "StoryLink",
    "StoryReport",
    "TopicHit",
    "alert_priority",
]
