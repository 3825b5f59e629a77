import type { Logger } from 'pino';
import { assertReadOnlySql } from '../sql/read-only-sql.js';
import { tableReferences, type TableReference } from '../sql/table-references.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { MetricDefinition } from './metric-config.js';
import { metricValues, type MetricValues } from './metric-values.js';
import { resolvePlaceholders, type PartitionDateLookup, type ResolvedSql } from './placeholders.js';

export interface MetricExecutionContext {
  warehouse: Warehouse;
  runId: string;
  runDate: string;
  env: string;
  lookupPartitionDate: PartitionDateLookup;
  timeoutMs: number;
  signal?: AbortSignal;
  logger: Logger;
}

/**
 * A metric's SQL ready to run: the read-only rule checked and placeholders
 * resolved. The resolved {partition_info} date is known from here on, so the
 * recon row carries it whatever happens to the metric after.
 */
export async function prepareMetricSql(metric: MetricDefinition, context: MetricExecutionContext): Promise<ResolvedSql> {
  assertReadOnlySql(metric.sql);
  return resolvePlaceholders(metric.sql, context.runDate, context.lookupPartitionDate);
}

/**
 * Runs a metric's prepared SQL with its timeout and applies the numeric
 * rules. Throws a categorised PipelineError on any failure; the caller records it.
 */
export async function queryMetricValues(metric: MetricDefinition, sql: string, context: MetricExecutionContext): Promise<MetricValues> {
  const result = await context.warehouse.query({
    sql,
    timeoutMs: context.timeoutMs,
    label: { runId: context.runId, metricId: metric.metric_id, env: context.env },
    ...(context.signal ? { signal: context.signal } : {}),
  });
  if (result.bytesProcessed !== undefined) {
    context.logger.info({ metric_id: metric.metric_id, bytes_processed: result.bytesProcessed }, 'metric query scanned');
  }
  const values = metricValues(result.columns, result.rows);
  for (const warning of values.warnings) context.logger.warn({ metric_id: metric.metric_id }, warning);
  return values;
}

/** The table the SQL reads first, for the recon row; undefined when none can be told. */
export function sourceTableOf(sql: string): TableReference | undefined {
  try {
    return tableReferences(sql)[0];
  } catch {
    return undefined;
  }
}
