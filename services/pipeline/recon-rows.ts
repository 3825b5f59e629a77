import type { ErrorCategory } from '../errors.js';
import type { RunFailure } from './run-outcome.js';
import { parseTableRef } from '../table-ref.js';
import type { Column, Row } from '../warehouse/warehouse.js';
import type { RunParameters } from './run-parameters.js';
import type { ToleranceCheck } from './tolerance.js';

/** The recon (audit) table of docs/contract.md#recon-rows; used to create it in embedded mode. */
export const RECON_COLUMNS: Column[] = [
  ...[
    'module_id', 'module_type_nm', 'source_databs_nm', 'source_table_nm', 'source_column_nm', 'source_file_nm',
    'source_contrl_file_nm', 'source_server_nm', 'target_server_nm', 'target_databs_nm', 'target_table_nm',
    'target_column_nm', 'target_file_nm', 'target_contrl_file_nm', 'source_vl', 'target_vl', 'excldd_vl',
    'clcltn_ds', 'excldd_reason_tx', 'tolrnc_pc', 'rcncln_tolrnc_pass_in', 'rcncln_exact_pass_in',
    'latest_source_parttn_dt', 'latest_target_parttn_dt', 'load_ts',
  ].map((name): Column => ({ name, type: 'STRING' })),
  { name: 'schdld_dt', type: 'DATE' },
  { name: 'source_system_id', type: 'STRING' },
  { name: 'schdld_yr', type: 'INT64' },
  { name: 'Job_Name', type: 'STRING' },
  { name: 'run_id', type: 'STRING' },
  { name: 'error_category', type: 'STRING' },
  // Optional: written only where the table has it (deploy/sql/alter_recon_add_retry_of.sql adds it).
  { name: 'retry_of', type: 'STRING' },
];

/** Columns this service added to the old job's recon table; a table not yet migrated still takes rows without them. */
export const ADDED_RECON_COLUMNS: readonly string[] = ['run_id', 'error_category'];

/** Columns a recon table may lack for good: written and read only where the table has them. */
const OPTIONAL_RECON_COLUMNS: readonly string[] = ['retry_of'];

/** The recon columns a table lacks, matched case-insensitively as BigQuery column names are; optional ones never count. */
export function missingReconColumns(tableColumns: Column[]): string[] {
  const names = new Set(tableColumns.map((column) => column.name.toLowerCase()));
  return RECON_COLUMNS.map((column) => column.name).filter((name) => !names.has(name.toLowerCase()) && !OPTIONAL_RECON_COLUMNS.includes(name));
}

export const RUN_ROW_ID = '__run__';
export const SUCCESS_REASON = 'Metric data was successfully written.';

/** What the recon row says about one attempted metric, or the run as a whole. */
export interface ReconEntry {
  source_system_id: string;
  job_name: string;
  /** The table the SQL reads first, when known. */
  source?: { dataset?: string; table: string };
  /** project.dataset.table of the target; absent for the run row. */
  target_table?: string;
  error_category: ErrorCategory | null;
  reason: string;
  latest_source_parttn_dt?: string;
  /** The metric's tolerance check; none for metrics without tolerance_pct and for the run row. */
  tolerance?: ToleranceCheck | null;
}

/** The entry of the one `__run__` row of a run that failed as a whole. */
export function runRowEntry(parameters: RunParameters, failure: RunFailure): ReconEntry {
  return { source_system_id: RUN_ROW_ID, job_name: parameters.gcs_path, ...failure };
}

/** 'YYYY-MM-DD HH:MM:SS' in UTC, as the recon table has always stored load_ts. */
function formatLoadTs(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function reconRow(entry: ReconEntry, parameters: RunParameters, runId: string, loadedAt: Date): Row {
  const passed = entry.error_category === null;
  const target = entry.target_table ? parseTableRef(entry.target_table) : undefined;
  return {
    module_id: '103',
    module_type_nm: 'Metrics',
    source_databs_nm: entry.source?.dataset ?? 'UNKNOWN',
    source_table_nm: entry.source?.table ?? 'UNKNOWN',
    source_column_nm: 'NA',
    source_file_nm: 'NA',
    source_contrl_file_nm: 'NA',
    source_server_nm: parameters.env,
    target_server_nm: parameters.env,
    target_databs_nm: target?.dataset ?? 'UNKNOWN',
    target_table_nm: target?.table ?? 'UNKNOWN',
    target_column_nm: 'NA',
    target_file_nm: 'NA',
    target_contrl_file_nm: 'NA',
    source_vl: '0',
    target_vl: passed ? '0' : '1',
    excldd_vl: passed ? '0' : '1',
    clcltn_ds: passed ? 'Success' : 'Failed',
    excldd_reason_tx: entry.reason,
    tolrnc_pc: entry.tolerance?.limit_pct ?? 'NA',
    rcncln_tolrnc_pass_in: entry.tolerance?.outcome ?? 'NA',
    rcncln_exact_pass_in: passed ? 'Passed' : 'Failed',
    latest_source_parttn_dt: entry.latest_source_parttn_dt ?? parameters.run_date,
    latest_target_parttn_dt: parameters.run_date,
    load_ts: formatLoadTs(loadedAt),
    schdld_dt: parameters.run_date,
    source_system_id: entry.source_system_id,
    schdld_yr: parameters.run_date.slice(0, 4),
    Job_Name: entry.job_name,
    run_id: runId,
    error_category: entry.error_category,
    retry_of: parameters.retry_failed_of ?? null,
  };
}
