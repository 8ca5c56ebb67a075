-- The durable job queue: background work written in the transaction that asked
-- for it, claimed by workers with FOR UPDATE SKIP LOCKED, retried with backoff and
-- dead-lettered after its last attempt. Platform-wide: a job's tenant, when it has
-- one, is in its payload and its handler works inside that tenant's scope.
CREATE TABLE platform.jobs (
    id           UUID        PRIMARY KEY,
    kind         TEXT        NOT NULL,
    payload      JSONB       NOT NULL,
    state        TEXT        NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     BIGINT      NOT NULL DEFAULT 0,
    max_attempts BIGINT      NOT NULL,
    run_at       TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due_idx ON platform.jobs (run_at) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_state_idx ON platform.jobs (state, updated_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON platform.jobs TO tenantry_app;

-- Background processing of each version (thumbnails of images).
ALTER TABLE files.file_versions ADD COLUMN processing TEXT NOT NULL DEFAULT 'none';
ALTER TABLE files.file_versions ADD COLUMN thumbnail_sha256 TEXT;
