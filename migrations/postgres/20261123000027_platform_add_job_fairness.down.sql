DROP TABLE IF EXISTS platform.job_fairness;
ALTER TABLE platform.jobs DROP COLUMN IF EXISTS fair_key;
