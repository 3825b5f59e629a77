import type { Logger } from 'pino';
import { assertReadOnlySql } from '../sql/read-only-sql.js';
import { tableReferences, type TableReference } from '../sql/table-references.js';
import type { QueryRequest, Warehouse } from '../warehouse/warehouse.js';
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
  /** The cost cap of each metric's query, integer bytes as text. */
  maxBytesBilled?: string;
  signal?: AbortSignal;
  logger: Logger;
}

/** A metric's query as the warehouse gets it, and the SQL it came from with its placeholders filled. */
export interface MetricQuery {
  request: QueryRequest;
  resolved: ResolvedSql;
}

/**
 * The query a metric runs (and a dry run checks): the read-only rule first,
 * so nothing else reaches the warehouse, then its placeholders resolved;
 * labelled for cost attribution and capped in the bytes it may bill. The
 * resolved {partition_info} date is known from here on, so the recon row
 * carries it whatever happens to the metric after.
 */
export async function metricQuery(metric: MetricDefinition, context: MetricExecutionContext): Promise<MetricQuery> {
  assertReadOnlySql(metric.sql);
  const resolved = await resolvePlaceholders(metric.sql, context.runDate, context.lookupPartitionDate);
  const { timeoutMs, signal, maxBytesBilled } = context;
  const request: QueryRequest = {
    sql: resolved.sql,
    timeoutMs,
    label: { runId: context.runId, metricId: metric.metric_id, env: context.env },
    ...(signal ? { signal } : {}),
    ...(maxBytesBilled !== undefined ? { maximumBytesBilled: maxBytesBilled } : {}),
  };
  return { request, resolved };
}

/**
 * Runs a metric's query with its timeout and applies the numeric rules.
 * Throws a categorised PipelineError on any failure; the caller records it.
 */
export async function queryMetricValues(metric: MetricDefinition, request: QueryRequest, context: MetricExecutionContext): Promise<MetricValues> {
  const result = await context.warehouse.query(request);
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
