-- Where a session was opened from, for the owner's session list (nullable: older
-- sessions have none).
ALTER TABLE identity.sessions ADD COLUMN ip TEXT;
ALTER TABLE identity.sessions ADD COLUMN user_agent TEXT;
