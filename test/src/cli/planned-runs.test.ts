import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t, { type Test } from 'tap';
import { createDuckDbWarehouse } from '../../../services/warehouse/duckdb/duckdb-warehouse.js';
import type { Row } from '../../../services/warehouse/warehouse.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { prepareProjects } from '../../helpers/duckdb-projects.js';
import { endlessMetric, metric, PARTITION_INFO, RECON, resultSql } from '../../helpers/fixtures.js';


/**
 * The real CLI in-process, invoked as often as a test needs on one DuckDB
 * warehouse in a temp dir: the flags of the fixture run plus `flags`.
 */
function cliSession(t: Test, metrics: unknown[]) {
  const dir = t.testdir();
  const config = join(dir, 'metrics.json');
  writeFileSync(config, JSON.stringify(metrics));
  // The projects the runs write to exist, as in production: runs never create project files.
  const projectReady = prepareProjects(join(dir, 'warehouse'), { 'proj-a': [] });
  const base = ['--gcs_path', config, '--run_date', '2024-01-15', '--dependencies', 'daily', '--partition_info_table', PARTITION_INFO, '--env', 'dev', '--recon_table', RECON];
  /** `interruptOnceStarted` aborts the run the moment its first run logs that it started. */
  const cli = async (flags: string[] = [], interruptOnceStarted?: AbortController) => {
    await projectReady;
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: false });
    let out = '';
    let err = '';
    stdout.on('data', (chunk) => (out += chunk));
    stderr.on('data', (chunk) => {
      err += chunk;
      if (err.includes('run started')) interruptOnceStarted?.abort(new Error('SIGTERM'));
    });
    const signal = interruptOnceStarted?.signal;
    const env = { METRICS_DUCKDB_DIR: join(dir, 'warehouse'), LOG_LEVEL: signal ? 'info' : 'silent', METRICS_BACKFILL_MAX_DATES: '5' };
    const code = await runCli([...base, ...flags], { stdout, stderr: stderr as unknown as NodeJS.WriteStream, env, ...(signal ? { signal } : {}) });
    return { code, out, err, lines: out.trim().split('\n') };
  };
  const recon = async (): Promise<Row[]> => {
    const warehouse = await createDuckDbWarehouse({ directory: join(dir, 'warehouse') });
    try {
      const sql = `SELECT run_id, CAST(schdld_dt AS STRING) AS run_date, source_system_id, clcltn_ds, error_category, excldd_reason_tx, retry_of FROM \`${RECON}\` ORDER BY schdld_dt, load_ts, source_system_id`;
      return (await warehouse.query({ sql, timeoutMs: 10_000 })).rows;
    } catch {
      return [];
    } finally {
      await warehouse.close();
    }
  };
  return { cli, recon, warehouseDir: join(dir, 'warehouse') };
}

const steady = metric('steady', resultSql('1'));
/** Fails on 2024-01-16 only (DATA_QUALITY_ERROR: its denominator is 0 there). */
const flaky = metric('flaky', resultSql('1', '1', "CASE WHEN '{currently}' = '2024-01-16' THEN 0 ELSE 1 END"));
const runIdOf = (line: string | undefined) => /run (\S+):/.exec(line ?? '')?.[1] ?? '';

t.test('a backfill prints one summary line per date, oldest first, and exits with the worst code of its runs', async (t) => {
  const { cli, recon } = cliSession(t, [steady, flaky]);
  const { code, lines } = await cli(['--run_date_to', '2024-01-17']);
  t.equal(code, 1, 'one date partial: 1');
  t.match(lines, [/^2024-01-15: run \S+: succeeded, 2 passed, 0 failed$/, /^2024-01-16: run \S+: partial, 1 passed, 1 failed$/, /^2024-01-17: run \S+: succeeded/]);
  t.equal(lines.length, 3);
  const rows = await recon();
  t.same(rows.map((row) => [row.run_date, row.source_system_id, row.clcltn_ds]), [
    ['2024-01-15', 'flaky', 'Success'],
    ['2024-01-15', 'steady', 'Success'],
    ['2024-01-16', 'flaky', 'Failed'],
    ['2024-01-16', 'steady', 'Success'],
    ['2024-01-17', 'flaky', 'Success'],
    ['2024-01-17', 'steady', 'Success'],
  ]);
  t.equal(new Set(rows.map((row) => row.run_id)).size, 3, 'a run id per date');
});

