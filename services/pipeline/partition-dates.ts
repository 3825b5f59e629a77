import { isCalendarDate } from '../calendar-date.js';
import { PipelineError } from '../errors.js';
import type { TableReference } from '../sql/table-references.js';
import { formatTableRef, quoteTableRef, type TableRef } from '../table-ref.js';
import { ProjectUnavailableError, type Warehouse } from '../warehouse/warehouse.js';
import type { PartitionDateLookup } from './placeholders.js';

const REQUIRED_COLUMNS = ['project_dataset', 'table_name', 'partition_dt'];

/**
 * A run whose selected metrics use {partition_info} fails as a whole when the
 * partition info table is missing (its project too) or lacks its columns (docs/contract.md#recon-rows).
 */
export async function checkPartitionInfoTable(warehouse: Warehouse, table: TableRef): Promise<void> {
  const columns = await warehouse.getTableSchema(table).catch((error: unknown) => {
    if (!(error instanceof ProjectUnavailableError)) throw error;
    throw new PipelineError('PARTITION_VALIDATION_ERROR', `Partition info table ${formatTableRef(table)}: ${error.message}`, { cause: error });
  });
  if (columns === undefined) {
    throw new PipelineError('PARTITION_VALIDATION_ERROR', `Partition info table ${formatTableRef(table)} does not exist`);
  }
  const names = new Set(columns.map((column) => column.name.toLowerCase()));
  const missing = REQUIRED_COLUMNS.filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new PipelineError(
      'PARTITION_VALIDATION_ERROR',
      `Partition info table ${formatTableRef(table)} lacks column(s) ${missing.join(', ')}`,
    );
  }
}

/**
 * Latest partition_dt per referenced table, asked once per run and table
 * whatever the number of metrics that reference it. Names are bound as query
 * parameters, never spliced into SQL.
 */
export function createPartitionDateLookup(warehouse: Warehouse, table: TableRef, timeoutMs: number): PartitionDateLookup {
  const cache = new Map<string, Promise<string>>();
  return (reference) => {
    const key = `${reference.dataset ?? ''}.${reference.table}`.toLowerCase();
    let date = cache.get(key);
    if (!date) {
      date = latestPartitionDate(warehouse, table, reference, timeoutMs);
      cache.set(key, date);
    }
    return date;
  };
}

async function latestPartitionDate(
  warehouse: Warehouse,
  table: TableRef,
  reference: TableReference,
  timeoutMs: number,
): Promise<string> {
  const name = reference.dataset ? `${reference.dataset}.${reference.table}` : reference.table;
  const datasetFilter = reference.dataset ? 'AND LOWER(project_dataset) = LOWER(@dataset)' : '';
  const result = await warehouse.query({
    sql: `SELECT project_dataset, CAST(MAX(partition_dt) AS STRING) AS partition_dt
      FROM ${quoteTableRef(table)}
      WHERE LOWER(table_name) = LOWER(@table_name) ${datasetFilter}
      GROUP BY project_dataset`,
    params: {
      table_name: { type: 'STRING', value: reference.table },
      ...(reference.dataset ? { dataset: { type: 'STRING', value: reference.dataset } } : {}),
    },
    timeoutMs,
  });
  const [row, ...others] = result.rows;
  if (!row) {
    throw new PipelineError('PARTITION_VALIDATION_ERROR', `No partition info for ${name} in ${formatTableRef(table)}`);
  }
  if (others.length > 0) {
    const datasets = result.rows.map((candidate) => candidate.project_dataset).join(', ');
    throw new PipelineError(
      'PARTITION_VALIDATION_ERROR',
      `Table name ${name} is ambiguous in ${formatTableRef(table)}: datasets ${datasets}; qualify it with its dataset`,
    );
  }
  const date = row.partition_dt;
  if (date === null || date === undefined) {
    throw new PipelineError('PARTITION_VALIDATION_ERROR', `No partition date for ${name} in ${formatTableRef(table)}`);
  }
  if (!isCalendarDate(date)) {
    throw new PipelineError('PARTITION_VALIDATION_ERROR', `Partition date '${row.partition_dt}' for ${name} is not a YYYY-MM-DD date`);
  }
  return date;
}
