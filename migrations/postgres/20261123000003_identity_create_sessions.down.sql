DROP TABLE IF EXISTS identity.sessions;
