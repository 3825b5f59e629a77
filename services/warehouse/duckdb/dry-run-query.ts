import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueryParameter } from '../warehouse.js';
import { bindQueryParameters } from './query-parameters.js';
import { prepareReadOnlyStatement } from './read-only-query.js';

/**
 * DuckDB's dry run: the statement passes every check runReadOnlyQuery makes
 * (a single SELECT, parsed, bound to its tables and columns, planned, its
 * parameters bound) and is discarded without executing, so nothing is read.
 */
export async function dryRunReadOnlyQuery(connection: DuckDBConnection, duckDbSql: string, params: Record<string, QueryParameter>): Promise<void> {
  const prepared = await prepareReadOnlyStatement(connection, duckDbSql);
  try {
    bindQueryParameters(prepared, params);
  } finally {
    prepared.destroySync();
  }
}
