-- Issue 16: queries that touch only what they need, bounded history, learned polling, WebSub.

-- The labels of a story (its first report's topics and places), one row each, with the
-- story's creation time copied in: the newest stories of a topic or a place, and how many
-- stories each topic or place had in a window, are index ranges instead of a walk over
-- every story's JSON lists.
CREATE TABLE story_labels (
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('topic', 'place')),
    name        TEXT    NOT NULL,
    created_at  REAL    NOT NULL,
    PRIMARY KEY (story_id, kind, name)
);
CREATE INDEX story_labels_latest ON story_labels(name, kind, created_at, story_id);
CREATE INDEX story_labels_window ON story_labels(kind, created_at, name);

INSERT INTO story_labels (story_id, kind, name, created_at)
SELECT DISTINCT st.id, 'topic', t.value, st.created_at
FROM stories st JOIN events e ON e.id = st.first_event_id, json_each(st.topics) t
WHERE e.is_announcement = 0;
INSERT INTO story_labels (story_id, kind, name, created_at)
SELECT DISTINCT st.id, 'place', p.value, st.created_at
FROM stories st JOIN events e ON e.id = st.first_event_id, json_each(st.places) p
WHERE e.is_announcement = 0;

-- Stories per topic per UTC day (days since 1970-01-01), counted when a story starts: what
-- /status compares today with and the chart draws. Kept when old stories are pruned.
CREATE TABLE daily_counts (
    day      INTEGER NOT NULL,
    topic    TEXT    NOT NULL,
    stories  INTEGER NOT NULL,
    PRIMARY KEY (day, topic)
);
INSERT INTO daily_counts (day, topic, stories)
SELECT CAST(created_at / 86400 AS INTEGER), name, COUNT(*)
FROM story_labels WHERE kind = 'topic'
GROUP BY CAST(created_at / 86400 AS INTEGER), name;

-- Stories by creation time (/latest), and the stories that still carry a fingerprint
-- (dropped once their joining window has passed).
UPDATE stories SET last_seen_at = created_at WHERE last_seen_at IS NULL;
CREATE INDEX stories_created ON stories(created_at);
CREATE INDEX stories_signed ON stories(last_seen_at) WHERE signature IS NOT NULL;

-- A source's newest events (what a poll compares its document with, items per source in
-- 24 hours) without walking all of its history.
CREATE INDEX events_source_seen ON events(source_id, seen_at);

-- Sent rows waiting for an edit: claimed through this small index, not by walking every
-- sent row (only a sent row is ever marked for an edit). Finished rows by age: what
-- retention prunes and /stats counts.
UPDATE outbox SET edit_needed = 0 WHERE edit_needed = 1 AND status <> 'sent';
CREATE INDEX outbox_edits ON outbox(edit_needed, chat_id) WHERE edit_needed = 1;
CREATE INDEX outbox_age ON outbox(status, created_at);

-- /stats groups active chats by language.
CREATE INDEX chats_language ON chats(active, language);

-- Sources due for a poll, in order.
CREATE INDEX sources_due ON sources(active, next_poll_at);

-- Each source's rhythm: how many seconds pass between its new items (learned), and when
-- it last had one. NULL: not known yet.
ALTER TABLE sources ADD COLUMN item_gap REAL;
ALTER TABLE sources ADD COLUMN last_item_at REAL;

-- WebSub (W3C): a feed that names a hub is also subscribed to there, and the hub pushes
-- new content to /websub/{source_id}. `secret` signs the pushes; `token` is part of the
-- callback URL; `state` is requested, active or failed; `expires_at` ends the lease.
CREATE TABLE websub (
    source_id     INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    hub           TEXT    NOT NULL,
    topic         TEXT    NOT NULL,
    secret        TEXT    NOT NULL,
    token         TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'requested'
                  CHECK (state IN ('requested', 'active', 'failed')),
    requested_at  REAL    NOT NULL,
    expires_at    REAL,
    last_push_at  REAL,
    last_error    TEXT
);
