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
-- only chats with a revision above the last it saw. Triggers keep it (an UPDATE then an
-- INSERT: an outer UPSERT would override INSERT OR REPLACE inside a trigger), so no write path
-- (a handler, the dispatcher deactivating a chat, another instance) can forget it.
CREATE TABLE audience_changes (
    chat_id  INTEGER PRIMARY KEY,
    rev      INTEGER NOT NULL
);
CREATE INDEX audience_changes_rev ON audience_changes(rev);

CREATE TRIGGER audience_sub_added AFTER INSERT ON subscriptions BEGIN
    UPDATE audience_changes SET rev = (SELECT MAX(rev) FROM audience_changes) + 1
    WHERE chat_id = NEW.chat_id;
    INSERT INTO audience_changes (chat_id, rev)
    SELECT NEW.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes)
    WHERE NOT EXISTS (SELECT 1 FROM audience_changes WHERE chat_id = NEW.chat_id);
END;
CREATE TRIGGER audience_sub_removed AFTER DELETE ON subscriptions BEGIN
    UPDATE audience_changes SET rev = (SELECT MAX(rev) FROM audience_changes) + 1
    WHERE chat_id = OLD.chat_id;
    INSERT INTO audience_changes (chat_id, rev)
    SELECT OLD.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes)
    WHERE NOT EXISTS (SELECT 1 FROM audience_changes WHERE chat_id = OLD.chat_id);
END;
CREATE TRIGGER audience_chat_active AFTER UPDATE OF active ON chats
WHEN OLD.active IS NOT NEW.active BEGIN
    UPDATE audience_changes SET rev = (SELECT MAX(rev) FROM audience_changes) + 1
    WHERE chat_id = NEW.id;
    INSERT INTO audience_changes (chat_id, rev)
    SELECT NEW.id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes)
    WHERE NOT EXISTS (SELECT 1 FROM audience_changes WHERE chat_id = NEW.id);
END;
CREATE TRIGGER audience_filters_added AFTER INSERT ON chat_filters BEGIN
    UPDATE audience_changes SET rev = (SELECT MAX(rev) FROM audience_changes) + 1
    WHERE chat_id = NEW.chat_id;
    INSERT INTO audience_changes (chat_id, rev)
    SELECT NEW.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes)
    WHERE NOT EXISTS (SELECT 1 FROM audience_changes WHERE chat_id = NEW.chat_id);
END;
CREATE TRIGGER audience_filters_changed AFTER UPDATE ON chat_filters BEGIN
    UPDATE audience_changes SET rev = (SELECT MAX(rev) FROM audience_changes) + 1
    WHERE chat_id = NEW.chat_id;
    INSERT INTO audience_changes (chat_id, rev)
    SELECT NEW.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes)
    WHERE NOT EXISTS (SELECT 1 FROM audience_changes WHERE chat_id = NEW.chat_id);
END;
CREATE TRIGGER audience_word_added AFTER INSERT ON chat_words BEGIN
    UPDATE audience_changes SET rev = (SELECT MAX(rev) FROM audience_changes) + 1
    WHERE chat_id = NEW.chat_id;
    INSERT INTO audience_changes (chat_id, rev)
    SELECT NEW.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes)
    WHERE NOT EXISTS (SELECT 1 FROM audience_changes WHERE chat_id = NEW.chat_id);
END;
CREATE TRIGGER audience_word_removed AFTER DELETE ON chat_words BEGIN
    UPDATE audience_changes SET rev = (SELECT MAX(rev) FROM audience_changes) + 1
    WHERE chat_id = OLD.chat_id;
    INSERT INTO audience_changes (chat_id, rev)
    SELECT OLD.chat_id, (SELECT COALESCE(MAX(rev), 0) + 1 FROM audience_changes)
    WHERE NOT EXISTS (SELECT 1 FROM audience_changes WHERE chat_id = OLD.chat_id);
END;

-- A story gathers the reports of one happening: how many sources reported it, and what
-- later reports are compared with to join it (JSON: places, numbers, topics, MinHash).
ALTER TABLE stories ADD COLUMN sources_count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE stories ADD COLUMN signature TEXT;
ALTER TABLE stories ADD COLUMN last_seen_at REAL;
CREATE INDEX stories_last_seen ON stories(last_seen_at);
