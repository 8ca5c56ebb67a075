-- The project summary read model: see the PostgreSQL migration of the same version.
CREATE TABLE project_summaries (
    project_id          BLOB PRIMARY KEY NOT NULL,
    tenant_id           BLOB NOT NULL,
    todo                INTEGER NOT NULL DEFAULT 0,
    in_progress         INTEGER NOT NULL DEFAULT 0,
    done                INTEGER NOT NULL DEFAULT 0,
    estimated_minutes   INTEGER NOT NULL DEFAULT 0,
    logged_minutes      INTEGER NOT NULL DEFAULT 0,
    budget_amount_minor INTEGER,
    budget_currency     TEXT,
    updated_at          TEXT NOT NULL
);
CREATE INDEX project_summaries_tenant_idx ON project_summaries (tenant_id);

CREATE TABLE summary_applied_events (
    event_id BLOB PRIMARY KEY NOT NULL
);
