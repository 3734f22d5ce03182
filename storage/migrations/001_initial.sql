-- Outpost's first schema. Times are Unix seconds (REAL, UTC): they compare and sort as numbers.

CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,              -- Telegram chat id
    type        TEXT    NOT NULL,                 -- private, group, supergroup, channel
    title       TEXT,
    language    TEXT,
    active      INTEGER NOT NULL DEFAULT 1,       -- 0 once Telegram says the bot cannot write here
    created_at  REAL    NOT NULL
);

CREATE TABLE subscriptions (
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    topic       TEXT    NOT NULL,
    created_at  REAL    NOT NULL,
    PRIMARY KEY (chat_id, topic)
);
CREATE INDEX subscriptions_topic ON subscriptions(topic);

CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT    NOT NULL UNIQUE,
    kind                 TEXT    NOT NULL CHECK (kind IN ('rss', 'telegram')),
    name                 TEXT    NOT NULL,
    active               INTEGER NOT NULL DEFAULT 1,
    etag                 TEXT,                    -- validators stored verbatim for conditional GET
    last_modified        TEXT,
    last_polled_at       REAL,
    last_success_at      REAL,
    last_error_at        REAL,
    last_error_kind      TEXT,
    last_error_detail    TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_poll_at         REAL,
    created_at           REAL    NOT NULL
);

-- A story is one happening; the events that report it point at it.
CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    canonical_link  TEXT UNIQUE,                  -- the same canonical link is the same story
    first_event_id  INTEGER,
    topics          TEXT    NOT NULL DEFAULT '[]',  -- JSON list, catalog order
    places          TEXT    NOT NULL DEFAULT '[]',
    created_at      REAL    NOT NULL
);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER REFERENCES sources(id) ON DELETE SET NULL,  -- NULL: an admin update
    item_key        TEXT    NOT NULL,
    story_id        INTEGER NOT NULL REFERENCES stories(id),
    title           TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    summary         TEXT    NOT NULL,
    link            TEXT,
    canonical_link  TEXT,
    lang            TEXT    NOT NULL,
    topics          TEXT    NOT NULL DEFAULT '[]',
    places          TEXT    NOT NULL DEFAULT '[]',
    published_at    REAL,
    seen_at         REAL    NOT NULL,
    is_admin        INTEGER NOT NULL DEFAULT 0,
    author_id       INTEGER,                      -- the admin who posted it
    source_name     TEXT,                         -- kept so a removed source's events still say where they came from
    UNIQUE (source_id, item_key)
);
CREATE INDEX events_seen ON events(seen_at);
CREATE INDEX events_story ON events(story_id);

-- One message to one chat about one story; written in the transaction that records the match.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    story_id     INTEGER NOT NULL REFERENCES stories(id),
    chat_id      INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    priority     INTEGER NOT NULL DEFAULT 0,      -- higher goes first
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   REAL    NOT NULL,
    lease_until  REAL,
    created_at   REAL    NOT NULL,
    sent_at      REAL,
    message_id   INTEGER,
    last_error   TEXT,
    UNIQUE (story_id, chat_id)
);
CREATE INDEX outbox_due ON outbox(status, priority DESC, not_before, id);
