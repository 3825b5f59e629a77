import { PipelineError } from '../../errors.js';
import { quoteTableRef, type TableRef } from '../../table-ref.js';
import { keyColumnsOf } from '../key-columns.js';
import type { Column, Row } from '../warehouse.js';
import { restParameter, restTypeOf, type RestQueryParameter } from './bigquery-values.js';

/** One request's worth of SQL with every value bound as a parameter. */
export interface WriteStatement {
  sql: string;
  params: RestQueryParameter[];
}

// BigQuery's limit of query parameters per request; the batches of one run stay far below it.
export const MAX_PARAMETERS = 10_000;

/**
 * The overwrite of docs/contract.md#target-rows as one multi-statement transaction: BigQuery
 * commits the DELETE and the INSERT together or, when any statement fails,
 * rolls both back. A MERGE would also be atomic, but could not collapse rows
 * already duplicated under one key.
 */
export function replaceRowsScript(table: TableRef, columns: Column[], rows: Row[], keyColumns: string[]): WriteStatement {
  const params: RestQueryParameter[] = [];
  const keyTypes = keyColumnsOf(columns, keyColumns);
  const tuples = new Map<string, Row>();
  for (const row of rows) tuples.set(JSON.stringify(keyColumns.map((key) => row[key] ?? null)), row);
  const conditions = [...tuples.values()].map((row, tuple) => {
    const terms = keyTypes.map((column, k) => {
      const name = `k${tuple}_${k}`;
      params.push(restParameter(name, restTypeOf(column.type), row[column.name] ?? null));
      // NULL keys would never match '='; the batch's own NULL keys must be replaced too.
      return `${quoteIdentifier(column.name)} IS NOT DISTINCT FROM @${name}`;
    });
    return `(${terms.join(' AND ')})`;
  });
  const insert = insertStatement(table, columns, rows);
  return checked({
    sql: [
      'BEGIN TRANSACTION;',
      `DELETE FROM ${quoteTableRef(table)} WHERE ${conditions.join(' OR ')};`,
      `${insert.sql};`,
      'COMMIT TRANSACTION;',
    ].join('\n'),
    params: [...params, ...insert.params],
  });
}

/** A single INSERT of every row: one DML job, so all rows land or none do. */
export function appendRowsStatement(table: TableRef, columns: Column[], rows: Row[]): WriteStatement {
  return checked(insertStatement(table, columns, rows));
}

function insertStatement(table: TableRef, columns: Column[], rows: Row[]): WriteStatement {
  const params: RestQueryParameter[] = [];
  const tuples = rows.map((row, r) => {
    const values = columns.map((column, c) => {
      const name = `r${r}_${c}`;
      params.push(restParameter(name, restTypeOf(column.type), row[column.name] ?? null));
      return `@${name}`;
    });
    return `(${values.join(', ')})`;
  });
  const names = columns.map((column) => quoteIdentifier(column.name)).join(', ');
  return { sql: `INSERT INTO ${quoteTableRef(table)} (${names}) VALUES ${tuples.join(', ')}`, params };
}

function checked(statement: WriteStatement): WriteStatement {
  if (statement.params.length > MAX_PARAMETERS) {
    const reason = `${statement.params.length} values exceed BigQuery's ${MAX_PARAMETERS} query parameters per statement`;
    throw new PipelineError('BIGQUERY_WRITE_ERROR', `Cannot write the batch in one atomic statement: ${reason}`);
  }
  return statement;
}

/** Column names come from the table's schema; backticks keep reserved words usable. */
function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '')}\``;
}
