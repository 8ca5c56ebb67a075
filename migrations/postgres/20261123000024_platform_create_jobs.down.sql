ALTER TABLE files.file_versions DROP COLUMN IF EXISTS thumbnail_sha256;
ALTER TABLE files.file_versions DROP COLUMN IF EXISTS processing;
DROP TABLE IF EXISTS platform.jobs;
