import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { PipelineError } from '../../errors.js';
import type { Column, QueryParameter, QueryResult, Row } from '../warehouse.js';
import { cellText, portTypeOf } from './duckdb-cells.js';
import { bindQueryParameters } from './query-parameters.js';

/**
 * Runs one DuckDB statement if and only if it is a single SELECT (WITH ...
 * SELECT included). The pipeline checks this before it calls the warehouse;
 * checking again here, on DuckDB's own parse, is defence in depth: the
 * statement is classified before anything executes.
 */
export async function runReadOnlyQuery(
  connection: DuckDBConnection,
  duckDbSql: string,
  params: Record<string, QueryParameter>,
): Promise<QueryResult> {
  const prepared = await prepareReadOnlyStatement(connection, duckDbSql);
  try {
    bindQueryParameters(prepared, params);
    const reader = await prepared.runAndReadAll();
    const names = reader.columnNames();
    const columns: Column[] = reader.columnTypes().map((type, i) => ({ name: names[i] as string, type: portTypeOf(type) }));
    const rows = reader.getRowObjectsJson().map((json) => {
      const row: Row = {};
      for (const column of columns) row[column.name] = cellText(column.type, json[column.name] ?? null);
      return row;
    });
    return { columns, rows };
  } finally {
    prepared.destroySync();
  }
}

/**
 * The statement parsed, bound to its tables and planned, if and only if it
 * is a single SELECT; nothing executes. The caller destroys it.
 */
export async function prepareReadOnlyStatement(connection: DuckDBConnection, duckDbSql: string): Promise<DuckDBPreparedStatement> {
  const statements = await connection.extractStatements(duckDbSql);
  if (statements.count !== 1) {
    throw new PipelineError('SQL_EXECUTION_ERROR', `Only one read-only SELECT statement may run; got ${statements.count} statements`);
  }
  const prepared = await statements.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) {
    const kind = StatementType[prepared.statementType] ?? String(prepared.statementType);
    prepared.destroySync();
    throw new PipelineError('SQL_EXECUTION_ERROR', `Only a read-only SELECT statement may run; got ${kind}`);
  }
  return prepared;
}
