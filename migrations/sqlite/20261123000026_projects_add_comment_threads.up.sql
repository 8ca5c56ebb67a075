-- Comment threads and depths: see the PostgreSQL migration of the same version.
-- SQLite cannot add a NOT NULL column without a default: the empty placeholder is
-- replaced for every row by the backfill.
ALTER TABLE task_comments ADD COLUMN thread_id BLOB NOT NULL DEFAULT x'';
ALTER TABLE task_comments ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;

-- Each step of the backfill looks up replies by parent (and so do cascading deletes).
CREATE INDEX task_comments_parent_idx ON task_comments (parent_id);

WITH RECURSIVE placed (id, thread_id, depth) AS (
    SELECT id, id, 0 FROM task_comments WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, p.thread_id, p.depth + 1
    FROM task_comments c JOIN placed p ON c.parent_id = p.id
)
UPDATE task_comments
SET thread_id = placed.thread_id, depth = placed.depth
FROM placed WHERE placed.id = task_comments.id;

CREATE INDEX task_comments_thread_idx ON task_comments (tenant_id, task_id, thread_id, created_at);
