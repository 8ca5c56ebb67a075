ALTER TABLE file_versions DROP COLUMN thumbnail_sha256;
ALTER TABLE file_versions DROP COLUMN processing;
DROP TABLE IF EXISTS jobs;
