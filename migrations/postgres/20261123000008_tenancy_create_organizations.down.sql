DROP TABLE IF EXISTS tenancy.memberships;
DROP TABLE IF EXISTS tenancy.organizations;
