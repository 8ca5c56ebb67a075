-- The projects context (seed 004 project-management schema): tenant-scoped projects
-- with members and tasks. Every row carries tenant_id, and every query filters by it.
CREATE SCHEMA IF NOT EXISTS projects;

CREATE TABLE projects.projects (
    id                   UUID PRIMARY KEY,
    tenant_id            UUID        NOT NULL,
    name                 TEXT        NOT NULL,
    description          TEXT,
    status               TEXT        NOT NULL CHECK (status IN ('active', 'archived')),
    budget_amount_minor  BIGINT CHECK (budget_amount_minor >= 0),
    budget_currency      TEXT,
    owner_id             UUID        NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    deleted_at           TIMESTAMPTZ,
    version              BIGINT      NOT NULL,
    CHECK ((budget_amount_minor IS NULL) = (budget_currency IS NULL))
);
-- Lists are per tenant, live rows only, in one of three orders.
CREATE INDEX projects_tenant_created_idx ON projects.projects (tenant_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX projects_tenant_name_idx ON projects.projects (tenant_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX projects_tenant_updated_idx ON projects.projects (tenant_id, updated_at, id) WHERE deleted_at IS NULL;

CREATE TABLE projects.project_members (
    project_id UUID        NOT NULL REFERENCES projects.projects (id) ON DELETE CASCADE,
    tenant_id  UUID        NOT NULL,
    user_id    UUID        NOT NULL,
    role       TEXT        NOT NULL CHECK (role IN ('manager', 'contributor', 'viewer')),
    added_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_tenant_user_idx ON projects.project_members (tenant_id, user_id);

CREATE TABLE projects.tasks (
    id               UUID PRIMARY KEY,
    tenant_id        UUID        NOT NULL,
    project_id       UUID        NOT NULL REFERENCES projects.projects (id) ON DELETE CASCADE,
    title            TEXT        NOT NULL,
    description      TEXT,
    status           TEXT        NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
    assignee_id      UUID,
    due_date         DATE,
    estimate_minutes INTEGER CHECK (estimate_minutes > 0),
    created_by       UUID        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT      NOT NULL
);
-- A page of a project's tasks, filtered by status and/or assignee, newest first.
CREATE INDEX tasks_project_created_idx ON projects.tasks (tenant_id, project_id, created_at, id);
CREATE INDEX tasks_project_status_idx ON projects.tasks (tenant_id, project_id, status, created_at, id);
CREATE INDEX tasks_assignee_idx ON projects.tasks (tenant_id, assignee_id) WHERE assignee_id IS NOT NULL;
