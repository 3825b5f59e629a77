import { quotedIdentifier, type DuckDBConnection } from '@duckdb/node-api';
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
    const staged = await stageRows(connection, columns, rows);
    const stagedKeys = keys.map((key) => staged.casts[columns.indexOf(key)]).join(', ');
    await connection.run(`DELETE FROM ${qualifiedName(table)} WHERE (${keyList}) IN (SELECT ${stagedKeys} FROM ${staged.table})`);
    await connection.run(insertSql(table, columns, staged));
  });
}

/** Appends the rows in one transaction: all or none. */
export async function appendRows(connection: DuckDBConnection, table: TableRef, columns: Column[], rows: Row[]): Promise<void> {
  await inTransaction(connection, async () => void (await connection.run(insertSql(table, columns, await stageRows(connection, columns, rows)))));
}

function insertSql(table: TableRef, columns: Column[], staged: StagedRows): string {
  const names = columns.map((column) => quotedIdentifier(column.name)).join(', ');
  return `INSERT INTO ${qualifiedName(table)} (${names}) SELECT ${staged.casts.join(', ')} FROM ${staged.table}`;
}

interface StagedRows {
  table: string;
  /** Per column, the staged text cast to the column's type. */
  casts: string[];
}

const STAGING_TABLE = 'temp.main.metrics_write_batch';

/**
 * Loads the rows as text into a TEMP table of the writer's connection with
 * DuckDB's appender, so DuckDB casts them to the column types and no value
 * ever passes through a JS number. The appender copies values straight into
 * DuckDB's buffers: a 10,000-row batch loads at once and leaves no bound
 * parameters (native memory until the JS garbage collector frees them) behind.
 */
async function stageRows(connection: DuckDBConnection, columns: Column[], rows: Row[]): Promise<StagedRows> {
  const staged = columns.map((_, c) => `c${c}`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE metrics_write_batch (${staged.map((name) => `${name} VARCHAR`).join(', ')})`);
  const appender = await connection.createAppender('metrics_write_batch', 'main', 'temp');
  try {
    for (const row of rows) {
      for (const column of columns) {
        const cell = row[column.name] ?? null;
        if (cell === null) appender.appendNull();
        else appender.appendVarchar(cell);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return { table: STAGING_TABLE, casts: columns.map((column, c) => `CAST(${staged[c]} AS ${duckDbTypeOf(column.type)})`) };
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
