-- Adds the optional column retry_of to a recon table: a run started with retry_failed_of names the
-- run it retries there, and GET /runs/{run_id} shows it. Safe to run more than once; old rows get NULL.
-- Without it the service keeps working (it writes only the columns a table has), but a retry run read
-- back from the recon table shows retry_of null.
--   RECON_TABLE=my-proj.audit.metrics_recon envsubst < deploy/sql/alter_recon_add_retry_of.sql | bq query --use_legacy_sql=false
ALTER TABLE `${RECON_TABLE}`
  ADD COLUMN IF NOT EXISTS retry_of STRING;
