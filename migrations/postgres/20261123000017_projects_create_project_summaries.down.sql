DROP TABLE IF EXISTS projects.summary_applied_events;
DROP TABLE IF EXISTS projects.project_summaries;
