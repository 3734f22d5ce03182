-- A source that failed often enough (or was turned off by failures) is marked, so that the
-- admins are told once when it answers again; resuming it by hand keeps the mark.
ALTER TABLE sources ADD COLUMN failing INTEGER NOT NULL DEFAULT 0;
