import { resolve } from 'node:path';
import { pino } from 'pino';
import { createWarehouse } from './adapters.js';
import { EXIT, runCli } from './cli/run-cli.js';
import { buildDemoWarehouse, demoRunArguments } from './demo/demo-warehouse.js';
import { loadSettings } from './settings.js';

/**
 * `npm run demo`: builds the example warehouse if needed, then runs the real
 * CLI over the bundled example config. One metric fails on purpose, so a run
 * that finished with failed metrics counts as a good demo.
 */
const settings = loadSettings();
const logger = pino({ level: 'warn' });
// The demo creates its own projects, whatever METRICS_DUCKDB_CREATE_PROJECTS allows the run itself.
const builder = await createWarehouse({ ...settings, METRICS_DUCKDB_CREATE_PROJECTS: true }, logger);
try {
  await buildDemoWarehouse(builder);
} finally {
  await builder.close();
}
const warehouse = await createWarehouse(settings, logger);
try {
  const argv = demoRunArguments(resolve('examples/demo-metrics.json'));
  process.stdout.write(`warehouse: ${settings.METRICS_DUCKDB_DIR}\nnpm run pipeline -- ${argv.join(' ')}\n\n`);
  const code = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }, { warehouse });
  process.exitCode = code === EXIT.someFailed ? EXIT.passed : code;
} finally {
  await warehouse.close();
}
