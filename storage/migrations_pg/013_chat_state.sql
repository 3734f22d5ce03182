-- PostgreSQL's form of storage/migrations/013_chat_state.sql (the same tables, columns and
-- indexes; see there for why each exists). Times are Unix seconds, as in SQLite.

CREATE TABLE chat_state (
    chat_id     BIGINT PRIMARY KEY,
    prompt      TEXT,
    user_id     BIGINT,
    since       DOUBLE PRECISION,
    place       TEXT,
    changed_at  DOUBLE PRECISION NOT NULL
);
CREATE INDEX chat_state_changed ON chat_state(changed_at);

CREATE TABLE chat_explained (
    chat_id      BIGINT           NOT NULL,
    story_id     BIGINT           NOT NULL,
    answered_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (chat_id, story_id)
);
CREATE INDEX chat_explained_at ON chat_explained(answered_at);

CREATE TABLE updates (
    update_id      BIGINT PRIMARY KEY,
    payload        TEXT,
    received_at    DOUBLE PRECISION NOT NULL,
    claimed_until  DOUBLE PRECISION,
    handled_at     DOUBLE PRECISION
);
CREATE INDEX updates_waiting ON updates(update_id) WHERE handled_at IS NULL;
CREATE INDEX updates_handled ON updates(handled_at);
