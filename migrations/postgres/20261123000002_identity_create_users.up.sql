CREATE TABLE identity.users (
    id                UUID PRIMARY KEY,
    email             TEXT        NOT NULL,
    display_name      TEXT        NOT NULL,
    password_hash     TEXT        NOT NULL,
    is_platform_admin BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    version           BIGINT      NOT NULL DEFAULT 1,
    -- Emails are stored normalised (lower case), so a plain unique index is exact.
    CONSTRAINT users_email_key UNIQUE (email)
);
