import t, { type Test } from 'tap';
import { TARGET_COLUMNS } from '../../services/pipeline/target-rows.js';
import { parseTableRef } from '../../services/table-ref.js';
import { resultSql } from '../helpers/fixtures.js';
import {
  build,
  finishedRun,
  gatedConfigSource,
  quickMetric,
  TARGET,
  type Backfill,
  type ErrorResponse,
  type RunDocument,
  type RunPage,
} from '../helpers/build-app.js';

const DATES = ['2024-01-15', '2024-01-16', '2024-01-17'];

/**
 * Counts the target rows of the dates before its own: on each date it sees
 * exactly the rows the earlier dates wrote, which holds only when the dates
 * run oldest first and one at a time.
 */
const historyMetric = {
  ...quickMetric('history'),
  sql: `${resultSql('COUNT(*)')} FROM \`${TARGET}\` WHERE partition_dt < '{currently}'`,
};

/** Fails on 2024-01-16 only (DATA_QUALITY_ERROR: its denominator is 0 there). */
const flakyMetric = { ...quickMetric('flaky'), sql: resultSql('1', '1', "CASE WHEN '{currently}' = '2024-01-16' THEN 0 ELSE 1 END") };

async function backfillApp(t: Test, options: Parameters<typeof build>[1] = {}) {
  const built = await build(t, options);
  // The history metric reads the target table from the first date on.
  await built.warehouse.createTable(parseTableRef(TARGET), TARGET_COLUMNS);
  const post = (payload: object, headers: Record<string, string> = {}) => built.app.inject({ method: 'POST', url: '/backfills', payload, headers });
  const finished = async (backfill: Backfill) => Promise.all(backfill.runs.map((run) => finishedRun(built.app, run.run_id)));
  return { ...built, post, finished };
}

t.test('a 3-date backfill runs one run per date, oldest first and one at a time, each writing its own date; a rerun replaces them', async (t) => {
  const { post, finished, writeConfig, runBody, targetRows, reconRows } = await backfillApp(t);
  const payload = runBody(writeConfig([historyMetric, quickMetric('m1', '7')]), { run_date_to: '2024-01-17' });
  const response = await post(payload);
  t.equal(response.statusCode, 202);
  const backfill = response.json<Backfill>();
  t.match(backfill, { backfill_id: String, skipped: [] });
  t.same(backfill.runs.map((run) => run.run_date), DATES);
  t.equal(new Set(backfill.runs.map((run) => run.run_id)).size, 3, 'each date is its own run');

  const documents = await finished(backfill);
  t.same(documents.map((document: RunDocument) => [document.status, document.parameters.run_date]), DATES.map((date) => ['succeeded', date]));
  const rows = await targetRows();
  t.same(
    rows.map((row) => [row.partition_dt, row.metric_id, row.metric_output, row.run_id]),
    backfill.runs.flatMap((run, index) => [
      [run.run_date, 'history', String(2 * index), run.run_id],
      [run.run_date, 'm1', '7', run.run_id],
    ]),
    'one row per metric and date, written by that date\'s run; each date saw exactly the dates before it',
  );
  t.same(
    new Set((await reconRows()).map((row) => `${row.run_id} ${row.schdld_dt} ${row.source_system_id}`)),
    new Set(backfill.runs.flatMap((run) => [`${run.run_id} ${run.run_date} history`, `${run.run_id} ${run.run_date} m1`])),
  );

  // The same backfill again: the same target rows but for execution times and run ids.
  const again = (await post(payload)).json<Backfill>();
  await finished(again);
  const kept = (table: typeof rows) => table.map(({ pipeline_execution_ts: _ts, run_id: _run, ...row }) => row);
  const rerun = await targetRows();
  t.same(kept(rerun), kept(rows), 'a rerun replaces rows, it adds none');
  t.same(rerun.map((row) => row.run_id), again.runs.flatMap((run) => [run.run_id, run.run_id]));
});

