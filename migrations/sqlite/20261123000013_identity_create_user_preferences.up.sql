-- User preferences: see the PostgreSQL migration of the same version.
CREATE TABLE user_preferences (
    user_id    BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    document   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
