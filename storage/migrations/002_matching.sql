-- Matching an analyst can trust: per-chat filters and own words, and stories that gather
-- several sources.

-- What a chat narrowed its alerts to. Lists are JSON: regions ["Gomel region"],
-- near [["Mazyr", 30.0]], borders [["ua", 30.0]]. No row: everything, any severity.
CREATE TABLE chat_filters (
    chat_id       INTEGER PRIMARY KEY REFERENCES chats(id) ON DELETE CASCADE,
    min_severity  TEXT    NOT NULL DEFAULT 'low' CHECK (min_severity IN ('low', 'medium', 'high')),
    regions       TEXT    NOT NULL DEFAULT '[]',
    near          TEXT    NOT NULL DEFAULT '[]',
    borders       TEXT    NOT NULL DEFAULT '[]'
);

-- A chat's own keywords (watch) and the words that veto an alert for it (exclude).
CREATE TABLE chat_words (
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('watch', 'exclude')),
    phrase      TEXT    NOT NULL,
    created_at  REAL    NOT NULL,
    PRIMARY KEY (chat_id, kind, phrase)
);

-- Which chats changed what they receive, in order: the in-memory audience index reloads
-- only chats with a revision above the last it saw. Triggers keep it, so no write path
-- (a handler, the dispatcher deactivating a chat, another instance) can forget it.
CREATE TABLE audience_changes (
    chat_id  INTEGER PRIMARY KEY,
    rev      INTEGER NOT NULL
);
CREATE INDEX audience_changes_rev ON audience_changes(rev);

CREATE TRIGGER audience_sub_added AFTER INSERT ON subscriptions BEGIN
    INSERT OR REPLACE INTO audience_changes (chat_id, rev)
    VALUES (NEW.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes));
END;
CREATE TRIGGER audience_sub_removed AFTER DELETE ON subscriptions BEGIN
    INSERT OR REPLACE INTO audience_changes (chat_id, rev)
    VALUES (OLD.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes));
END;
CREATE TRIGGER audience_chat_active AFTER UPDATE OF active ON chats
WHEN OLD.active IS NOT NEW.active BEGIN
    INSERT OR REPLACE INTO audience_changes (chat_id, rev)
    VALUES (NEW.id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes));
END;
CREATE TRIGGER audience_filters_added AFTER INSERT ON chat_filters BEGIN
    INSERT OR REPLACE INTO audience_changes (chat_id, rev)
    VALUES (NEW.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes));
END;
CREATE TRIGGER audience_filters_changed AFTER UPDATE ON chat_filters BEGIN
    INSERT OR REPLACE INTO audience_changes (chat_id, rev)
    VALUES (NEW.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes));
END;
CREATE TRIGGER audience_word_added AFTER INSERT ON chat_words BEGIN
    INSERT OR REPLACE INTO audience_changes (chat_id, rev)
    VALUES (NEW.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes));
END;
CREATE TRIGGER audience_word_removed AFTER DELETE ON chat_words BEGIN
    INSERT OR REPLACE INTO audience_changes (chat_id, rev)
    VALUES (OLD.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes));
END;

-- A story gathers the reports of one happening: how many sources reported it, and what
-- later reports are compared with to join it (JSON: places, numbers, topics, MinHash).
ALTER TABLE stories ADD COLUMN sources_count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE stories ADD COLUMN signature TEXT;
ALTER TABLE stories ADD COLUMN last_seen_at REAL;
CREATE INDEX stories_last_seen ON stories(last_seen_at);
