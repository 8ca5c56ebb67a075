ALTER TABLE identity.sessions DROP COLUMN IF EXISTS user_agent;
ALTER TABLE identity.sessions DROP COLUMN IF EXISTS ip;
