DROP TABLE IF EXISTS tenancy.api_keys;
