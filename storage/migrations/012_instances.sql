-- Several instances on one database (issue 13).
--
-- `leases` holds named leases: the 'sender' row says which instance runs the dispatcher
-- (and with it digests and quiet hours) and reads updates. `epoch` grows each time the
-- lease changes hands, so a claim made under an old epoch is refused; `expires_at` (Unix
-- seconds) is pushed forward every few seconds by the holder, and a standby takes the row
-- only once it has passed.
CREATE TABLE leases (
    name        TEXT    PRIMARY KEY,
    holder      TEXT,                          -- instance id; NULL: never held
    epoch       INTEGER NOT NULL DEFAULT 0,
    expires_at  REAL    NOT NULL DEFAULT 0
);
INSERT INTO leases (name) VALUES ('sender');

-- Every running instance's heartbeat: a source leased by an instance whose row has
-- expired (killed, powered off) is free for the others at once.
CREATE TABLE instances (
    id          TEXT    PRIMARY KEY,           -- hostname-pid-random
    started_at  REAL    NOT NULL,
    expires_at  REAL    NOT NULL
);

-- The instance polling a source right now (NULL: none); cleared when its poll is recorded.
ALTER TABLE sources ADD COLUMN poll_holder TEXT;
