import { InvalidRunParametersError, type ErrorCategory } from '../errors.js';
import { missingReconColumns, RUN_ROW_ID } from '../pipeline/recon-rows.js';
import { runStatusOf } from '../pipeline/run-outcome.js';
import { parseTableRef, quoteTableRef, type TableRef } from '../table-ref.js';
import { ProjectUnavailableError, type Column, type QueryParameter, type Row, type Warehouse } from '../warehouse/warehouse.js';
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
  /** The first and last run_date listed, both included. */
  run_date_from?: string;
  run_date_to?: string;
  status?: RunStatus;
  limit: number;
  offset: number;
}

/**
 * Finished runs as the recon table records them, so any instance can answer
 * for a run another one executed. A recon table that does not exist yet
 * holds no runs; a table that is not a recon table, or one in a project the
 * warehouse cannot open, is a bad recon_table parameter.
 */
export class ReconRuns {
  constructor(private readonly warehouse: Warehouse) {}

  async get(reconTable: string, runId: string): Promise<RunDocument | undefined> {
    const rows = await this.#query(
      reconTable,
      (table, columns) => `SELECT source_system_id, Job_Name AS job_name, clcltn_ds, error_category, excldd_reason_tx,
        target_databs_nm, target_table_nm, load_ts, schdld_dt, source_server_nm, tolrnc_pc, rcncln_tolrnc_pass_in, ${retryOfColumn(columns)}
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
    const retryOf = rows.find((row) => typeof row.retry_of === 'string')?.retry_of ?? null;
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
        metric_ids: null,
        retry_failed_of: retryOf,
        only_missing: null,
      },
      counts: countsOf(metrics),
      metrics,
      run_failure: runFailure,
      retry_of: retryOf,
      accepted_at: null,
      started_at: null,
      finished_at: isoOfLoadTs(rows.at(-1)?.load_ts ?? null),
    };
  }

  /** Runs newest first; asks for one row more than the page to know whether another page follows. */
  async list(reconTable: string, filter: RunListFilter): Promise<RunPage> {
    const params: Record<string, QueryParameter> = { run_row: { type: 'STRING', value: RUN_ROW_ID } };
    const dateConditions = DATE_FILTERS.flatMap(([name, comparison]) => {
      const value = filter[name];
      if (value === undefined) return [];
      params[name] = { type: 'DATE', value };
      return [` AND schdld_dt ${comparison} @${name}`];
    });
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
          WHERE run_id IS NOT NULL${dateConditions.join('')}
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

  /**
   * The metric ids with a Passed row per run_date from `first` to `last`, from
   * any run and any env: what only_missing leaves out.
   */
  async passedMetricIds(reconTable: string, first: string, last: string): Promise<Map<string, Set<string>>> {
    const rows = await this.#query(
      reconTable,
      (table) => `SELECT DISTINCT CAST(schdld_dt AS STRING) AS run_date, source_system_id FROM ${table}
        WHERE schdld_dt BETWEEN @first AND @last AND clcltn_ds = 'Success' AND source_system_id <> @run_row`,
      { first: { type: 'DATE', value: first }, last: { type: 'DATE', value: last }, run_row: { type: 'STRING', value: RUN_ROW_ID } },
    );
    const passed = new Map<string, Set<string>>();
    for (const row of rows) {
      // The WHERE clause rules out NULL dates and metric ids.
      const date = String(row.run_date);
      passed.set(date, (passed.get(date) ?? new Set()).add(String(row.source_system_id)));
    }
    return passed;
  }

  async #query(reconTable: string, sql: (table: string, columns: Column[]) => string, params: Record<string, QueryParameter>): Promise<Row[]> {
    const ref = parseTableRef(reconTable);
    const columns = await this.#columns(ref);
    if (columns === undefined) return [];
    const missing = missingReconColumns(columns);
    if (missing.length > 0) throw badReconTable(`${reconTable} is not a recon table: it lacks the column(s) ${missing.join(', ')}`);
    const result = await this.warehouse.query({ sql: sql(quoteTableRef(ref), columns), params, timeoutMs: READ_TIMEOUT_MS });
    return result.rows;
  }

  async #columns(ref: TableRef): Promise<Column[] | undefined> {
    try {
      return await this.warehouse.getTableSchema(ref);
    } catch (error) {
      if (error instanceof ProjectUnavailableError) throw badReconTable(error.message);
      throw error;
    }
  }
}

function badReconTable(reason: string): InvalidRunParametersError {
  return new InvalidRunParametersError([{ field: 'recon_table', reason }]);
}

/** The run_date filters of a listing and how each compares. */
const DATE_FILTERS = [
  ['run_date', '='],
  ['run_date_from', '>='],
  ['run_date_to', '<='],
] as const;

/** retry_of is optional in the recon table (older tables lack it): NULL when it is not there. */
function retryOfColumn(columns: Column[]): string {
  return columns.some((column) => column.name.toLowerCase() === 'retry_of') ? 'retry_of' : 'CAST(NULL AS STRING) AS retry_of';
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
