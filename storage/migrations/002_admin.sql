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

-- What an admin wrote, shown as a preview until they confirm or cancel it.
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    author_id   INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('post', 'broadcast')),
    text        TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'sent', 'cancelled')),
    created_at  REAL    NOT NULL
);

ALTER TABLE events ADD COLUMN is_announcement INTEGER NOT NULL DEFAULT 0;
