DROP INDEX IF EXISTS files_folder_idx;
ALTER TABLE files DROP COLUMN folder_id;
DROP TABLE IF EXISTS folder_tree_locks;
DROP TABLE IF EXISTS folders;
