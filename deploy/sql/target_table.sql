-- A metrics target table of docs/contract.md#target-rows. ${TARGET_TABLE} is project.dataset.table:
--   TARGET_TABLE=my-proj.metrics.transaction_metrics envsubst < deploy/sql/target_table.sql | bq query --use_legacy_sql=false
-- NUMERIC is BigQuery's NUMERIC(38, 9): 29 integer digits, 9 decimals.
-- partition_dt stays STRING (the contract, and the PySpark job's tables): BigQuery cannot partition by
-- a STRING column, so the table is clustered instead. Every overwrite deletes by (metric_id, partition_dt)
-- and dashboards read by metric and date, so clustering on those two keys prunes the blocks both touch.
-- (Partitioning by DATE(pipeline_execution_ts) would not help: a rerun writes a key's row into a new
-- partition, and the DELETE by key would still scan every partition.)
CREATE TABLE IF NOT EXISTS `${TARGET_TABLE}` (
  metric_id STRING,
  metric_name STRING,
  metric_type STRING,
  numerator_value NUMERIC,
  denominator_value NUMERIC,
  metric_output NUMERIC,
  business_data_date STRING,
  partition_dt STRING,
  pipeline_execution_ts TIMESTAMP,
  run_id STRING
)
CLUSTER BY metric_id, partition_dt
OPTIONS (description = 'Metrics pipeline output: one row per (metric_id, partition_dt); partition_dt is the run_date');
