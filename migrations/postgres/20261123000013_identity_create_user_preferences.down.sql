DROP TABLE IF EXISTS identity.user_preferences;
