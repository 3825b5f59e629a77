import type { Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { createDuckDbWarehouse } from '../../../services/warehouse/duckdb/duckdb-warehouse.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { existingTables, prepareProjects } from '../../helpers/duckdb-projects.js';
import { endlessMetric, RECON, TARGET } from '../../helpers/fixtures.js';

/** Runs the real CLI in-process on a DuckDB warehouse in a temp dir; returns code and output. */
async function cli(t: Test, metrics: unknown, flags: Record<string, string | true> = {}, terminal = false, signal?: AbortSignal) {
  const dir = t.testdir();
  await prepareProjects(join(dir, 'warehouse'), { 'proj-a': [] });
  const config = join(dir, 'metrics.json');
  writeFileSync(config, typeof metrics === 'string' ? metrics : JSON.stringify(metrics));
  const args: Record<string, string | true> = {
    '--gcs_path': config,
    '--run_date': '2024-01-15',
    '--dependencies': 'daily',
    '--partition_info_table': 'proj-a.ops.partition_info',
    '--env': 'dev',
    '--recon_table': 'proj-a.audit.recon',
    ...flags,
  };
  const argv = Object.entries(args).flatMap(([flag, value]) => (value === '' ? [] : value === true ? [flag] : [flag, value]));
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: terminal, columns: 120 });
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await runCli(argv, {
    stdout,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: { METRICS_DUCKDB_DIR: join(dir, 'warehouse'), LOG_LEVEL: 'warn' },
    ...(signal ? { signal } : {}),
  });
  return { code, out, err, dir };
}

const good = (id: string, denominator = '1') => ({
  metric_id: id,
  metric_name: id,
  metric_type: 'count',
  sql: `SELECT 7 AS metric_output, 7 AS numerator_value, ${denominator} AS denominator_value, '{currently}' AS business_data_date`,
  dependency: 'daily',
  target_table: 'proj-a.metrics.out',
});

t.test('exit 0 when every selected metric passed, with a summary table', async (t) => {
  const { code, out } = await cli(t, [good('a'), good('b')]);
  t.equal(code, 0);
  t.match(out, /a\s*│\s*Passed\s*│\s*7\.000000000/);
  t.match(out, /succeeded, 2 passed, 0 failed/);
});

t.test('exit 1 when the run finished and some metrics failed', async (t) => {
  const { code, out } = await cli(t, [good('a'), good('b', '0')]);
  t.equal(code, 1);
  t.match(out, /b\s*│\s*Failed\s*│\s*DATA_QUALITY_ERROR/);
});

t.test('exit 2 when the run failed as a whole', async (t) => {
  const { code, err } = await cli(t, [good('a')], { '--dependencies': 'weekly' });
  t.equal(code, 2);
  t.match(err, /JSON_VALIDATION_ERROR: .*weekly/);
});

t.test('exit 64 with one line per bad argument', async (t) => {
  const { code, err, out } = await cli(t, [good('a')], { '--run_date': '2024-02-30', '--env': 'QA', '--recon_table': 'nodots', '--dependencies': '' });
  t.equal(code, 64);
  t.equal(out, '');
  const lines = err.trim().split('\n');
  t.equal(lines.length, 4);
  t.match(lines, [/--run_date: must be a real calendar date/, /--dependencies: must be/, /--recon_table: must be project\.dataset\.table/, /--env: must be one of DEV, BLD, INT, PRE, PRD/]);
});

t.test('exit 64 for a table name longer than BigQuery allows, naming the flag, with an excerpt of the name', async (t) => {
  const { code, err, dir } = await cli(t, [good('a')], { '--recon_table': `analytics.audit.${'x'.repeat(100_000)}` });
  t.equal(code, 64);
  t.match(err, /^error: --recon_table: table 'x{80}\.\.\.' \(100000 characters\) is longer than BigQuery's limit of 1024 characters\n$/);
  t.same(await existingTables(join(dir, 'warehouse'), [RECON, TARGET]), [], 'nothing was written');
});

t.test('exit 64 for an unknown flag', async (t) => {
  const { code, err } = await cli(t, [good('a')], { '--run_dat': '2024-01-15' });
  t.equal(code, 64);
  t.match(err, /unknown option '--run_dat'/);
});

t.test('exit 64 for bad settings: one line each, naming the variable and what it allows, no stack', async (t) => {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk) => (err += chunk));
  const env = { METRICS_WAREHOUSE: 'snowflake', METRICS_RUN_QUEUE_SIZE: 'many' };
  const code = await runCli([], { stdout: new PassThrough(), stderr: stderr as unknown as NodeJS.WriteStream, env });
  t.equal(code, 64);
  t.equal(
    err,
    "error: METRICS_WAREHOUSE must be one of duckdb, bigquery, got 'snowflake'\n" +
      "error: METRICS_RUN_QUEUE_SIZE must be a whole number from 0 to 10000, got 'many'\n",
  );
});

