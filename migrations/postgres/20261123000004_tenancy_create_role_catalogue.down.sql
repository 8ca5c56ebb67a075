DROP TABLE IF EXISTS tenancy.role_permissions;
DROP TABLE IF EXISTS tenancy.roles;
DROP TABLE IF EXISTS tenancy.permissions;