t.test('GET /runs?run_date_from=&run_date_to= lists the runs of a backfill, in flight and finished', async (t) => {
  let gate!: ReturnType<typeof gatedConfigSource>;
  const { app, post, finished, writeConfig, runBody } = await backfillApp(t, { configSource: (real) => (gate = gatedConfigSource(real)) });
  const config = writeConfig([quickMetric('m1')]);
  await app.inject({ method: 'POST', url: '/runs', payload: runBody(config, { run_date: '2024-01-10' }) });
  const backfill = (await post(runBody(config, { run_date_to: '2024-01-17' }))).json<Backfill>();
  const list = async (query: string) => (await app.inject({ method: 'GET', url: `/runs${query}` })).json<RunPage>();

  const inFlight = await list('?run_date_from=2024-01-15&run_date_to=2024-01-17');
  t.same(new Set(inFlight.runs.map((run) => run.run_id)), new Set(backfill.runs.map((run) => run.run_id)), 'queued and running, from this instance');
  t.same((await list('?limit=2')).runs.map((run) => run.run_date), ['2024-01-17', '2024-01-16'], 'runs in flight stay within the limit, the last accepted first');
  gate.release();
  await finished(backfill);
  const done = await list('?run_date_from=2024-01-16&run_date_to=2024-01-17');
  t.same(done.runs.map((run) => [run.run_date, run.status]).sort(), [['2024-01-16', 'succeeded'], ['2024-01-17', 'succeeded']], 'from the recon table');
  t.same((await list('?run_date_from=2024-01-17')).runs.map((run) => run.run_date), ['2024-01-17'], 'either bound alone');
  t.same((await list('?run_date_to=2024-01-14')).runs.map((run) => run.run_date), ['2024-01-10']);

  const reversed = await app.inject({ method: 'GET', url: '/runs?run_date_from=2024-01-17&run_date_to=2024-01-15' });
  t.equal(reversed.statusCode, 400);
  t.match(reversed.json<ErrorResponse>().details, [{ field: 'run_date_to', reason: /must not be before run_date_from/ }]);
});

t.test('the same Idempotency-Key returns the same backfill with the same body, and queues its runs once', async (t) => {
  const { post, finished, writeConfig, runBody, reconRows } = await backfillApp(t);
  const payload = runBody(writeConfig([quickMetric('m1')]), { run_date_to: '2024-01-16' });
  const headers = { 'idempotency-key': 'backfill-january' };
  const first = await post(payload, headers);
  t.equal(first.statusCode, 202);
  await finished(first.json<Backfill>());
  const again = await post(payload, headers);
  t.equal(again.statusCode, 200);
  t.same(again.json(), first.json(), 'the same body as the first time');
  t.equal((await reconRows()).length, 2, 'two dates ran once each');

  const reused = await post({ ...payload, run_date_to: '2024-01-17' }, headers);
  t.equal(reused.statusCode, 409);
  t.match(reused.json(), { code: 'IDEMPOTENCY_KEY_REUSED', message: /already started backfill/ });
});

t.test('a request identical to a backfill still in flight returns that backfill', async (t) => {
  let gate!: ReturnType<typeof gatedConfigSource>;
  const { post, finished, writeConfig, runBody } = await backfillApp(t, { configSource: (real) => (gate = gatedConfigSource(real)) });
  const payload = runBody(writeConfig([quickMetric('m1')]), { run_date_to: '2024-01-16' });
  const first = await post(payload);
  const same = await post({ ...payload, env: 'dev' });
  t.equal(same.statusCode, 200);
  t.same(same.json(), first.json());
  gate.release();
  await finished(first.json<Backfill>());
  t.equal(gate.reads, 2, 'one config read per date, no second backfill');
  t.equal((await post(payload)).statusCode, 202, 'once finished, the same request is a new backfill');
});

