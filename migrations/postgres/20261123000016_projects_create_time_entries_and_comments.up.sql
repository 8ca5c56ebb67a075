-- Time logged on tasks and threaded comments (seed 004: tasks with time tracking,
-- task_comments). Tenant-scoped like every projects table.
CREATE TABLE projects.time_entries (
    id         UUID PRIMARY KEY,
    tenant_id  UUID        NOT NULL,
    project_id UUID        NOT NULL REFERENCES projects.projects (id) ON DELETE CASCADE,
    task_id    UUID        NOT NULL REFERENCES projects.tasks (id) ON DELETE CASCADE,
    user_id    UUID        NOT NULL,
    minutes    INTEGER     NOT NULL CHECK (minutes > 0),
    note       TEXT,
    spent_on   DATE        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX time_entries_task_idx ON projects.time_entries (tenant_id, task_id, spent_on);

CREATE TABLE projects.task_comments (
    id         UUID PRIMARY KEY,
    tenant_id  UUID        NOT NULL,
    task_id    UUID        NOT NULL REFERENCES projects.tasks (id) ON DELETE CASCADE,
    parent_id  UUID REFERENCES projects.task_comments (id) ON DELETE CASCADE,
    author_id  UUID        NOT NULL,
    body       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX task_comments_task_idx ON projects.task_comments (tenant_id, task_id, created_at);
