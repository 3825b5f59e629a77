import { isCalendarDate } from '../calendar-date.js';
import { PipelineError } from '../errors.js';
import type { TableReference } from '../sql/table-references.js';
import { formatTableRef, quoteTableRef, type TableRef } from '../table-ref.js';
import { ProjectUnavailableError, type Row, type Warehouse } from '../warehouse/warehouse.js';
import { partitionInfoTables, type PartitionDateLookup } from './placeholders.js';

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

export interface PartitionLookupOptions {
  timeoutMs: number;
  /** The run, for the lookup job's id and labels. */
  runId: string;
  signal?: AbortSignal;
}

/** The lookup's job label: metric ids may not start with '__', so it names no metric. */
const PARTITION_LOOKUP_LABEL = '__partition_info__';

/**
 * The latest partition_dt of every table the run's {partition_info}
 * placeholders name (`sqls`: the selected metrics' SQL), asked in ONE query
 * when a metric first needs a date, then answered from that result. A run
 * without the placeholder asks nothing. Names are bound as one array
 * parameter, never spliced into SQL.
 */
export function createPartitionDateLookup(warehouse: Warehouse, table: TableRef, sqls: string[], options: PartitionLookupOptions): PartitionDateLookup {
  let dates: Promise<PartitionDates> | undefined;
  return async (reference) => {
    dates ??= queryPartitionDates(warehouse, table, sqls, options);
    return (await dates).dateOf(reference);
  };
}

async function queryPartitionDates(warehouse: Warehouse, table: TableRef, sqls: string[], options: PartitionLookupOptions): Promise<PartitionDates> {
  const names = new Set(sqls.flatMap(partitionInfoTables).map((reference) => reference.table.toLowerCase()));
  const result = await warehouse.query({
    sql: `SELECT project_dataset, LOWER(table_name) AS table_key, CAST(MAX(partition_dt) AS STRING) AS partition_dt
      FROM ${quoteTableRef(table)}
      WHERE LOWER(table_name) IN (SELECT * FROM UNNEST(@table_names))
      GROUP BY project_dataset, table_key`,
    params: { table_names: { type: 'ARRAY<STRING>', values: [...names] } },
    timeoutMs: options.timeoutMs,
    label: { runId: options.runId, metricId: PARTITION_LOOKUP_LABEL },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return new PartitionDates(table, result.rows);
}

/** One lookup's rows: a dataset's latest date per table name, answered per reference as docs/contract.md#partition-info says. */
class PartitionDates {
  constructor(
    private readonly table: TableRef,
    private readonly rows: Row[],
  ) {}

  dateOf(reference: TableReference): string {
    const name = reference.dataset ? `${reference.dataset}.${reference.table}` : reference.table;
    const where = formatTableRef(this.table);
    const matches = this.rows.filter((row) => row.table_key === reference.table.toLowerCase() && sameDataset(row, reference));
    const [row, ...others] = matches;
    if (!row) throw new PipelineError('PARTITION_VALIDATION_ERROR', `No partition info for ${name} in ${where}`);
    if (others.length > 0) {
      const datasets = matches.map((candidate) => candidate.project_dataset).join(', ');
      throw new PipelineError('PARTITION_VALIDATION_ERROR', `Table name ${name} is ambiguous in ${where}: datasets ${datasets}; qualify it with its dataset`);
    }
    const date = row.partition_dt;
    if (date === null || date === undefined) throw new PipelineError('PARTITION_VALIDATION_ERROR', `No partition date for ${name} in ${where}`);
    if (!isCalendarDate(date)) {
      throw new PipelineError('PARTITION_VALIDATION_ERROR', `Partition date '${date}' for ${name} is not a YYYY-MM-DD date`);
    }
    return date;
  }
}

/** A reference without a dataset matches any dataset. */
function sameDataset(row: Row, reference: TableReference): boolean {
  return reference.dataset === undefined || row.project_dataset?.toLowerCase() === reference.dataset.toLowerCase();
}
