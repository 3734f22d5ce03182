-- Adversaries inside the pipeline (issue 21): no source and no user can silence, spoof or
-- flood the alerts.

-- A report joins a story by its link only when both come from the same origin (one site,
-- or one channel) within the story window: `link_key` is "ORIGIN LINK". Stories stored
-- before this migration have none, so no new report joins them by link.
ALTER TABLE stories ADD COLUMN link_key TEXT;
CREATE INDEX stories_link_key ON stories(link_key);

-- A channel's identity as its page showed it when first read: its title and, where the
-- page gives one, its numeric id. A new title is reported to admins; a new id means
-- another channel holds the name, and the source is paused until admins resume it.
ALTER TABLE sources ADD COLUMN channel_title TEXT;
ALTER TABLE sources ADD COLUMN channel_id INTEGER;

-- A pending alert that went over its chat's hourly budget for its source waits to be sent
-- with the chat's other such alerts, as one digest. `edited_at`: when the message was last
-- edited, so that the edits a growing story asks for are merged per interval.
ALTER TABLE outbox ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN edited_at REAL;
