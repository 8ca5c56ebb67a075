DROP TABLE IF EXISTS projects.task_comments;
DROP TABLE IF EXISTS projects.time_entries;
