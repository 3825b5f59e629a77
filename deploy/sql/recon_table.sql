-- The recon (audit) table of docs/contract.md#recon-rows, with the columns the service added: run_id,
-- error_category, and the optional retry_of (the run a retry run retried).
-- ${RECON_TABLE} is project.dataset.table; fill it in and run with the bq CLI:
--   RECON_TABLE=my-proj.audit.metrics_recon envsubst < deploy/sql/recon_table.sql | bq query --use_legacy_sql=false
-- Partitioned by the run date (schdld_dt) so "failures for a date" reads one partition; clustered by
-- metric (source_system_id) so "latest run per metric" reads few blocks. No partition filter is
-- required: GET /runs/{run_id} looks a run up by run_id alone.
CREATE TABLE IF NOT EXISTS `${RECON_TABLE}` (
  module_id STRING,
  module_type_nm STRING,
  source_databs_nm STRING,
  source_table_nm STRING,
  source_column_nm STRING,
  source_file_nm STRING,
  source_contrl_file_nm STRING,
  source_server_nm STRING,
  target_server_nm STRING,
  target_databs_nm STRING,
  target_table_nm STRING,
  target_column_nm STRING,
  target_file_nm STRING,
  target_contrl_file_nm STRING,
  source_vl STRING,
  target_vl STRING,
  excldd_vl STRING,
  clcltn_ds STRING,
  excldd_reason_tx STRING,
  tolrnc_pc STRING,
  rcncln_tolrnc_pass_in STRING,
  rcncln_exact_pass_in STRING,
  latest_source_parttn_dt STRING,
  latest_target_parttn_dt STRING,
  load_ts STRING,
  schdld_dt DATE,
  source_system_id STRING,
  schdld_yr INT64,
  Job_Name STRING,
  run_id STRING,
  error_category STRING,
  retry_of STRING
)
PARTITION BY schdld_dt
CLUSTER BY source_system_id
OPTIONS (description = 'Metrics pipeline recon (audit) rows: one per attempted metric per run, or one __run__ row per failed run');
