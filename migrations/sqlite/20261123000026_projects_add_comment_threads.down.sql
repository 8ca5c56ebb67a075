DROP INDEX IF EXISTS task_comments_thread_idx;
DROP INDEX IF EXISTS task_comments_parent_idx;
ALTER TABLE task_comments DROP COLUMN depth;
ALTER TABLE task_comments DROP COLUMN thread_id;
