import type { Column, Row } from '../warehouse/warehouse.js';
import type { MetricDefinition } from './metric-config.js';
import type { MetricValues } from './metric-values.js';

/** The target table schema of docs/contract.md#target-rows, used to create it in embedded mode. */
export const TARGET_COLUMNS: Column[] = [
  { name: 'metric_id', type: 'STRING' },
  { name: 'metric_name', type: 'STRING' },
  { name: 'metric_type', type: 'STRING' },
  { name: 'numerator_value', type: 'NUMERIC' },
  { name: 'denominator_value', type: 'NUMERIC' },
  { name: 'metric_output', type: 'NUMERIC' },
  { name: 'business_data_date', type: 'STRING' },
  { name: 'partition_dt', type: 'STRING' },
  { name: 'pipeline_execution_ts', type: 'TIMESTAMP' },
  { name: 'run_id', type: 'STRING' },
];

/** A rerun of the same run_date replaces exactly these keys. */
export const TARGET_KEY_COLUMNS = ['metric_id', 'partition_dt'];

export function targetRow(metric: MetricDefinition, values: MetricValues, runDate: string, runId: string, writtenAt: Date): Row {
  return {
    metric_id: metric.metric_id,
    metric_name: metric.metric_name,
    metric_type: metric.metric_type,
    numerator_value: values.numerator_value,
    denominator_value: values.denominator_value,
    metric_output: values.metric_output,
    business_data_date: values.business_data_date,
    partition_dt: runDate,
    pipeline_execution_ts: writtenAt.toISOString(),
    run_id: runId,
  };
}
