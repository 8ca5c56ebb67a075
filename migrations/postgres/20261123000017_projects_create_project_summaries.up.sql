-- The project summary read model (CQRS): maintained from events, never computed per
-- request, rebuildable from the outbox (`tenantry rebuild-read-models`).
CREATE TABLE projects.project_summaries (
    project_id          UUID PRIMARY KEY,
    tenant_id           UUID        NOT NULL,
    todo                BIGINT      NOT NULL DEFAULT 0,
    in_progress         BIGINT      NOT NULL DEFAULT 0,
    done                BIGINT      NOT NULL DEFAULT 0,
    estimated_minutes   BIGINT      NOT NULL DEFAULT 0,
    logged_minutes      BIGINT      NOT NULL DEFAULT 0,
    budget_amount_minor BIGINT,
    budget_currency     TEXT,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_summaries_tenant_idx ON projects.project_summaries (tenant_id);

-- Events already applied: consumers are idempotent by event id.
CREATE TABLE projects.summary_applied_events (
    event_id UUID PRIMARY KEY
);
