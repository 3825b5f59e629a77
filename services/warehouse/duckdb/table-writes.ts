import { VARCHAR, quotedIdentifier, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { TableRef } from '../../table-ref.js';
import { keyColumnsOf } from '../key-columns.js';
import type { Column, Row } from '../warehouse.js';
import { duckDbTypeOf } from './duckdb-cells.js';
import { asPipelineError } from './duckdb-errors.js';

export function qualifiedName(table: TableRef): string {
  return [table.project, table.dataset, table.table].map(quotedIdentifier).join('.');
}

/**
 * Deletes the rows whose key tuple equals that of any row written, then
 * inserts the rows, in ONE transaction (docs/contract.md#target-rows).
 */
export async function replaceRows(
  connection: DuckDBConnection,
  table: TableRef,
  columns: Column[],
  rows: Row[],
  keyColumns: string[],
): Promise<void> {
  const keys = keyColumnsOf(columns, keyColumns);
  const keyList = keys.map((key) => quotedIdentifier(key.name)).join(', ');
  await inTransaction(connection, async () => {
    await inBatches(connection, keys, rows, (values) => `DELETE FROM ${qualifiedName(table)} WHERE (${keyList}) IN (${values})`);
    await inBatches(connection, columns, rows, (values) => insertSql(table, columns, values));
  });
}

/** Appends the rows in one transaction: all or none. */
export async function appendRows(connection: DuckDBConnection, table: TableRef, columns: Column[], rows: Row[]): Promise<void> {
  await inTransaction(connection, () => inBatches(connection, columns, rows, (values) => insertSql(table, columns, values)));
}

function insertSql(table: TableRef, columns: Column[], values: string): string {
  const names = columns.map((column) => quotedIdentifier(column.name)).join(', ');
  return `INSERT INTO ${qualifiedName(table)} (${names}) ${values}`;
}

/** Rows per statement: set-based statements instead of one per row, bounded so parameter lists stay small. */
const BATCH_ROWS = 500;

/**
 * Runs one statement per batch of rows. `statement` receives a SELECT over the
 * batch's cells, bound as text parameters and cast by DuckDB to the column
 * types, so no value ever passes through a JS number.
 */
async function inBatches(
  connection: DuckDBConnection,
  columns: Column[],
  rows: Row[],
  statement: (values: string) => string,
): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    const tuples = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    const aliases = columns.map((_, c) => `c${c}`);
    const casts = columns.map((column, c) => `CAST(c${c} AS ${duckDbTypeOf(column.type)})`);
    const values = `SELECT ${casts.join(', ')} FROM (VALUES ${tuples.join(', ')}) AS batch(${aliases.join(', ')})`;
    const prepared: DuckDBPreparedStatement = await connection.prepare(statement(values));
    try {
      batch.forEach((row, r) =>
        columns.forEach((column, c) => prepared.bindValue(r * columns.length + c + 1, row[column.name] ?? null, VARCHAR)),
      );
      await prepared.run();
    } finally {
      prepared.destroySync();
    }
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
