import { pino } from 'pino';
import { createWarehouse } from './adapters.js';
import { textTable } from './cli/text-table.js';
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
  const rows = result.rows.map((row) => result.columns.map((column) => printable(row[column.name] ?? 'NULL')));
  process.stdout.write(`${textTable(result.columns.map((column) => column.name), rows)}\n${result.rows.length} row(s)\n`);
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await warehouse.close();
}

/** A value on one line and free of terminal escapes: control characters as JSON writes them ('\n', '\u001b'). */
function printable(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
