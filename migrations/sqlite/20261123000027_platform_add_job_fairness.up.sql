-- Fair turns in the job queue: see the PostgreSQL migration of the same version.
ALTER TABLE jobs ADD COLUMN fair_key TEXT;

CREATE TABLE job_fairness (
    fair_key        TEXT PRIMARY KEY NOT NULL,
    last_claimed_at TEXT NOT NULL
);
