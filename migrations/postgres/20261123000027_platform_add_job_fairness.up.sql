-- Fair turns in the job queue (issue 14: one tenant's large images delayed every
-- tenant's thumbnails). A job may name the key it is fair to (the tenant it works
-- for); claims go to the key served longest ago, so a backlog of one key waits
-- behind at most one job of every other key. Not a visibility scope: the queue is
-- platform-wide and its handlers work in the payload's tenant.
ALTER TABLE platform.jobs ADD COLUMN fair_key TEXT;

CREATE TABLE platform.job_fairness (
    fair_key        TEXT        PRIMARY KEY,
    last_claimed_at TIMESTAMPTZ NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON platform.job_fairness TO tenantry_app;
