import { resolve } from 'node:path';
import { pino } from 'pino';
import { createWarehouse } from './adapters.js';
import { runCli } from './cli/run-cli.js';
import { EXIT } from './process-failures.js';
import { buildDemoWarehouse, DEMO_PARTITION_INFO_TABLE, DEMO_RUN_DATE } from './demo/demo-warehouse.js';
import { loadSettings } from './settings.js';

/**
 * `npm run demo`: builds the example warehouse if needed, then runs the real
 * CLI over the bundled example config. One metric fails on purpose, so a run
 * that finished with failed metrics counts as a good demo.
 */
const settings = loadSettings();
const logger = pino({ level: 'warn' });
const warehouse = await createWarehouse(settings, logger);
try {
  await buildDemoWarehouse(warehouse);
  const argv = [
    '--gcs_path', resolve('examples/demo-metrics.json'),
    '--run_date', DEMO_RUN_DATE,
    '--dependencies', 'daily_batch,customer_analytics',
    '--partition_info_table', DEMO_PARTITION_INFO_TABLE,
    '--env', 'DEV',
    '--recon_table', 'analytics.audit.metrics_recon',
  ];
  process.stdout.write(`warehouse: ${settings.METRICS_DUCKDB_DIR}\nnpm run pipeline -- ${argv.join(' ')}\n\n`);
  const code = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }, { warehouse });
  process.exitCode = code === EXIT.someFailed ? EXIT.passed : code;
} finally {
  await warehouse.close();
}
