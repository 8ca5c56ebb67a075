-- Each user's free-form settings document (a bounded JSON object, checked by the domain).
CREATE TABLE identity.user_preferences (
    user_id    UUID PRIMARY KEY REFERENCES identity.users (id) ON DELETE CASCADE,
    document   JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
