-- What subscribers say about their alerts: "not relevant" presses, one per chat and story.

-- A story some chat flagged, as the matcher read it when it was first flagged: the text,
-- what the bot made of it (topics, places) and where it came from. Kept apart from stories
-- and events, which are pruned with age: these rows are what `outpost feedback export`
-- turns into a labelled corpus, so they outlive the story (story_id is no foreign key).
CREATE TABLE flagged_stories (
    story_id    INTEGER PRIMARY KEY,              -- stories.id when it was flagged
    lang        TEXT    NOT NULL,
    text        TEXT    NOT NULL,                 -- the report: its title (unless the text
                                                  -- opens with it) and its text
    url         TEXT,
    topics      TEXT    NOT NULL DEFAULT '[]',    -- JSON: the topics the alert showed
    places      TEXT    NOT NULL DEFAULT '[]',
    first_at    REAL    NOT NULL,                 -- the first mark
    last_at     REAL    NOT NULL                  -- the newest mark standing: /feedback's order
);
CREATE INDEX flagged_stories_last ON flagged_stories(last_at, story_id);

-- One press of "Not relevant": the chat it counts for (the chat the alert was in) and who
-- pressed it (only they take it back). A second press by the chat adds nothing.
CREATE TABLE feedback (
    story_id    INTEGER NOT NULL REFERENCES flagged_stories(story_id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    created_at  REAL    NOT NULL,
    PRIMARY KEY (story_id, chat_id)
);
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX feedback_chat ON feedback(chat_id);
