-- seed 002: roles are sets of `resource:action` permissions.
CREATE TABLE tenancy.permissions (
    key         TEXT PRIMARY KEY,
    description TEXT NOT NULL
);
CREATE TABLE tenancy.roles (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL
);
CREATE TABLE tenancy.role_permissions (
    role_name      TEXT NOT NULL REFERENCES tenancy.roles (name) ON DELETE CASCADE,
    permission_key TEXT NOT NULL REFERENCES tenancy.permissions (key) ON DELETE CASCADE,
    PRIMARY KEY (role_name, permission_key)
);
