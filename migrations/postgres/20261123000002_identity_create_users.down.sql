DROP TABLE IF EXISTS identity.users;
