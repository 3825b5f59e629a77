import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { createDuckDbWarehouse } from '../../../services/warehouse/duckdb/duckdb-warehouse.js';
import { existingTables, prepareProjects } from '../../helpers/duckdb-projects.js';
import { endlessMetric, metric, RECON, resultSql, TARGET } from '../../helpers/fixtures.js';
import { CLI, cliFlags, nodeArguments } from '../../helpers/real-process.js';

// The real entry points in their own processes: what the exit code and the output are when output cannot be written,
// settings are bad, or something crashes (docs/contract.md#exit-codes).

const CRASH_ON_SIGUSR2 = fileURLToPath(new URL('./scripts/crash-on-sigusr2.ts', import.meta.url));

/** Three passing metrics, one of them busy for a moment, so output is still being written after a reader went away. */
const PASSING = [
  metric('first', resultSql('1')),
  metric('busy', `${resultSql('SUM(range)', 'COUNT(*)')} FROM range(30000000)`),
  metric('last', resultSql('3')),
];

interface Ended {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `command` with the CLI's environment; `onErr` sees stderr as it comes. */
function run(t: Test, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdio?: StdioOptions; onErr?: (err: string, child: ReturnType<typeof spawn>) => void } = {}) {
  const child = spawn(command, args, { env: { ...process.env, LOG_LEVEL: 'info', ...options.env }, stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => (out += chunk));
  child.stderr?.on('data', (chunk) => {
    err += chunk;
    options.onErr?.(err, child);
  });
  return new Promise<Ended>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

async function setUp(t: Test, metrics: unknown[]) {
  const dir = t.testdir();
  const config = join(dir, 'metrics.json');
  writeFileSync(config, JSON.stringify(metrics));
  // The fixtures' project exists, as in production: runs never create project files.
  await prepareProjects(join(dir, 'warehouse'), { 'proj-a': [] });
  return { config, warehouseDir: join(dir, 'warehouse') };
}

async function reconRows(t: Test, warehouseDir: string) {
  const warehouse = await createDuckDbWarehouse({ directory: warehouseDir });
  t.teardown(() => warehouse.close());
  return (await warehouse.query({ sql: `SELECT source_system_id, clcltn_ds FROM \`${RECON}\` ORDER BY 1`, timeoutMs: 10_000 })).rows;
}

const ALL_PASSED = [
  { source_system_id: 'busy', clcltn_ds: 'Success' },
  { source_system_id: 'first', clcltn_ds: 'Success' },
  { source_system_id: 'last', clcltn_ds: 'Success' },
];

t.test('stderr on /dev/full: the run finishes, writes its rows and exits 0', async (t) => {
  const { config, warehouseDir } = await setUp(t, PASSING);
  const full = openSync('/dev/full', 'w');
  t.teardown(() => closeSync(full));
  const { code, out } = await run(t, process.execPath, nodeArguments(CLI, cliFlags(config)), {
    env: { METRICS_DUCKDB_DIR: warehouseDir },
    stdio: ['ignore', 'pipe', full],
  });
  t.equal(code, 0);
  t.match(out, /succeeded, 3 passed, 0 failed/);
  t.same(await reconRows(t, warehouseDir), ALL_PASSED);
});

t.test('stdout and stderr into a pipe closed by `head -c 1`: the run finishes, writes its rows and exits 0', async (t) => {
  const { config, warehouseDir } = await setUp(t, PASSING);
  // The CLI's own exit code, not head's: PIPESTATUS[0].
  const script = '"$NODE" "$@" 2>&1 | head -c 1 >/dev/null; exit "${PIPESTATUS[0]}"';
  const { code } = await run(t, 'bash', ['-c', script, 'bash', ...nodeArguments(CLI, cliFlags(config))], {
    env: { METRICS_DUCKDB_DIR: warehouseDir, NODE: process.execPath },
  });
  t.equal(code, 0);
  t.same(await reconRows(t, warehouseDir), ALL_PASSED);
});

t.test('bad settings exit 64, one line each naming the variable and what it allows, no stack, nothing written', async (t) => {
  const { config, warehouseDir } = await setUp(t, PASSING);
  const { code, out, err } = await run(t, process.execPath, nodeArguments(CLI, cliFlags(config)), {
    env: { METRICS_DUCKDB_DIR: warehouseDir, METRICS_WAREHOUSE: 'snowflake', METRICS_QUERY_TIMEOUT_MS: 'soon' },
  });
  t.equal(code, 64);
  t.equal(out, '');
  t.equal(
    err,
    "error: METRICS_WAREHOUSE must be one of duckdb, bigquery, got 'snowflake'\n" +
      "error: METRICS_QUERY_TIMEOUT_MS must be a whole number of at least 1, got 'soon'\n",
  );
  t.same(await existingTables(warehouseDir, [RECON, TARGET]), [], 'nothing was written');
});

t.test('a crash exits 2 with one line and no stack, never 1', async (t) => {
  const { config, warehouseDir } = await setUp(t, [endlessMetric('slow')]);
  let sent = false;
  const { code, err } = await run(t, process.execPath, nodeArguments(CLI, cliFlags(config), [CRASH_ON_SIGUSR2]), {
    env: { METRICS_DUCKDB_DIR: warehouseDir },
    onErr: (text, child) => {
      if (sent || !text.includes('run started')) return;
      sent = true;
      child.kill('SIGUSR2');
    },
  });
  t.equal(code, 2);
  t.equal(err.trim().split('\n').at(-1), 'error: unexpected failure: forced crash');
  t.notMatch(err, /\n\s+at\s/, 'no stack');
});
