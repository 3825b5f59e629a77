import Table from 'cli-table3';
import { pino } from 'pino';
import { createWarehouse } from './adapters.js';
import { loadSettings } from './settings.js';

/**
 * `npm run query -- "<BigQuery SQL>"`: one read-only query against the
 * configured warehouse, printed as a table. For looking at target and recon
 * rows of the embedded warehouse without a DuckDB client.
 */
const sql = process.argv.slice(2).join(' ').trim();
if (sql === '') {
  process.stderr.write('usage: npm run query -- "SELECT * FROM `analytics.audit.metrics_recon` LIMIT 5"\n');
  process.exit(64);
}
const settings = loadSettings();
const warehouse = await createWarehouse(settings, pino({ level: 'warn' }));
try {
  const result = await warehouse.query({ sql, timeoutMs: settings.METRICS_QUERY_TIMEOUT_MS });
  const table = new Table({ head: result.columns.map((column) => column.name), style: { head: [], border: [], compact: true } });
  for (const row of result.rows) table.push(result.columns.map((column) => row[column.name] ?? 'NULL'));
  process.stdout.write(`${table.toString()}\n${result.rows.length} row(s)\n`);
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await warehouse.close();
}
