ALTER TABLE files.files DROP COLUMN IF EXISTS folder_id;
DROP TABLE IF EXISTS files.folder_tree_locks;
DROP TABLE IF EXISTS files.folders;
