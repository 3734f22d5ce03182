-- Admin tools: admins added in chat, the audit log, drafts awaiting confirmation.

CREATE TABLE admins (
    user_id     INTEGER PRIMARY KEY,             -- Telegram user id
    added_by    INTEGER NOT NULL,
    added_at    REAL    NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          REAL    NOT NULL,
    user_id     INTEGER NOT NULL,               -- who did it
    action      TEXT    NOT NULL,               -- post, broadcast, admin_add, ...
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

-- What an admin is writing: a /post goes through the steps text, topics, places, severity
-- and preview; it stays open until they confirm or cancel it. Kept in the database so a
-- restart in the middle of the conversation loses nothing.
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    author_id   INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('post', 'broadcast')),
    text        TEXT    NOT NULL DEFAULT '',
    step        TEXT    NOT NULL DEFAULT 'preview'
                CHECK (step IN ('text', 'topics', 'places', 'severity', 'preview')),
    topics      TEXT    NOT NULL DEFAULT '[]',   -- JSON list chosen by the admin
    places      TEXT    NOT NULL DEFAULT '[]',
    severity    TEXT,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'sent', 'cancelled')),
    created_at  REAL    NOT NULL
);
CREATE INDEX drafts_open ON drafts(author_id, state);

ALTER TABLE events ADD COLUMN is_announcement INTEGER NOT NULL DEFAULT 0;
