import t from 'tap';
import { resultSql } from '../helpers/fixtures.js';
import { build, finishedRun, gatedConfigSource, quickMetric, RECON, type ErrorResponse, type RunDocument } from '../helpers/build-app.js';

/** Reads a table the test creates only after the first run: Failed (SQL_EXECUTION_ERROR) before, Passed after. */
const lateMetric = { ...quickMetric('late'), sql: `${resultSql('COUNT(*)')} FROM \`proj-a.src.late\`` };

async function selectionApp(t: Parameters<typeof build>[0], options: Parameters<typeof build>[1] = {}) {
  const built = await build(t, options);
  const post = (url: string, payload: object) => built.app.inject({ method: 'POST', url, payload });
  const createLateTable = () => built.warehouse.createTable({ project: 'proj-a', dataset: 'src', table: 'late' }, [{ name: 'x', type: 'STRING' }]);
  return { ...built, post, createLateTable };
}

t.test('a retry of a partial run runs only its Failed metrics, and the passed ones keep their rows untouched', async (t) => {
  const { app, post, writeConfig, runBody, targetRows, reconRows, createLateTable } = await selectionApp(t);
  const config = writeConfig([quickMetric('a', '1'), lateMetric, quickMetric('c', '3')]);
  const original = (await post('/runs?wait=true', runBody(config))).json<RunDocument>();
  t.equal(original.status, 'partial');
  const before = await targetRows();
  await createLateTable();

  const retry = await post('/runs?wait=true', runBody(config, { retry_failed_of: original.run_id }));
  t.equal(retry.statusCode, 200);
  const document = retry.json<RunDocument>();
  t.not(document.run_id, original.run_id, 'a retry is a run of its own');
  t.match(document, { status: 'succeeded', retry_of: original.run_id, parameters: { retry_failed_of: original.run_id, metric_ids: ['late'] } });
  t.same(document.metrics.map((metric) => metric.metric_id), ['late']);

  const after = await targetRows();
  t.same(after.filter((row) => row.metric_id !== 'late'), before, 'a and c: same rows, same run_id and pipeline_execution_ts');
  t.match(after.find((row) => row.metric_id === 'late'), { run_id: document.run_id, metric_output: '0' });
  const retryRows = (await reconRows()).filter((row) => row.run_id === document.run_id);
  t.match(retryRows, [{ source_system_id: 'late', clcltn_ds: 'Success', retry_of: original.run_id }]);
  t.equal(retryRows.length, 1, 'recon rows only for the metric that ran');

  const readBack = await finishedRun(app, document.run_id);
  t.match(readBack, { source: 'recon_table', retry_of: original.run_id, parameters: { retry_failed_of: original.run_id } }, 'GET /runs/:id shows retry_of from the recon table');
  t.match(await finishedRun(app, original.run_id), { retry_of: null });
});

t.test('a retry of a run that failed as a whole runs every selected metric', async (t) => {
  const { post, dir, writeConfig, runBody } = await selectionApp(t);
  const missing = `${dir}/later.json`;
  const original = (await post('/runs?wait=true', runBody(missing))).json<RunDocument>();
  t.match(original, { status: 'failed', metrics: [] });
  const config = writeConfig([quickMetric('a'), quickMetric('b')]);
  const retry = (await post('/runs?wait=true', runBody(config, { retry_failed_of: original.run_id }))).json<RunDocument>();
  t.match(retry, { status: 'succeeded', retry_of: original.run_id });
  t.same(retry.metrics.map((metric) => metric.metric_id), ['a', 'b']);
});

t.test('metric_ids narrows a retry to the failed metrics it names', async (t) => {
  const { post, writeConfig, runBody, createLateTable } = await selectionApp(t);
  const broken = { ...quickMetric('broken'), sql: 'SELECT * FROM `proj-a.nowhere.missing`' };
  const config = writeConfig([quickMetric('a'), lateMetric, broken]);
  const original = (await post('/runs?wait=true', runBody(config))).json<RunDocument>();
  await createLateTable();
  const retry = (await post('/runs?wait=true', runBody(config, { retry_failed_of: original.run_id, metric_ids: 'late,a' }))).json<RunDocument>();
  t.same(retry.metrics.map((metric) => metric.metric_id), ['late'], 'failed ∩ named: a Passed, broken is not named');
});

