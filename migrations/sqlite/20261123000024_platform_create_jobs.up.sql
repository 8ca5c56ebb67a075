-- The job queue: see the PostgreSQL migration of the same version (one writer at a
-- time on SQLite, so claims need no row locks).
CREATE TABLE jobs (
    id           BLOB    PRIMARY KEY NOT NULL,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       TEXT    NOT NULL,
    locked_until TEXT,
    last_error   TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_state_idx ON jobs (state, updated_at);

ALTER TABLE file_versions ADD COLUMN processing TEXT NOT NULL DEFAULT 'none';
ALTER TABLE file_versions ADD COLUMN thumbnail_sha256 TEXT;
