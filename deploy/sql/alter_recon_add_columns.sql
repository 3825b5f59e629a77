-- Migrates a recon table created by the PySpark job: adds the two columns the service writes.
-- Safe to run more than once. Old rows get NULL in both; the service keeps working on a table
-- without them (it drops columns a table lacks), but GET /runs needs run_id to find runs.
--   RECON_TABLE=my-proj.audit.metrics_recon envsubst < deploy/sql/alter_recon_add_columns.sql | bq query --use_legacy_sql=false
ALTER TABLE `${RECON_TABLE}`
  ADD COLUMN IF NOT EXISTS run_id STRING,
  ADD COLUMN IF NOT EXISTS error_category STRING;
