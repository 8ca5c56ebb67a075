DROP TABLE IF EXISTS summary_applied_events;
DROP TABLE IF EXISTS project_summaries;