t.test('an invalid config is an expected failure: exit 2, logged by its reason without a stack', async (t) => {
  const { code, err } = await cli(t, [{ ...good('a'), metric_type: 'median' }]);
  t.equal(code, 2);
  const logged = err.split('\n').filter((line) => line.startsWith('{'));
  t.ok(logged.some((line) => line.includes('JSON_VALIDATION_ERROR') && line.includes('metric_type')), 'the reason is logged');
  t.notMatch(err, /stack|\s+at\s.*\(/, 'no stack');
});

t.test('a file that is not JSON is never echoed: not on stdout, stderr or in the recon row', async (t) => {
  const secret = 'root:x:0:0:hunter2';
  const { code, out, err, dir } = await cli(t, secret);
  t.equal(code, 2);
  t.match(err, /is not valid JSON at line 1, column 1/);
  const warehouse = await createDuckDbWarehouse({ directory: join(dir, 'warehouse') });
  t.teardown(() => warehouse.close());
  const { rows } = await warehouse.query({ sql: 'SELECT excldd_reason_tx FROM `proj-a.audit.recon`', timeoutMs: 10_000 });
  t.match(rows, [{ excldd_reason_tx: /not valid JSON at line 1, column 1/ }]);
  for (const text of [out, err, JSON.stringify(rows)]) t.notMatch(text, /root:x|hunter2/);
});

t.test('on a terminal: a progress line, and warnings as readable text instead of JSON', async (t) => {
  const { code, err } = await cli(t, [good('a'), good('b', '0')], {}, true);
  t.equal(code, 1);
  t.match(err, /\[2\/2\] 1 failed/);
  t.match(err, /WARN.*metric failed/);
  t.match(err, /error_category: "DATA_QUALITY_ERROR"/);
  t.notMatch(err, /"severity"/);
});

t.test('off a terminal: Cloud Logging JSON lines and no progress line', async (t) => {
  const { err } = await cli(t, [good('b', '0')]);
  t.notMatch(err, /\[1\/1\]/);
  const lines = err.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  t.ok(lines.some((line) => line.severity === 'WARNING' && line.error_category === 'DATA_QUALITY_ERROR'));
});

t.test('an interrupted run records its unfinished metrics as interrupted and exits 1', async (t) => {
  const controller = new AbortController();
  // Before or after the query starts, the outcome is the same: the metric is recorded as interrupted.
  setTimeout(() => controller.abort(new Error('SIGTERM')), 300);
  const { code, out, dir } = await cli(t, [endlessMetric('slow')], {}, false, controller.signal);
  t.equal(code, 1);
  t.match(out, /slow\s*│\s*Failed\s*│\s*PIPELINE_EXECUTION_ERROR/);
  const warehouse = await createDuckDbWarehouse({ directory: join(dir, 'warehouse') });
  t.teardown(() => warehouse.close());
  const { rows } = await warehouse.query({
    sql: 'SELECT source_system_id, clcltn_ds, error_category, excldd_reason_tx FROM `proj-a.audit.recon` ORDER BY source_system_id',
    timeoutMs: 10_000,
  });
  t.match(rows, [
    { source_system_id: 'slow', clcltn_ds: 'Failed', error_category: 'PIPELINE_EXECUTION_ERROR', excldd_reason_tx: 'Run was interrupted (SIGTERM) before this metric finished' },
  ]);
});

t.test('--dry_run prints each metric and the total, writes nothing anywhere, and exits 0 when every metric would pass', async (t) => {
  const { code, out, dir } = await cli(t, [good('a'), good('b')], { '--dry_run': true });
  t.equal(code, 0);
  t.match(out, /a\s*│\s*ok\s*│\s*unknown/);
  t.match(out, /dry run, nothing written: 2 ok, 0 would fail; bytes processed in total: unknown/);
  t.same(await existingTables(join(dir, 'warehouse'), [RECON, TARGET]), [], 'not even a table was created');
});

t.test('--dry_run exits 1 when some metrics would fail, with each reason under the table', async (t) => {
  const { code, out } = await cli(t, [good('a'), { ...good('b'), sql: 'DELETE FROM x WHERE TRUE' }], { '--dry_run': true });
  t.equal(code, 1);
  t.match(out, /b\s*│\s*would fail\s*│\s*unknown\s*│\s*│\s*SQL_EXECUTION_ERROR/);
  t.match(out, /^b: SQL_EXECUTION_ERROR: SQL rejected, only one read-only SELECT or WITH statement may run/m);
  t.match(out, /1 ok, 1 would fail/);
});

t.test('--dry_run exits 2 when the run would fail as a whole, and 64 for bad arguments as usual', async (t) => {
  const failing = await cli(t, [good('a')], { '--dry_run': true, '--dependencies': 'weekly' });
  t.equal(failing.code, 2);
  t.match(failing.out, /the run would fail as a whole \(JSON_VALIDATION_ERROR\)/);
  t.match(failing.err, /run would fail: JSON_VALIDATION_ERROR: .*weekly/);
  t.equal((await cli(t, [good('a')], { '--dry_run': true, '--run_date': '' })).code, 64);
});
