-- Several instances on one database (issue 13): the PostgreSQL twin of
-- storage/migrations/012_instances.sql (same tables, PostgreSQL's types). Not run yet:
-- the PostgreSQL backend applies it once it lands.
CREATE TABLE leases (
    name        TEXT             PRIMARY KEY,
    holder      TEXT,
    epoch       BIGINT           NOT NULL DEFAULT 0,
    expires_at  DOUBLE PRECISION NOT NULL DEFAULT 0
);
INSERT INTO leases (name) VALUES ('sender');

CREATE TABLE instances (
    id          TEXT             PRIMARY KEY,
    started_at  DOUBLE PRECISION NOT NULL,
    expires_at  DOUBLE PRECISION NOT NULL
);

ALTER TABLE sources ADD COLUMN poll_holder TEXT;
