DROP TABLE IF EXISTS identity.retired_refresh_tokens;
