-- What several instances sharing one database must all see (issue 13): a chat's pending
-- /settings answer and its recent "Why this alert?" answers, and the Telegram updates
-- received. PTB's chat_data is per process; an answer typed after a switch of instance
-- must still be taken. The PostgreSQL schema is storage/migrations_pg/013_chat_state.sql.

-- The answer the /settings menu waits for in a chat (prompt, from whom, since when) and
-- the place named there before its radius is chosen; `changed_at` lets retention drop
-- rows no one came back to.
CREATE TABLE chat_state (
    chat_id     INTEGER PRIMARY KEY,
    prompt      TEXT,              -- NULL: no answer awaited
    user_id     INTEGER,
    since       REAL,
    place       TEXT,              -- the place named before its radius, if any
    changed_at  REAL    NOT NULL
);
CREATE INDEX chat_state_changed ON chat_state(changed_at);

-- Stories whose "Why this alert?" a chat was answered lately: a repeated tap is pointed at
-- that answer instead of writing it again.
CREATE TABLE chat_explained (
    chat_id      INTEGER NOT NULL,
    story_id     INTEGER NOT NULL,
    answered_at  REAL    NOT NULL,
    PRIMARY KEY (chat_id, story_id)
);
CREATE INDEX chat_explained_at ON chat_explained(answered_at);

-- Every Telegram update received, by its unique id: a webhook's are stored (with their
-- JSON) before Telegram is answered and handled from here, a claim at a time; polling's
-- are noted when handled (no JSON), so an update read again after a switch of instance
-- is dropped. Handled rows are pruned by retention.
CREATE TABLE updates (
    update_id      INTEGER PRIMARY KEY,
    payload        TEXT,           -- the update's JSON; NULL once handled or when polled
    received_at    REAL    NOT NULL,
    claimed_until  REAL,           -- an instance handles it until then
    handled_at     REAL
);
CREATE INDEX updates_waiting ON updates(update_id) WHERE handled_at IS NULL;
CREATE INDEX updates_handled ON updates(handled_at);
