import { formatTableRef, parseTableRef, type TableRef } from '../table-ref.js';
import type { Column, Row, Warehouse } from '../warehouse/warehouse.js';
import { RECON_COLUMNS } from './recon-rows.js';
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

/** Appends a run's recon rows in one batch. */
export async function writeReconRows(warehouse: Warehouse, tableName: string, rows: Row[]): Promise<void> {
  const table = parseTableRef(tableName);
  const aligned = alignRows(RECON_COLUMNS, rows, await tableColumns(warehouse, table, RECON_COLUMNS));
  await warehouse.appendRows(table, aligned.columns, aligned.rows);
}

/** The table's schema; a missing table is created where the warehouse does that (embedded mode). */
async function tableColumns(warehouse: Warehouse, table: TableRef, defaults: Column[]): Promise<Column[]> {
  const existing = await warehouse.getTableSchema(table);
  if (existing) return existing;
  if (!warehouse.createsMissingTables) throw new Error(`Table ${formatTableRef(table)} does not exist`);
  await warehouse.createTable(table, defaults);
  return defaults;
}
