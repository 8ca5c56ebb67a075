DROP TABLE IF EXISTS projects.tasks;
DROP TABLE IF EXISTS projects.project_members;
DROP TABLE IF EXISTS projects.projects;
DROP SCHEMA IF EXISTS projects;
