CREATE TABLE users (
    id                BLOB PRIMARY KEY NOT NULL,
    email             TEXT    NOT NULL,
    display_name      TEXT    NOT NULL,
    password_hash     TEXT    NOT NULL,
    is_platform_admin INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT users_email_key UNIQUE (email)
);