t.test('a backfill whose runs fail as a whole exits 2, each line saying why', async (t) => {
  const { cli } = cliSession(t, [steady]);
  const { code, lines } = await cli(['--run_date_to', '2024-01-16', '--dependencies', 'weekly']);
  t.equal(code, 2);
  t.match(lines, [/^2024-01-15: run \S+: failed, 0 passed, 0 failed \(JSON_VALIDATION_ERROR: Unknown dependencies: weekly/, /^2024-01-16: /]);
});

t.test('--only_missing after a partial backfill runs only what has no Passed row, and lists the complete dates as skipped', async (t) => {
  const { cli, recon } = cliSession(t, [steady, flaky]);
  await cli(['--run_date_to', '2024-01-17']);
  const before = (await recon()).length;
  const { code, lines } = await cli(['--run_date_to', '2024-01-17', '--only_missing']);
  t.equal(code, 1, 'flaky fails again on its date');
  t.match(lines, [/^2024-01-15: skipped: every selected metric already has a Passed recon row/, /^2024-01-16: run \S+: failed, 0 passed, 1 failed$/, /^2024-01-17: skipped/]);
  const added = (await recon()).filter((row) => row.run_id === runIdOf(lines[1]));
  t.same(added.map((row) => [row.run_date, row.source_system_id]), [['2024-01-16', 'flaky']]);
  t.equal((await recon()).length, before + 1);

  const single = await cli(['--run_date', '2024-01-17', '--only_missing']);
  t.equal(single.code, 0);
  t.same(single.lines, ['2024-01-17: skipped: every selected metric already has a Passed recon row (only_missing); nothing written']);
  t.equal((await recon()).length, before + 1, 'nothing written');
});

t.test('--retry_failed_of runs only the Failed metrics of that run, naming it as retry_of', async (t) => {
  const { cli, recon } = cliSession(t, [steady, flaky]);
  const first = await cli(['--run_date', '2024-01-16']);
  t.equal(first.code, 1);
  const original = runIdOf(first.lines.at(-1));
  const retry = await cli(['--run_date', '2024-01-16', '--retry_failed_of', original]);
  t.equal(retry.code, 1);
  t.match(retry.out, /flaky\s*│\s*Failed\s*│\s*DATA_QUALITY_ERROR/);
  t.notMatch(retry.out, /steady/);
  const retried = (await recon()).filter((row) => row.run_id === runIdOf(retry.lines.at(-1)));
  t.match(retried, [{ source_system_id: 'flaky', retry_of: original }]);
  t.equal(retried.length, 1);
});

t.test('--retry_failed_of of a run with nothing Failed exits 0 with one line and writes nothing', async (t) => {
  const { cli, recon } = cliSession(t, [steady]);
  const original = runIdOf((await cli()).lines.at(-1));
  const { code, lines, err } = await cli(['--retry_failed_of', original]);
  t.equal(code, 0, err);
  t.same(lines, [`Run ${original} has no Failed metric among the selected ones: nothing to retry; nothing written`]);
  t.equal((await recon()).length, 1);
});

t.test('--retry_failed_of of an unknown run exits 2 with one __run__ row naming the run and the recon table', async (t) => {
  const { cli, recon } = cliSession(t, [steady]);
  const { code, err } = await cli(['--retry_failed_of', 'no-such-run']);
  t.equal(code, 2);
  t.match(err, `run failed: PIPELINE_EXECUTION_ERROR: retry_failed_of: no run 'no-such-run' is recorded in ${RECON}`);
  t.match(await recon(), [
    { source_system_id: '__run__', error_category: 'PIPELINE_EXECUTION_ERROR', excldd_reason_tx: `retry_failed_of: no run 'no-such-run' is recorded in ${RECON}`, retry_of: 'no-such-run' },
  ]);
  t.equal((await recon()).length, 1);
});

t.test('bad selection flags exit 64 naming the flag, and nothing is written', async (t) => {
  const { cli, recon } = cliSession(t, [steady, flaky]);
  const unknown = await cli(['--metric_ids', 'steady,nope']);
  t.equal(unknown.code, 64);
  t.equal(unknown.err, "error: --metric_ids: not metrics of the dependencies daily: 'nope'\n");
  const conflicting = await cli(['--run_date_to', '2024-01-14', '--retry_failed_of', 'r1']);
  t.equal(conflicting.code, 64);
  t.match(conflicting.err.trim().split('\n'), [/^error: --run_date_to: must not be before run_date/, /^error: --retry_failed_of: cannot be combined with run_date_to/]);
  const tooMany = await cli(['--run_date_to', '2024-01-20']);
  t.match(tooMany.err, /--run_date_to: spans 6 dates from run_date \(2024-01-15\); a backfill covers at most 5/);
  const backfillIds = await cli(['--run_date_to', '2024-01-16', '--metric_ids', 'nope']);
  t.equal(backfillIds.code, 64);
  t.same(await recon(), []);
  const retryOtherDate = await cli(['--metric_ids', 'steady']);
  t.equal(retryOtherDate.code, 0, '--metric_ids of known metrics runs them');
  const otherDate = await cli(['--run_date', '2024-01-16', '--retry_failed_of', runIdOf(retryOtherDate.lines.at(-1))]);
  t.equal(otherDate.code, 64);
  t.match(otherDate.err, /^error: --run_date: must be 2024-01-15, the run_date of run \S+ that retry_failed_of retries/);
});

t.test('an interrupted backfill: the run in progress records its metrics as interrupted, later dates are listed as not started and get no rows', async (t) => {
  const { cli, recon } = cliSession(t, [endlessMetric('slow')]);
  // Before or after the first date's query starts, its metric is recorded as interrupted.
  const { code, lines, err } = await cli(['--run_date_to', '2024-01-17'], new AbortController());
  t.equal(code, 1);
  t.match(lines, [/^2024-01-15: run \S+: failed, 0 passed, 1 failed$/, '2024-01-16: not started (interrupted); nothing written', '2024-01-17: not started (interrupted); nothing written']);
  t.match(err, /2 date\(s\) not started; run the backfill again with --only_missing to resume/);
  t.match(await recon(), [{ run_date: '2024-01-15', source_system_id: 'slow', error_category: 'PIPELINE_EXECUTION_ERROR' }]);
  t.equal((await recon()).length, 1);
});

t.test('a recon table that is not one stops the CLI while planning a retry: exit 64 naming recon_table, nothing runs', async (t) => {
  const { cli, warehouseDir } = cliSession(t, [steady]);
  const warehouse = await createDuckDbWarehouse({ directory: warehouseDir });
  // A table by the recon name without the recon columns: no run can be read from it.
  await warehouse.createTable({ project: 'proj-a', dataset: 'audit', table: 'broken' }, [{ name: 'x', type: 'STRING' }]);
  await warehouse.close();
  const { code, err } = await cli(['--retry_failed_of', 'r1', '--recon_table', 'proj-a.audit.broken']);
  t.equal(code, 64);
  t.match(err, /recon_table: proj-a\.audit\.broken is not a recon table: it lacks the column\(s\) module_id/);
  const reopened = await createDuckDbWarehouse({ directory: warehouseDir });
  t.teardown(() => reopened.close());
  t.same((await reopened.query({ sql: 'SELECT * FROM `proj-a.audit.broken`', timeoutMs: 10_000 })).rows, [], 'nothing written');
});
