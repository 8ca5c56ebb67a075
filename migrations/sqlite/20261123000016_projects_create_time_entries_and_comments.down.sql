DROP TABLE IF EXISTS task_comments;
DROP TABLE IF EXISTS time_entries;
