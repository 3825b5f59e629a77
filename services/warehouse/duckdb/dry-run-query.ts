import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueryParameter } from '../warehouse.js';
import { bindQueryParameters } from './query-parameters.js';

/**
 * DuckDB's dry run of a statement that passed the metric SQL policy: parsed,
 * bound to its tables and columns, planned, its parameters bound, then
 * discarded without executing, so nothing is read.
 */
export async function dryRunReadOnlyQuery(connection: DuckDBConnection, duckDbSql: string, params: Record<string, QueryParameter>): Promise<void> {
  const prepared = await connection.prepare(duckDbSql);
  try {
    bindQueryParameters(prepared, params);
  } finally {
    prepared.destroySync();
  }
}
