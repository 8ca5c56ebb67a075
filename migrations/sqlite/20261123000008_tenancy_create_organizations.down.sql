DROP TABLE IF EXISTS memberships;
DROP TABLE IF EXISTS organizations;
