DROP TABLE IF EXISTS tenancy.invitations;
