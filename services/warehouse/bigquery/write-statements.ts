import { quoteTableRef, type TableRef } from '../../table-ref.js';
import { keyColumnsOf } from '../key-columns.js';
import type { Column, Row } from '../warehouse.js';
import { restTypeOf, restValue, type RestParameterType } from './bigquery-values.js';

/**
 * One table's batch as the port hands it over: the rows, the table's columns
 * to write, and for an overwrite the key columns whose matching rows it replaces.
 */
export interface WriteBatch {
  table: TableRef;
  columns: Column[];
  rows: Row[];
  /** Present for replaceRows, absent for appendRows. */
  keyColumns?: string[];
}

/**
 * Where a write statement reads the batch's rows from: the request's own
 * `@rows` parameter, or a staging table already holding `count` of them.
 * Either way field i is column i, named `c<i>`.
 */
export type RowSource = { kind: 'parameter' } | { kind: 'staging'; table: TableRef; count: number };

export const ROWS_PARAMETER = 'rows';

/** The name of column i's field in the rows parameter and the staging table: short, so big batches stay small. */
export function fieldName(index: number): string {
  return `c${index}`;
}

/** The type of the rows parameter: ONE ARRAY<STRUCT> parameter, one of BigQuery's 10,000, however many rows it holds. */
export function rowsParameterType(columns: Column[]): RestParameterType {
  return {
    type: 'ARRAY',
    arrayType: { type: 'STRUCT', structTypes: columns.map((column, c) => ({ name: fieldName(c), type: { type: restTypeOf(column.type) } })) },
  };
}

/** One row as an element of the rows parameter, in JSON: each row is serialized once, and only here. */
export function rowJson(columns: Column[], row: Row): string {
  return JSON.stringify({ structValues: Object.fromEntries(columns.map((column, c) => [fieldName(c), restValue(row[column.name] ?? null)])) });
}

/**
 * The batch's write as one statement or script, reading its rows from `source`.
 * An overwrite (docs/contract.md#target-rows) is one multi-statement
 * transaction: BigQuery commits the DELETE and the INSERT together or, when
 * any statement fails, rolls both back. A MERGE would also be atomic, but
 * could not collapse rows already duplicated under one key. An append is one
 * INSERT, atomic by itself; from a staging table it is wrapped in a
 * transaction too, so the row count is checked before anything lands.
 */
export function writeSql(batch: WriteBatch, source: RowSource): string {
  const from = source.kind === 'parameter' ? `UNNEST(@${ROWS_PARAMETER})` : quoteTableRef(source.table);
  const insert = `INSERT INTO ${quoteTableRef(batch.table)} (${columnList(batch.columns)}) SELECT * FROM ${from}`;
  const statements = [
    ...(source.kind === 'staging' ? [stagingCheck(source)] : []),
    ...(batch.keyColumns ? [deleteMatching(batch, batch.keyColumns, from)] : []),
    insert,
  ];
  if (statements.length === 1) return insert;
  return ['BEGIN TRANSACTION;', ...statements.map((statement) => `${statement};`), 'COMMIT TRANSACTION;'].join('\n');
}

/** Fills a staging table with one chunk of the batch. */
export function stagingInsertSql(staging: TableRef, columns: Column[]): string {
  const fields = columns.map((_, c) => fieldName(c)).join(', ');
  return `INSERT INTO ${quoteTableRef(staging)} (${fields}) SELECT * FROM UNNEST(@${ROWS_PARAMETER})`;
}

/** NULL keys never match '='; the batch's own NULL keys must be replaced too. */
function deleteMatching(batch: WriteBatch, keyColumns: string[], from: string): string {
  const keys = keyColumnsOf(batch.columns, keyColumns);
  const matches = keys.map((key) => `existing.${quoteIdentifier(key.name)} IS NOT DISTINCT FROM written.${fieldName(batch.columns.indexOf(key))}`);
  return `DELETE FROM ${quoteTableRef(batch.table)} AS existing WHERE EXISTS (SELECT 1 FROM ${from} AS written WHERE ${matches.join(' AND ')})`;
}

/**
 * A staging table filled by earlier jobs must hold the whole batch: a chunk
 * lost in between (an expired table under a retried request) would otherwise
 * land a partial batch. ASSERT fails the script, so the transaction rolls back.
 */
function stagingCheck(source: { table: TableRef; count: number }): string {
  const message = `staging table ${source.table.table} does not hold the ${source.count} rows of the batch`;
  return `ASSERT (SELECT COUNT(*) FROM ${quoteTableRef(source.table)}) = ${source.count} AS '${message}'`;
}

function columnList(columns: Column[]): string {
  return columns.map((column) => quoteIdentifier(column.name)).join(', ');
}

/** Column names come from the table's schema; backticks keep reserved words usable. */
function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '')}\``;
}
