DROP TABLE IF EXISTS identity.login_throttles;
DROP TABLE IF EXISTS identity.account_tokens;
ALTER TABLE identity.users DROP COLUMN IF EXISTS email_verified_at;
