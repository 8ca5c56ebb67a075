-- Every comment knows its thread (the top-level comment) and its depth, so a reply's
-- depth is bounded where it is written (issue 14: a 3,000-deep reply chain overflowed
-- the stack of every reader) and a page of threads is read without walking parents.
-- The backfill walks existing threads once, iteratively inside PostgreSQL, in the
-- platform scope so that row-level security lets it see every tenant's rows.
SELECT set_config('tenantry.tenant_id', '*', true);

ALTER TABLE projects.task_comments ADD COLUMN thread_id UUID, ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;

-- Each step of the backfill looks up replies by parent (and so do cascading deletes).
CREATE INDEX task_comments_parent_idx ON projects.task_comments (parent_id);

WITH RECURSIVE placed (id, thread_id, depth) AS (
    SELECT id, id, 0 FROM projects.task_comments WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, p.thread_id, p.depth + 1
    FROM projects.task_comments c JOIN placed p ON c.parent_id = p.id
)
UPDATE projects.task_comments t
SET thread_id = placed.thread_id, depth = placed.depth
FROM placed WHERE placed.id = t.id;

ALTER TABLE projects.task_comments
    ALTER COLUMN thread_id SET NOT NULL,
    ALTER COLUMN depth DROP DEFAULT,
    ADD CONSTRAINT task_comments_depth_check CHECK (depth >= 0);

CREATE INDEX task_comments_thread_idx ON projects.task_comments (tenant_id, task_id, thread_id, created_at);
