import type { ErrorCategory } from '../errors.js';
import { RUN_ROW_ID } from '../pipeline/recon-rows.js';
import { runStatusOf } from '../pipeline/run-outcome.js';
import { parseTableRef, quoteTableRef } from '../table-ref.js';
import type { QueryParameter, Row, Warehouse } from '../warehouse/warehouse.js';
import { countsOf, type MetricEntry, type RunDocument, type RunStatus, type RunSummary } from './run-document.js';

/** Reads answer an HTTP request: far shorter than a metric's query timeout. */
const READ_TIMEOUT_MS = 30_000;

export interface RunPage {
  runs: RunSummary[];
  /** The offset of the next page of finished runs; null on the last. */
  next_offset: number | null;
}

export interface RunListFilter {
  run_date?: string;
  status?: RunStatus;
  limit: number;
  offset: number;
}

/**
 * Finished runs as the recon table records them, so any instance can answer
 * for a run another one executed. A recon table that does not exist yet
 * holds no runs.
 */
export class ReconRuns {
  constructor(private readonly warehouse: Warehouse) {}

  async get(reconTable: string, runId: string): Promise<RunDocument | undefined> {
    const rows = await this.#query(
      reconTable,
      (table) => `SELECT source_system_id, Job_Name AS job_name, clcltn_ds, error_category, excldd_reason_tx,
        target_databs_nm, target_table_nm, load_ts, schdld_dt, source_server_nm, tolrnc_pc, rcncln_tolrnc_pass_in
        FROM ${table} WHERE run_id = @run_id ORDER BY load_ts, source_system_id`,
      { run_id: { type: 'STRING', value: runId } },
    );
    const first = rows[0];
    if (first === undefined) return undefined;
    const runRow = rows.find((row) => row.source_system_id === RUN_ROW_ID);
    const metrics = rows.filter((row) => row !== runRow).map(metricEntryOfRow);
    const runFailure = runRow
      ? { error_category: (runRow.error_category ?? 'UNKNOWN_ERROR') as ErrorCategory, reason: runRow.excldd_reason_tx ?? '' }
      : null;
    return {
      run_id: runId,
      status: runStatusOf(metrics, runFailure),
      source: 'recon_table',
      parameters: {
        gcs_path: runRow?.job_name ?? null,
        run_date: first.schdld_dt ?? '',
        dependencies: null,
        partition_info_table: null,
        env: first.source_server_nm ?? '',
        recon_table: reconTable,
      },
      counts: countsOf(metrics),
      metrics,
      run_failure: runFailure,
      accepted_at: null,
      started_at: null,
      finished_at: isoOfLoadTs(rows.at(-1)?.load_ts ?? null),
    };
  }

  /** Runs newest first; asks for one row more than the page to know whether another page follows. */
  async list(reconTable: string, filter: RunListFilter): Promise<RunPage> {
    const params: Record<string, QueryParameter> = { run_row: { type: 'STRING', value: RUN_ROW_ID } };
    if (filter.run_date !== undefined) params.run_date = { type: 'DATE', value: filter.run_date };
    if (filter.status !== undefined) params.status = { type: 'STRING', value: filter.status };
    // The status rule is runStatusOf's, in SQL so that filtering and paging happen in the warehouse.
    const rows = await this.#query(
      reconTable,
      (table) => `SELECT * FROM (
        SELECT run_id, run_date, env, finished_at, metrics, passed,
          CASE WHEN run_failures > 0 THEN 'failed' WHEN passed = metrics THEN 'succeeded'
               WHEN passed = 0 THEN 'failed' ELSE 'partial' END AS status
        FROM (
          SELECT run_id, MAX(schdld_dt) AS run_date, MAX(source_server_nm) AS env, MAX(load_ts) AS finished_at,
            SUM(CASE WHEN source_system_id = @run_row THEN 0 ELSE 1 END) AS metrics,
            SUM(CASE WHEN source_system_id <> @run_row AND clcltn_ds = 'Success' THEN 1 ELSE 0 END) AS passed,
            SUM(CASE WHEN source_system_id = @run_row THEN 1 ELSE 0 END) AS run_failures
          FROM ${table}
          WHERE run_id IS NOT NULL${filter.run_date !== undefined ? ' AND schdld_dt = @run_date' : ''}
          GROUP BY run_id
        ) AS runs
      ) AS summaries
      ${filter.status !== undefined ? 'WHERE status = @status' : ''}
      ORDER BY finished_at DESC, run_id DESC
      LIMIT ${integer(filter.limit + 1)} OFFSET ${integer(filter.offset)}`,
      params,
    );
    const page = rows.slice(0, filter.limit).map(summaryOfRow);
    return { runs: page, next_offset: rows.length > filter.limit ? filter.offset + filter.limit : null };
  }

  async #query(reconTable: string, sql: (table: string) => string, params: Record<string, QueryParameter>): Promise<Row[]> {
    const ref = parseTableRef(reconTable);
    if ((await this.warehouse.getTableSchema(ref)) === undefined) return [];
    const result = await this.warehouse.query({ sql: sql(quoteTableRef(ref)), params, timeoutMs: READ_TIMEOUT_MS });
    return result.rows;
  }
}

function metricEntryOfRow(row: Row): MetricEntry {
  return {
    metric_id: row.source_system_id ?? '',
    metric_name: row.job_name ?? '',
    status: row.clcltn_ds === 'Success' ? 'Passed' : 'Failed',
    error_category: row.error_category ?? null,
    reason: row.excldd_reason_tx ?? null,
    target_table: `${row.target_databs_nm ?? ''}.${row.target_table_nm ?? ''}`,
    started_at: null,
    finished_at: isoOfLoadTs(row.load_ts ?? null),
    duration_ms: null,
    tolerance: toleranceOfRow(row),
  };
}

/** The recon table keeps a tolerance's limit and outcome; baseline and change are only in the reason of a breach. */
function toleranceOfRow(row: Row): MetricEntry['tolerance'] {
  const limit = row.tolrnc_pc ?? 'NA';
  if (limit === 'NA') return null;
  const outcome = row.rcncln_tolrnc_pass_in;
  return { baseline: null, change_pct: null, limit_pct: limit, outcome: outcome === 'Passed' || outcome === 'Failed' ? outcome : 'NA' };
}

function summaryOfRow(row: Row): RunSummary {
  const metrics = Number(row.metrics);
  const passed = Number(row.passed);
  return {
    run_id: row.run_id ?? '',
    status: row.status as RunSummary['status'],
    run_date: row.run_date ?? '',
    env: row.env ?? '',
    finished_at: isoOfLoadTs(row.finished_at ?? null),
    counts: { metrics, passed, failed: metrics - passed, pending: 0 },
  };
}

/** The recon table's 'YYYY-MM-DD HH:MM:SS' (UTC) as ISO 8601. */
function isoOfLoadTs(loadTs: string | null): string | null {
  return loadTs === null ? null : `${loadTs.replace(' ', 'T')}Z`;
}

/** LIMIT and OFFSET take literals; the values are schema-checked integers, asserted again here. */
function integer(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`Not a non-negative integer: ${value}`);
  return String(value);
}
