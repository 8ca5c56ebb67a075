DROP TABLE IF EXISTS job_fairness;
ALTER TABLE jobs DROP COLUMN fair_key;
