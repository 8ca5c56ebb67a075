-- Projects, members and tasks: see the PostgreSQL migration of the same version.
CREATE TABLE projects (
    id                   BLOB PRIMARY KEY NOT NULL,
    tenant_id            BLOB NOT NULL,
    name                 TEXT NOT NULL,
    description          TEXT,
    status               TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    budget_amount_minor  INTEGER CHECK (budget_amount_minor >= 0),
    budget_currency      TEXT,
    owner_id             BLOB NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    deleted_at           TEXT,
    version              INTEGER NOT NULL,
    CHECK ((budget_amount_minor IS NULL) = (budget_currency IS NULL))
);
CREATE INDEX projects_tenant_created_idx ON projects (tenant_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX projects_tenant_name_idx ON projects (tenant_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX projects_tenant_updated_idx ON projects (tenant_id, updated_at, id) WHERE deleted_at IS NULL;

CREATE TABLE project_members (
    project_id BLOB NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    tenant_id  BLOB NOT NULL,
    user_id    BLOB NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('manager', 'contributor', 'viewer')),
    added_at   TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_tenant_user_idx ON project_members (tenant_id, user_id);

CREATE TABLE tasks (
    id               BLOB PRIMARY KEY NOT NULL,
    tenant_id        BLOB NOT NULL,
    project_id       BLOB NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description      TEXT,
    status           TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
    assignee_id      BLOB,
    due_date         TEXT,
    estimate_minutes INTEGER CHECK (estimate_minutes > 0),
    created_by       BLOB NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX tasks_project_created_idx ON tasks (tenant_id, project_id, created_at, id);
CREATE INDEX tasks_project_status_idx ON tasks (tenant_id, project_id, status, created_at, id);
CREATE INDEX tasks_assignee_idx ON tasks (tenant_id, assignee_id) WHERE assignee_id IS NOT NULL;
