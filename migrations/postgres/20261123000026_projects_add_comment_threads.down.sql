DROP INDEX IF EXISTS projects.task_comments_thread_idx;
DROP INDEX IF EXISTS projects.task_comments_parent_idx;
ALTER TABLE projects.task_comments DROP COLUMN IF EXISTS depth, DROP COLUMN IF EXISTS thread_id;
