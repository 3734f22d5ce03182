"""Flagged stories as a labelled corpus: one JSON object a line, as `tests/data/corpus` has.

A "Not relevant" is on the whole alert, so every topic the bot gave the story is flagged:
each line is written as a negative (`topics` empty) with those topics kept under
`flagged_topics`. `bench/quality.py --corpus FILE` then counts every topic the matcher
still gives a flagged story as a false alarm. A reviewer who finds a flag mistaken (the
story was about the topic; the chat just did not want it) moves the topic back into
`topics`. `places` are the bot's own, unreviewed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from bot.models import FlaggedStory


def corpus_item(story: FlaggedStory) -> dict[str, Any]:
    """Return a flagged story as a corpus item."""
    gave = ", ".join(story.topics) or "none"
    return {
        "id": f"feedback-{story.story_id}",
        "lang": story.lang,
        "text": story.text,
        "topics": [],
        "also": [],
        "places": list(story.places),
        "url": story.url or "",
        "note": (
            f"flagged not relevant by {story.chats} of {story.reached} chats it reached; "
            f"the bot gave: {gave}. Unreviewed: put back in `topics` any it is about."
        ),
        "flagged_topics": list(story.topics),
        "flagged_by": story.chats,
        "reached": story.reached,
        "flagged_at": story.last_at.isoformat(),
    }


def corpus_lines(stories: Iterable[FlaggedStory]) -> Iterator[str]:
    """Yield the JSON lines of flagged stories (each without its newline)."""
    for story in stories:
        yield json.dumps(corpus_item(story), ensure_ascii=False)
