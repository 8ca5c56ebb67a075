CREATE TABLE permissions (
    key         TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE roles (
    name        TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE role_permissions (
    role_name      TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
    permission_key TEXT NOT NULL REFERENCES permissions (key) ON DELETE CASCADE,
    PRIMARY KEY (role_name, permission_key)
);
