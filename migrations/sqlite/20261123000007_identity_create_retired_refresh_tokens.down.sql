DROP TABLE IF EXISTS retired_refresh_tokens;
