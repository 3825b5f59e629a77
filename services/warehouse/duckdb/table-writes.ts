import { VARCHAR, quotedIdentifier, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { PipelineError } from '../../errors.js';
import type { TableRef } from '../../table-ref.js';
import type { Column, Row } from '../warehouse.js';
import { duckDbTypeOf } from './duckdb-cells.js';
import { asPipelineError } from './duckdb-errors.js';

export function qualifiedName(table: TableRef): string {
  return [table.project, table.dataset, table.table].map(quotedIdentifier).join('.');
}

/**
 * Deletes the rows whose key tuple equals that of any row written, then
 * inserts the rows, in ONE transaction (contracts §5).
 */
export async function replaceRows(
  connection: DuckDBConnection,
  table: TableRef,
  columns: Column[],
  rows: Row[],
  keyColumns: string[],
): Promise<void> {
  const keys = keyColumns.map((name) => {
    const column = columns.find((candidate) => candidate.name === name);
    if (column === undefined) throw new PipelineError('BIGQUERY_WRITE_ERROR', `Key column ${name} is not among the columns written`);
    return column;
  });
  const condition = keys.map((key, i) => `${quotedIdentifier(key.name)} = ${castParameter(i + 1, key)}`).join(' AND ');
  await inTransaction(connection, async () => {
    await forEachRow(connection, `DELETE FROM ${qualifiedName(table)} WHERE ${condition}`, keys, rows);
    await forEachRow(connection, insertSql(table, columns), columns, rows);
  });
}

/** Appends the rows in one transaction: all or none. */
export async function appendRows(connection: DuckDBConnection, table: TableRef, columns: Column[], rows: Row[]): Promise<void> {
  await inTransaction(connection, () => forEachRow(connection, insertSql(table, columns), columns, rows));
}

function insertSql(table: TableRef, columns: Column[]): string {
  const names = columns.map((column) => quotedIdentifier(column.name)).join(', ');
  const values = columns.map((column, i) => castParameter(i + 1, column)).join(', ');
  return `INSERT INTO ${qualifiedName(table)} (${names}) VALUES (${values})`;
}

/** Cells travel as text and DuckDB casts them, so no value ever passes through a JS number. */
function castParameter(index: number, column: Column): string {
  return `CAST($${index} AS ${duckDbTypeOf(column.type)})`;
}

/** Runs `sql` once per row, binding the row's cells of `columns` as $1..$n. */
async function forEachRow(connection: DuckDBConnection, sql: string, columns: Column[], rows: Row[]): Promise<void> {
  const prepared: DuckDBPreparedStatement = await connection.prepare(sql);
  try {
    for (const row of rows) {
      columns.forEach((column, i) => prepared.bindValue(i + 1, row[column.name] ?? null, VARCHAR));
      await prepared.run();
    }
  } finally {
    prepared.destroySync();
  }
}

/**
 * A DuckDB transaction that hit an error must be rolled back explicitly: a
 * COMMIT there reports success and silently discards the work.
 */
async function inTransaction(connection: DuckDBConnection, work: () => Promise<void>): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await work();
    await connection.run('COMMIT');
  } catch (error) {
    await rollback(connection);
    throw asPipelineError(error, 'BIGQUERY_WRITE_ERROR');
  }
}

async function rollback(connection: DuckDBConnection): Promise<void> {
  try {
    await connection.run('ROLLBACK');
  } catch {
    // A COMMIT that failed has already ended the transaction; there is nothing left to undo.
  }
}
