import type { DuckDBConnection } from '@duckdb/node-api';
import { quotedIdentifier } from '@duckdb/node-api';
import { BIGQUERY_COMPAT_MACROS } from './bigquery-to-duckdb.js';

/**
 * Readies a connection to run translated BigQuery SQL. Session settings and
 * TEMP macros are per connection, so every new connection runs this.
 * TimeZone is UTC because BigQuery evaluates DATE(timestamp) and timestamp
 * literals in UTC; a local zone would shift dates at midnight.
 */
export async function setUpConnection(connection: DuckDBConnection, defaultProject?: string): Promise<void> {
  const statements = [
    "SET TimeZone = 'UTC'",
    ...BIGQUERY_COMPAT_MACROS,
    // BigQuery resolves dataset.table against the default project; USE does the same for schema.table.
    ...(defaultProject !== undefined ? [`USE ${quotedIdentifier(defaultProject)}`] : []),
  ];
  // One call for all of them: each call is a trip to DuckDB's thread, and every connection pays this at start-up.
  await connection.run(statements.join(';\n'));
}
