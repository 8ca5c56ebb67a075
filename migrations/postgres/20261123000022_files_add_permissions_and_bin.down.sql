DROP TABLE IF EXISTS files.file_permissions;
ALTER TABLE files.files DROP COLUMN IF EXISTS deleted_at;
