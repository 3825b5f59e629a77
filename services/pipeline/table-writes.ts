import { oneLineReason, PipelineError } from '../errors.js';
import { formatTableRef, parseTableRef, type TableRef } from '../table-ref.js';
import type { Column, Row, Warehouse } from '../warehouse/warehouse.js';
import { ADDED_RECON_COLUMNS, missingReconColumns, RECON_COLUMNS } from './recon-rows.js';
import { alignRows } from './schema-alignment.js';
import { TARGET_COLUMNS, TARGET_KEY_COLUMNS } from './target-rows.js';

/**
 * Writes one target table's batch as one atomic overwrite of its
 * (metric_id, partition_dt) keys, after fitting the rows to the table.
 */
export async function writeTargetBatch(warehouse: Warehouse, tableName: string, rows: Row[]): Promise<void> {
  const table = parseTableRef(tableName);
  const aligned = alignRows(TARGET_COLUMNS, rows, await tableColumns(warehouse, table, TARGET_COLUMNS));
  const keys = TARGET_KEY_COLUMNS.map((key) => aligned.columns.find((column) => column.name.toLowerCase() === key)?.name);
  if (keys.some((key) => key === undefined)) {
    throw new Error(`Target table ${tableName} lacks the key columns ${TARGET_KEY_COLUMNS.join(', ')}`);
  }
  await warehouse.replaceRows(table, aligned.columns, aligned.rows, keys as string[]);
}

/**
 * Checks a run's recon table before anything is written to it, reading only:
 * a table that is not a recon table (a metrics table named by mistake), or
 * one that cannot be opened, is refused with RECON_CREATION_ERROR naming why,
 * so no audit row ever lands in it. Its columns; undefined when it does not
 * exist yet and the warehouse creates missing tables.
 */
export async function checkReconTable(warehouse: Warehouse, tableName: string): Promise<Column[] | undefined> {
  const unusable = (reason: string, cause?: unknown) =>
    new PipelineError('RECON_CREATION_ERROR', `Recon table ${tableName} cannot be used: ${reason}`, { cause });
  let columns: Column[] | undefined;
  try {
    columns = await warehouse.getTableSchema(parseTableRef(tableName));
  } catch (error) {
    throw unusable(oneLineReason(error), error);
  }
  if (columns === undefined) {
    if (warehouse.createsMissingTables) return undefined;
    throw unusable(`Table ${tableName} does not exist`);
  }
  const missing = missingReconColumns(columns).filter((name) => !ADDED_RECON_COLUMNS.includes(name));
  if (missing.length > 0) {
    throw new PipelineError('RECON_CREATION_ERROR', `${tableName} is not a recon table: it lacks the column(s) ${missing.join(', ')}`);
  }
  return columns;
}

/** Readies a run's recon table as checkReconTable checks it, creating it where the warehouse creates missing tables. */
export async function prepareReconTable(warehouse: Warehouse, tableName: string): Promise<Column[]> {
  const columns = await checkReconTable(warehouse, tableName);
  if (columns !== undefined) return columns;
  try {
    await warehouse.createTable(parseTableRef(tableName), RECON_COLUMNS);
  } catch (error) {
    throw new PipelineError('RECON_CREATION_ERROR', `Recon table ${tableName} cannot be created: ${oneLineReason(error)}`, { cause: error });
  }
  return RECON_COLUMNS;
}

/** Appends a run's recon rows in one batch, to a table that is a recon table. */
export async function writeReconRows(warehouse: Warehouse, tableName: string, rows: Row[]): Promise<void> {
  const aligned = alignRows(RECON_COLUMNS, rows, await prepareReconTable(warehouse, tableName));
  await warehouse.appendRows(parseTableRef(tableName), aligned.columns, aligned.rows);
}

/** The table's schema; a missing table is created where the warehouse does that (embedded mode). */
async function tableColumns(warehouse: Warehouse, table: TableRef, defaults: Column[]): Promise<Column[]> {
  const existing = await warehouse.getTableSchema(table);
  if (existing) return existing;
  if (!warehouse.createsMissingTables) throw new Error(`Table ${formatTableRef(table)} does not exist`);
  await warehouse.createTable(table, defaults);
  return defaults;
}
