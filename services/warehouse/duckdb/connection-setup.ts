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
  await connection.run("SET TimeZone = 'UTC'");
  for (const macro of BIGQUERY_COMPAT_MACROS) await connection.run(macro);
  // BigQuery resolves dataset.table against the default project; USE does the same for schema.table.
  if (defaultProject !== undefined) await connection.run(`USE ${quotedIdentifier(defaultProject)}`);
}
