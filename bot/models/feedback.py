"""What subscribers say about their alerts: a story's first report, and the stories flagged
"not relevant"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class StoryReport:
    """A story's first report, as the matcher read it and the pipeline labelled it."""

    story_id: int
    title: str
    text: str
    lang: str
    url: str | None
    topics: tuple[str, ...]  # as stored: the matcher's, or those an admin chose
    places: tuple[str, ...]
    is_admin: bool
    is_announcement: bool

    @property
    def read_text(self) -> str:
        """Return the text the matcher classified: the title, then the text."""
        return f"{self.title}\n{self.text}"

    @property
    def shown_text(self) -> str:
        """Return the report as a reader reads it: the title only where the text lacks it.

        A channel post's title is its own first words; repeating them would make a corpus
        item read twice what it says once.
        """
        title, text = self.title.strip(), self.text.strip()
        if not title or text.startswith(title[: max(len(title) - 1, 1)]):
            return text or title
        return f"{title}\n{text}"


@dataclass(frozen=True, slots=True)
class FlaggedStory:
    """A story that chats flagged "not relevant", with how many did."""

    story_id: int
    lang: str
    text: str  # the report as a reader reads it (`StoryReport.shown_text`)
    url: str | None
    topics: tuple[str, ...]  # what the alert showed
    places: tuple[str, ...]
    chats: int  # how many chats flagged it
    reached: int  # how many chats it was sent to, as far as the outbox still remembers
    first_at: datetime  # the first flag
    last_at: datetime  # the newest flag


class Flag(StrEnum):
    """What a press of "Not relevant" (or of its undo) came to."""

    FLAGGED = "flagged"  # recorded for the chat
    ALREADY = "already"  # the chat had flagged it before: nothing counted twice
    UNDONE = "undone"  # the press was taken back
    NOT_FLAGGED = "not_flagged"  # an undo of a flag that is not there
    NOT_YOURS = "not_yours"  # an undo by someone other than who flagged it
    REFUSED = "refused"  # the chat was never sent this story in this message
