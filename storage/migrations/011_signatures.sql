-- Story signatures in a table of their own (issue 16, retention).
--
-- A signature (what later reports are compared with to join a story: JSON of topics,
-- places, numbers and a MinHash sketch, about 1.4 KB) is read only while its story is
-- within the joining window. Kept in the stories row, dropping it past the window only
-- shrank rows in place and left every page of the table part empty, which an incremental
-- vacuum cannot hand back. Here a signature is a row of its own, deleted whole once its
-- story was last reported before the window; `last_seen_at` is the story's, kept in step
-- by every write, so retention takes them by an index range.
CREATE TABLE story_signatures (
    story_id      INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    last_seen_at  REAL    NOT NULL,
    signature     TEXT                -- NULL: joined by a report that brought none
);
INSERT INTO story_signatures (story_id, last_seen_at, signature)
SELECT id, COALESCE(last_seen_at, created_at), signature FROM stories
WHERE signature IS NOT NULL;
CREATE INDEX story_signatures_seen ON story_signatures(last_seen_at);

-- The stories table without the signature column, copied row by row so its pages are
-- filled again (SQLite's ALTER TABLE ... DROP COLUMN rewrites each row in place and keeps
-- the pages as empty as the rows left them). The migration runner turns foreign keys off
-- around a migration and checks them before it commits, as SQLite's procedure for
-- changing a table asks: the events, outbox rows and labels pointing at the stories point
-- at the copy under the same name.
CREATE TABLE stories_copy (
    id              INTEGER PRIMARY KEY,
    canonical_link  TEXT UNIQUE,                  -- the same canonical link is the same story
    first_event_id  INTEGER,
    topics          TEXT    NOT NULL DEFAULT '[]',  -- JSON list, catalog order
    places          TEXT    NOT NULL DEFAULT '[]',
    created_at      REAL    NOT NULL,
    sources_count   INTEGER NOT NULL DEFAULT 1,
    last_seen_at    REAL,
    link_key        TEXT                          -- "ORIGIN LINK" (010_adversaries)
);
INSERT INTO stories_copy (id, canonical_link, first_event_id, topics, places, created_at,
                          sources_count, last_seen_at, link_key)
SELECT id, canonical_link, first_event_id, topics, places, created_at, sources_count,
       last_seen_at, link_key
FROM stories ORDER BY id;
DROP TABLE stories;
ALTER TABLE stories_copy RENAME TO stories;
CREATE INDEX stories_last_seen ON stories(last_seen_at);
CREATE INDEX stories_created ON stories(created_at);
CREATE INDEX stories_link_key ON stories(link_key);
