import { categoryOf, PipelineError } from '../errors.js';
import { parseTableRef, quoteTableRef } from '../table-ref.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { MetricDefinition } from './metric-config.js';
import type { EarlierValues } from './tolerance.js';

const NEEDED_COLUMNS = ['metric_id', 'partition_dt', 'metric_output'];

export interface HistoryRequest {
  warehouse: Warehouse;
  /** The target table: project.dataset.table. */
  table: string;
  /** The metrics of that table with a tolerance. */
  metrics: MetricDefinition[];
  /** Only partition dates before it count: a backfill or rerun never compares against the date it writes. */
  runDate: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The earlier metric_output values of a target table's metrics, read in ONE
 * query per table and run, however many metrics it holds. Never rejects: a
 * failed read is kept and answered for each metric, which fails or not by
 * its severity.
 */
export class ToleranceHistory {
  private constructor(private readonly values: Map<string, (string | null)[]> | PipelineError) {}

  static async read(request: HistoryRequest): Promise<ToleranceHistory> {
    try {
      return new ToleranceHistory(await readEarlierValues(request));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return new ToleranceHistory(new PipelineError(categoryOf(error, 'SQL_EXECUTION_ERROR'), `Reading ${request.table} failed: ${message}`));
    }
  }

  /** The metric's values at earlier partition dates, the latest first. */
  earlierValues(metricId: string): EarlierValues {
    return this.values instanceof PipelineError ? this.values : (this.values.get(metricId) ?? []);
  }
}

async function readEarlierValues(request: HistoryRequest): Promise<Map<string, (string | null)[]>> {
  const { warehouse, metrics, runDate, timeoutMs, signal } = request;
  const table = parseTableRef(request.table);
  const columns = new Set((await warehouse.getTableSchema(table))?.map((column) => column.name.toLowerCase()));
  // A table not created yet, or without these columns, holds no history: every check is 'NA'.
  if (!NEEDED_COLUMNS.every((name) => columns.has(name))) return new Map();
  // Reruns keep one row per (metric_id, partition_dt); older tables may hold more, and the latest written counts.
  const order = columns.has('pipeline_execution_ts') ? 'partition_dt DESC, pipeline_execution_ts DESC' : 'partition_dt DESC';
  const result = await warehouse.query({
    sql: `SELECT metric_id, metric_output FROM (
        SELECT metric_id, metric_output, ROW_NUMBER() OVER (PARTITION BY metric_id ORDER BY ${order}) AS position
        FROM ${quoteTableRef(table)}
        WHERE metric_id IN (SELECT * FROM UNNEST(@metric_ids)) AND CAST(partition_dt AS STRING) < @run_date
      ) AS history
      WHERE position <= @depth
      ORDER BY metric_id, position`,
    // One array parameter, however many metrics: BigQuery takes at most 10,000 parameters per query.
    params: {
      metric_ids: { type: 'ARRAY<STRING>', values: metrics.map((metric) => metric.metric_id) },
      run_date: { type: 'STRING', value: runDate },
      depth: { type: 'INT64', value: String(Math.max(...metrics.map((metric) => metric.tolerance?.values ?? 1))) },
    },
    timeoutMs,
    ...(signal ? { signal } : {}),
  });
  const values = new Map<string, (string | null)[]>();
  for (const row of result.rows) {
    const id = row.metric_id ?? '';
    values.set(id, [...(values.get(id) ?? []), row.metric_output ?? null]);
  }
  return values;
}
