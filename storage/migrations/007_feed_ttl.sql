-- A feed's RSS <ttl> (minutes), kept so that a poll answered 304 still honours it: the 304
-- has no body to read it from.
ALTER TABLE sources ADD COLUMN ttl_minutes INTEGER;
