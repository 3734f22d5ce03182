-- Issue 3: per-source polling, silent backfill, automatic deactivation, edited posts.

ALTER TABLE sources ADD COLUMN poll_interval REAL;      -- seconds; NULL: the operator default
ALTER TABLE sources ADD COLUMN backfilled INTEGER NOT NULL DEFAULT 0;  -- 1 after the first read
ALTER TABLE sources ADD COLUMN deactivated_at REAL;     -- set when failures turned it off
-- Sources that already answered have had their first poll.
UPDATE sources SET backfilled = 1 WHERE last_success_at IS NOT NULL;

ALTER TABLE events ADD COLUMN content_hash TEXT;        -- title+text digest: an edit changes it
