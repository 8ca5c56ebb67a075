DROP TABLE IF EXISTS file_permissions;
ALTER TABLE files DROP COLUMN deleted_at;
