import type { DuckDBConnection } from '@duckdb/node-api';
import type { Column, QueryParameter, QueryResult, Row } from '../warehouse.js';
import { cellText, portTypeOf } from './duckdb-cells.js';
import { bindQueryParameters } from './query-parameters.js';

/** Runs one DuckDB SELECT that passed the metric SQL policy, with its parameters bound, and reads every row as exact text. */
export async function runReadOnlyQuery(
  connection: DuckDBConnection,
  duckDbSql: string,
  params: Record<string, QueryParameter>,
): Promise<QueryResult> {
  const prepared = await connection.prepare(duckDbSql);
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