t.test('retry_failed_of answers 404 for an unknown run, 409 for a run with nothing Failed or still in flight, 400 for another date', async (t) => {
  let gate!: ReturnType<typeof gatedConfigSource>;
  const { post, writeConfig, runBody } = await selectionApp(t, { configSource: (real) => (gate = gatedConfigSource(real)) });
  const config = writeConfig([quickMetric('a')]);

  const inFlight = (await post('/runs', runBody(config))).json<RunDocument>();
  const early = await post('/runs', runBody(config, { retry_failed_of: inFlight.run_id }));
  t.equal(early.statusCode, 409);
  t.match(early.json(), { code: 'RUN_IN_PROGRESS', message: new RegExp(inFlight.run_id) });
  gate.release();

  const unknown = await post('/runs', runBody(config, { retry_failed_of: 'no-such-run' }));
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { code: 'RUN_NOT_FOUND', message: `No run 'no-such-run' is in flight here or recorded in ${RECON}` });

  const succeeded = await post('/runs?wait=true', runBody(config, { run_date: '2024-01-20' }));
  const runId = succeeded.json<RunDocument>().run_id;
  const nothing = await post('/runs', runBody(config, { run_date: '2024-01-20', retry_failed_of: runId }));
  t.equal(nothing.statusCode, 409);
  t.match(nothing.json(), { code: 'NOTHING_TO_RETRY' });

  const otherDate = await post('/runs', runBody(config, { run_date: '2024-01-21', retry_failed_of: runId }));
  t.equal(otherDate.statusCode, 400);
  t.match(otherDate.json<ErrorResponse>().details, [{ field: 'run_date', reason: `must be 2024-01-20, the run_date of run ${runId} that retry_failed_of retries` }]);
});

t.test('metric_ids runs only the named metrics, and recon rows are written for them only', async (t) => {
  const { post, writeConfig, runBody, reconRows } = await selectionApp(t);
  const config = writeConfig([quickMetric('a'), quickMetric('b'), quickMetric('c')]);
  const response = await post('/runs?wait=true', runBody(config, { metric_ids: ['c', 'a'] }));
  t.equal(response.statusCode, 200);
  t.same(response.json<RunDocument>().metrics.map((metric) => metric.metric_id), ['a', 'c'], 'in file order');
  t.same((await reconRows()).map((row) => row.source_system_id), ['a', 'c']);
});

t.test('metric_ids outside the selected dependencies is a bad parameter naming each id, and nothing runs', async (t) => {
  const { app, post, writeConfig, runBody } = await selectionApp(t);
  const config = writeConfig([quickMetric('a'), { ...quickMetric('weekly_one'), dependency: 'weekly' }]);
  const response = await post('/runs', runBody(config, { metric_ids: 'a, weekly_one, nope' }));
  t.equal(response.statusCode, 400);
  t.match(response.json(), {
    code: 'INVALID_RUN_PARAMETERS',
    details: [{ field: 'metric_ids', reason: "not metrics of the dependencies daily: 'weekly_one', 'nope'" }],
  });
  const malformed = await post('/runs', runBody(config, { metric_ids: ['a', 'x y'], only_missing: 'sometimes' }));
  t.same(malformed.json<ErrorResponse>().details?.map((problem) => problem.field), ['metric_ids', 'only_missing']);
  t.same((await app.inject({ method: 'GET', url: '/runs' })).json(), { runs: [], next_offset: null }, 'no run, no recon row');
});

t.test('a config that cannot be read is the run\'s failure to record, whatever metric_ids, only_missing or retry_failed_of say', async (t) => {
  const { post, dir, writeConfig, runBody } = await selectionApp(t);
  const broken = { ...quickMetric('broken'), sql: 'SELECT * FROM `proj-a.nowhere.missing`' };
  const partial = (await post('/runs?wait=true', runBody(writeConfig([quickMetric('a'), broken])))).json<RunDocument>();
  const absent = `${dir}/absent.json`;
  for (const narrowing of [{ metric_ids: ['a'] }, { only_missing: true }, { retry_failed_of: partial.run_id }]) {
    const response = await post('/runs?wait=true', runBody(absent, narrowing));
    t.equal(response.statusCode, 422, Object.keys(narrowing).join());
    t.match(response.json(), { status: 'failed', run_failure: { error_category: 'GCS_READ_ERROR' } });
  }
});

t.test('only_missing runs the metrics without a Passed row for the date, and answers skipped when there are none', async (t) => {
  const { post, writeConfig, runBody, reconRows } = await selectionApp(t);
  const first = writeConfig([quickMetric('a')]);
  await post('/runs?wait=true', runBody(first, { env: 'PRD' }));
  const grown = writeConfig([quickMetric('a'), quickMetric('b')]);
  const missing = await post('/runs?wait=true', runBody(grown, { only_missing: true }));
  t.equal(missing.statusCode, 200);
  t.match(missing.json(), { status: 'succeeded', parameters: { metric_ids: ['b'], only_missing: true } }, 'a Passed in an earlier run, in another env');
  t.same(missing.json<RunDocument>().metrics.map((metric) => metric.metric_id), ['b']);

  const rows = (await reconRows()).length;
  const skipped = await post('/runs', runBody(grown, { only_missing: true }));
  t.equal(skipped.statusCode, 200);
  t.same(skipped.json(), { status: 'skipped', run_date: '2024-01-15' });
  t.equal((await reconRows()).length, rows, 'nothing written');
  t.equal((await post('/runs', runBody(grown, { only_missing: true, run_date: '2024-01-16' }))).statusCode, 202, 'another date is not complete');
});
