import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createDuckDbWarehouse } from '../../../services/warehouse/duckdb/duckdb-warehouse.js';
import { prepareProjects } from '../../helpers/duckdb-projects.js';
import { endlessMetric, RECON } from '../../helpers/fixtures.js';
import { CLI, cliFlags, nodeArguments } from '../../helpers/real-process.js';

/**
 * Starts the real CLI entry point in its own process on an endless metric,
 * sends `signals` once its run has started, and reports how it ended.
 */
async function interruptedCli(t: Test, signals: NodeJS.Signals[]) {
  const dir = t.testdir();
  const config = join(dir, 'metrics.json');
  writeFileSync(config, JSON.stringify([endlessMetric('slow')]));
  await prepareProjects(join(dir, 'warehouse'), { 'proj-a': [] });
  const child = spawn(process.execPath, nodeArguments(CLI, cliFlags(config)), {
    env: { ...process.env, METRICS_DUCKDB_DIR: join(dir, 'warehouse'), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => {
    const first = !err.includes('run started');
    err += chunk;
    if (first && err.includes('run started')) for (const signal of signals) child.kill(signal);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  return { code, out, err, warehouseDir: join(dir, 'warehouse') };
}

t.test('SIGTERM interrupts the run, which records the metric as interrupted and exits 1', async (t) => {
  const { code, out, err, warehouseDir } = await interruptedCli(t, ['SIGTERM']);
  t.equal(code, 1, err);
  t.match(err, /SIGTERM: interrupting the run/);
  t.match(out, /slow\s*│\s*Failed\s*│\s*PIPELINE_EXECUTION_ERROR/);
  const warehouse = await createDuckDbWarehouse({ directory: warehouseDir });
  t.teardown(() => warehouse.close());
  const { rows } = await warehouse.query({ sql: `SELECT source_system_id, clcltn_ds, excldd_reason_tx FROM \`${RECON}\``, timeoutMs: 10_000 });
  t.match(rows, [{ source_system_id: 'slow', clcltn_ds: 'Failed', excldd_reason_tx: 'Run was interrupted (SIGTERM) before this metric finished' }]);
  t.equal(rows.length, 1);
});

t.test('a second signal exits at once with 130', async (t) => {
  const { code, err } = await interruptedCli(t, ['SIGTERM', 'SIGINT']);
  t.equal(code, 130, err);
  t.match(err, /again: exiting without recording the unfinished metrics/);
});