t.test('only_missing after a partial backfill runs only the dates and metrics without a Passed row', async (t) => {
  const { post, finished, writeConfig, runBody, reconRows } = await backfillApp(t);
  const config = writeConfig([quickMetric('steady'), flakyMetric]);
  const partial = (await post(runBody(config, { run_date_to: '2024-01-17' }))).json<Backfill>();
  t.same((await finished(partial)).map((document) => document.status), ['succeeded', 'partial', 'succeeded']);

  const resumed = await post(runBody(config, { run_date_to: '2024-01-17', only_missing: true }));
  t.equal(resumed.statusCode, 202);
  const backfill = resumed.json<Backfill>();
  t.same(backfill.skipped, ['2024-01-15', '2024-01-17'], 'complete dates are listed as skipped, not run');
  t.same(backfill.runs.map((run) => run.run_date), ['2024-01-16']);
  const [rerun] = await finished(backfill);
  t.match(rerun, { status: 'failed', source: 'recon_table', counts: { metrics: 1, failed: 1 } }, 'flaky fails again on its date');
  const rows = (await reconRows()).filter((row) => row.run_id === backfill.runs[0]?.run_id);
  t.same(rows.map((row) => row.source_system_id), ['flaky'], 'only the metric without a Passed row ran');

  const allDone = await post(runBody(config, { run_date: '2024-01-15', run_date_to: '2024-01-15', only_missing: true }));
  t.equal(allDone.statusCode, 200, 'nothing queued');
  t.match(allDone.json(), { runs: [], skipped: ['2024-01-15'] });
});

t.test('POST /backfills names every bad field at once, run_date_to included', async (t) => {
  const { post, writeConfig, runBody } = await backfillApp(t, { settings: { METRICS_BACKFILL_MAX_DATES: 3 } });
  const config = writeConfig([quickMetric('m1')]);
  const problems = async (payload: object) => (await post(payload)).json<ErrorResponse>().details?.map((problem) => `${problem.field}: ${problem.reason}`);

  t.match(await problems(runBody(config, { run_date_to: '2024-01-14', env: 'QA' })), [/^env: must be one of/, /^run_date_to: must not be before run_date \(2024-01-15\)/]);
  t.match(await problems(runBody(config, { run_date_to: '2024-01-18' })), [/^run_date_to: spans 4 dates from run_date \(2024-01-15\); a backfill covers at most 3 \(METRICS_BACKFILL_MAX_DATES\)/]);
  t.match(await problems(runBody(config, { run_date_to: '2024-02-30' })), [/^run_date_to: must be a real calendar date/]);
  t.match(await problems(runBody(config, { run_date_to: '2024-01-16', retry_failed_of: 'r1' })), [/^retry_failed_of: cannot be combined with run_date_to/]);
  t.match(await problems(runBody(config, { run_date_to: '2024-01-16', metric_ids: ['m1', 'nope'] })), [/^metric_ids: not metrics of the dependencies daily: 'nope'/]);
  t.match(await problems(runBody(config)), [/^run_date_to: must be a real calendar date as YYYY-MM-DD, got nothing/]);
  const response = await post(runBody(config, { run_date_to: '2024-01-16', run_dates: 2 }));
  t.equal(response.statusCode, 400);
  t.match(response.json(), { code: 'INVALID_RUN_PARAMETERS', details: [{ field: 'run_dates', reason: 'is not a known field' }] });
});

t.test('POST /backfills answers 429 when the run queue is full, and the series takes one place whatever its dates', async (t) => {
  let gate!: ReturnType<typeof gatedConfigSource>;
  const { post, runBody, writeConfig } = await backfillApp(t, {
    settings: { METRICS_RUNS_IN_FLIGHT: 1, METRICS_RUN_QUEUE_SIZE: 1 },
    configSource: (real) => (gate = gatedConfigSource(real)),
  });
  const config = writeConfig([quickMetric('m1')]);
  t.equal((await post(runBody(config, { run_date_to: '2024-01-17' }))).statusCode, 202, 'three dates, one place');
  t.equal((await post(runBody(config, { run_date: '2024-02-01', run_date_to: '2024-02-03' }))).statusCode, 202, 'the second place');
  const full = await post(runBody(config, { run_date: '2024-03-01', run_date_to: '2024-03-02' }));
  t.equal(full.statusCode, 429);
  t.match(full.json(), { code: 'RUN_QUEUE_FULL' });
  gate.release();
});
