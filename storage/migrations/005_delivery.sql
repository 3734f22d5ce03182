-- Delivery choices per chat, forum topics, and editing alerts whose story grew.

-- instant | hourly | daily (digests at digest_hour in the chat's IANA time zone)
ALTER TABLE chats ADD COLUMN delivery TEXT NOT NULL DEFAULT 'instant';
ALTER TABLE chats ADD COLUMN digest_hour INTEGER NOT NULL DEFAULT 8;
ALTER TABLE chats ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
-- Quiet hours from quiet_start to quiet_end (local hours); NULL: none.
ALTER TABLE chats ADD COLUMN quiet_start INTEGER;
ALTER TABLE chats ADD COLUMN quiet_end INTEGER;
ALTER TABLE chats ADD COLUMN quiet_mode TEXT NOT NULL DEFAULT 'hold';  -- hold | silent
ALTER TABLE chats ADD COLUMN quiet_urgent INTEGER NOT NULL DEFAULT 0;  -- high severity breaks through
ALTER TABLE chats ADD COLUMN link_previews INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN thread_id INTEGER;                        -- forum topic to post in

-- A sent alert whose story gained a source: edit the message instead of sending another.
ALTER TABLE outbox ADD COLUMN edit_needed INTEGER NOT NULL DEFAULT 0;
-- Sent inside a digest (many stories, one message): never edited.
ALTER TABLE outbox ADD COLUMN in_digest INTEGER NOT NULL DEFAULT 0;

CREATE INDEX outbox_story ON outbox(story_id, status);
CREATE INDEX outbox_chat ON outbox(chat_id, status);
