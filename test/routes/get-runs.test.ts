import t from 'tap';
import { RECON_COLUMNS } from '../../services/pipeline/recon-rows.js';
import { TARGET_COLUMNS } from '../../services/pipeline/target-rows.js';
import { build, gatedConfigSource, quickMetric, RECON, type ErrorResponse, type RunDocument, type RunPage } from '../helpers/build-app.js';

t.test('GET /runs/:id answers a run in flight from this instance', async (t) => {
  let gate!: ReturnType<typeof gatedConfigSource>;
  const { app, writeConfig, runBody } = await build(t, { configSource: (real) => (gate = gatedConfigSource(real)) });
  const accepted = await app.inject({ method: 'POST', url: '/runs', payload: runBody(writeConfig([quickMetric('m1')])) });
  const response = await app.inject({ method: 'GET', url: `/runs/${accepted.json<RunDocument>().run_id}` });
  t.equal(response.statusCode, 200);
  t.match(response.json(), { run_id: accepted.json<RunDocument>().run_id, status: 'running', source: 'instance', finished_at: null });
  gate.release();
});

t.test('GET /runs/:id answers a finished run from the recon table', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const broken = { ...quickMetric('m2'), sql: 'SELECT * FROM `proj-a.nowhere.missing`' };
  const done = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([quickMetric('m1'), broken])) });
  const runId = done.json<RunDocument>().run_id;
  const response = await app.inject({ method: 'GET', url: `/runs/${runId}` });
  t.equal(response.statusCode, 200);
  t.match(response.json(), {
    run_id: runId,
    status: 'partial',
    source: 'recon_table',
    parameters: { run_date: '2024-01-15', env: 'DEV', recon_table: RECON },
    counts: { metrics: 2, passed: 1, failed: 1, pending: 0 },
    metrics: [
      { metric_id: 'm1', status: 'Passed', error_category: null, target_table: 'metrics.out', finished_at: /Z$/ },
      { metric_id: 'm2', status: 'Failed', error_category: 'SQL_EXECUTION_ERROR', reason: /nowhere/ },
    ],
  });
});

t.test('a tolerance breach shows in the run document: in full from this instance, limit and outcome from the recon table', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const checked = (output: string) => ({ ...quickMetric('m1', output), tolerance_pct: 10 });
  await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([checked('100'), quickMetric('m2')]), { run_date: '2024-01-14' }) });
  const done = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([checked('120'), quickMetric('m2')])) });
  t.equal(done.statusCode, 200, 'a warn breach still succeeds');
  const breach = { limit_pct: '10', outcome: 'Failed' };
  t.match(done.json<RunDocument>().metrics, [
    { metric_id: 'm1', status: 'Passed', reason: /Tolerance breached: baseline 100\.000000000, change 20%, limit 10%$/, tolerance: { ...breach, baseline: '100.000000000', change_pct: '20' } },
    { metric_id: 'm2', tolerance: null },
  ]);
  const recorded = await app.inject({ method: 'GET', url: `/runs/${done.json<RunDocument>().run_id}` });
  t.match(recorded.json<RunDocument>().metrics, [
    { metric_id: 'm1', reason: /Tolerance breached/, tolerance: { ...breach, baseline: null, change_pct: null } },
    { metric_id: 'm2', tolerance: null },
  ]);
});

t.test('GET /runs/:id reports a run that failed as a whole from its __run__ row', async (t) => {
  const { app, runBody, dir } = await build(t);
  const done = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(`${dir}/absent.json`) });
  const response = await app.inject({ method: 'GET', url: `/runs/${done.json<RunDocument>().run_id}` });
  t.match(response.json(), { status: 'failed', metrics: [], run_failure: { error_category: 'GCS_READ_ERROR' }, parameters: { gcs_path: `${dir}/absent.json` } });
});

t.test('GET /runs/:id answers 404 for an unknown run, also when the recon table does not exist', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const missingTable = await app.inject({ method: 'GET', url: '/runs/nope' });
  t.equal(missingTable.statusCode, 404);
  t.match(missingTable.json(), { statusCode: 404, code: 'RUN_NOT_FOUND' });
  await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([quickMetric('m1')])) });
  t.equal((await app.inject({ method: 'GET', url: '/runs/nope' })).statusCode, 404);
});

t.test('GET /runs/:id reads the recon table the request names', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const done = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([quickMetric('m1')])) });
  const elsewhere = await app.inject({ method: 'GET', url: `/runs/${done.json<RunDocument>().run_id}?recon_table=proj-a.audit.other` });
  t.equal(elsewhere.statusCode, 404);
  const bad = await app.inject({ method: 'GET', url: `/runs/${done.json<RunDocument>().run_id}?recon_table=not-a-table` });
  t.equal(bad.statusCode, 400);
  t.match(bad.json<ErrorResponse>().details, [{ field: 'recon_table' }]);
});

t.test('GET /runs lists finished runs newest first, filtered and paged', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const good = writeConfig([quickMetric('m1')]);
  const bad = writeConfig([{ ...quickMetric('m1'), sql: 'SELECT 1 FROM `proj-a.nowhere.missing`' }]);
  const ids: string[] = [];
  for (const [config, runDate] of [[good, '2024-01-01'], [bad, '2024-01-02'], [good, '2024-01-02']] as const) {
    const done = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(config, { run_date: runDate }) });
    ids.push(done.json<RunDocument>().run_id);
  }
  const all = await app.inject({ method: 'GET', url: '/runs' });
  t.equal(all.statusCode, 200);
  t.same(new Set(all.json<RunPage>().runs.map((run: { run_id: string }) => run.run_id)), new Set(ids));
  const finishedAt = all.json<RunPage>().runs.map((run) => run.finished_at);
  t.same(finishedAt, [...finishedAt].sort().reverse(), 'newest first');

  const failed = await app.inject({ method: 'GET', url: '/runs?status=failed' });
  t.match(failed.json<RunPage>().runs, [{ run_id: ids[1], status: 'failed', run_date: '2024-01-02', counts: { metrics: 1, failed: 1 } }]);
  t.equal(failed.json<RunPage>().runs.length, 1);

  const byDate = await app.inject({ method: 'GET', url: '/runs?run_date=2024-01-02&limit=1' });
  t.equal(byDate.json<RunPage>().runs.length, 1);
  t.equal(byDate.json<RunPage>().next_offset, 1);
  const next = await app.inject({ method: 'GET', url: '/runs?run_date=2024-01-02&limit=1&offset=1' });
  t.equal(next.json<RunPage>().runs.length, 1);
  t.equal(next.json<RunPage>().next_offset, null);
  t.not(next.json<RunPage>().runs[0]?.run_id, byDate.json<RunPage>().runs[0]?.run_id);
});

t.test('GET /runs starts with the runs in flight here, then the finished ones', async (t) => {
  let releaseHeld!: () => void;
  const held = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  const heldPaths = new Set<string>();
  const { app, writeConfig, runBody } = await build(t, {
    settings: { METRICS_RUNS_IN_FLIGHT: 1 },
    configSource: (real) => ({
      async read(path: string) {
        if (heldPaths.has(path)) await held;
        return real.read(path);
      },
    }),
  });
  const post = async (url: string, config: string, runDate: string) =>
    (await app.inject({ method: 'POST', url, payload: runBody(config, { run_date: runDate }) })).json<RunDocument>().run_id;
  const list = async (query: string) => (await app.inject({ method: 'GET', url: `/runs${query}` })).json<RunPage>();
  const finished = await post('/runs?wait=true', writeConfig([quickMetric('m1')]), '2024-01-01');
  const heldConfig = writeConfig([quickMetric('m2')]);
  heldPaths.add(heldConfig);
  const running = await post('/runs', heldConfig, '2024-01-02');
  const queued = await post('/runs', heldConfig, '2024-01-03');

  const all = await list('');
  t.match(all.runs, [
    { run_id: queued, status: 'queued', run_date: '2024-01-03', env: 'DEV', finished_at: null },
    { run_id: running, status: 'running', run_date: '2024-01-02', finished_at: null },
    { run_id: finished, status: 'succeeded', run_date: '2024-01-01', finished_at: /Z$/ },
  ]);
  t.equal(all.runs.length, 3);
  t.same(await list('?status=running'), { runs: [all.runs[1]], next_offset: null }, 'filtered by status, without the recon table');
  t.same((await list('?status=succeeded')).runs.map((run: { run_id: string }) => run.run_id), [finished]);
  t.same((await list('?run_date=2024-01-03')).runs.map((run: { run_id: string }) => run.run_id), [queued]);
  t.same(await list('?offset=1'), { runs: [], next_offset: null }, 'later pages hold finished runs only');
  t.same(await list('?recon_table=proj-a.audit.other'), { runs: [], next_offset: null }, 'only runs writing to the recon table asked for');
  releaseHeld();
});

t.test('GET /runs is empty while the recon table does not exist', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: '/runs' });
  t.equal(response.statusCode, 200);
  t.same(response.json(), { runs: [], next_offset: null });
});

t.test('GET /runs names each bad query parameter', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: '/runs?limit=0&status=done' });
  t.equal(response.statusCode, 400);
  t.same(response.json<ErrorResponse>().details?.map((problem: { field: string }) => problem.field).sort(), ['limit', 'status']);
});

t.test('GET /runs answers 400 naming offset or limit when huge, not whole or negative, never 500', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  // A recon table that exists, so a bad offset would reach the warehouse.
  await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([quickMetric('m1')])) });
  for (const [query, field] of [
    ['offset=1e20', 'offset'],
    ['offset=9007199254740993', 'offset'],
    ['offset=1000001', 'offset'],
    ['offset=1.5', 'offset'],
    ['offset=-1', 'offset'],
    ['offset=ten', 'offset'],
    ['offset=-Infinity', 'offset'],
    ['limit=Infinity', 'limit'],
    ['limit=1e400', 'limit'],
    ['limit=1e3', 'limit'],
    ['limit=0.5', 'limit'],
    ['limit=101', 'limit'],
  ] as const) {
    const response = await app.inject({ method: 'GET', url: `/runs?${query}` });
    t.equal(response.statusCode, 400, query);
    t.same(response.json<ErrorResponse>().details?.map((problem) => problem.field), [field], query);
  }
  t.equal((await app.inject({ method: 'GET', url: '/runs?offset=1000000' })).statusCode, 200, 'the largest offset is answered');
});

t.test('GET /runs answers 400 for a recon_table name longer than BigQuery allows', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: `/runs?recon_table=proj-a.audit.${'x'.repeat(1025)}` });
  t.equal(response.statusCode, 400);
  t.match(response.json<ErrorResponse>().details, [{ field: 'recon_table', reason: /longer than BigQuery's limit of 1024 characters/ }]);
});

t.test('a failing recon read answers 500 without its cause', async (t) => {
  const { app, warehouse } = await build(t);
  // Every recon column, but a run_id no run id can be compared with: the query fails in the warehouse.
  const columns = RECON_COLUMNS.map((column) => (column.name === 'run_id' ? { ...column, type: 'INT64' as const } : column));
  const broken = { project: 'proj-a', dataset: 'audit', table: 'broken' };
  await warehouse.createTable(broken, columns);
  await warehouse.appendRows(broken, [{ name: 'run_id', type: 'INT64' }], [{ run_id: '1' }]);
  const response = await app.inject({ method: 'GET', url: '/runs/r1?recon_table=proj-a.audit.broken' });
  t.equal(response.statusCode, 500);
  t.same(response.json(), {
    statusCode: 500,
    error: 'Internal Server Error',
    code: 'INTERNAL_ERROR',
    message: 'Internal server error',
    request_id: response.headers['x-request-id'],
  });
});

t.test('a recon table whose schema cannot be read answers 500 without its cause', async (t) => {
  const { app, warehouse } = await build(t);
  await warehouse.close();
  const response = await app.inject({ method: 'GET', url: '/runs' });
  t.equal(response.statusCode, 500);
  t.equal(response.json<ErrorResponse>().code, 'INTERNAL_ERROR');
});

t.test('GET /runs and GET /runs/:id on a table that is not a recon table answer 400 naming the columns it lacks', async (t) => {
  const { app, warehouse } = await build(t);
  await warehouse.createTable({ project: 'proj-a', dataset: 'metrics', table: 'out' }, TARGET_COLUMNS);
  for (const url of ['/runs?recon_table=proj-a.metrics.out', '/runs/r1?recon_table=proj-a.metrics.out']) {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 400, url);
    t.match(response.json<ErrorResponse>(), {
      code: 'INVALID_RUN_PARAMETERS',
      details: [{ field: 'recon_table', reason: /^proj-a\.metrics\.out is not a recon table: it lacks the column\(s\) module_id, .*error_category$/ }],
    });
  }
});

t.test('GET /runs with a recon table in a project the warehouse has no file for answers 400 naming the project', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: '/runs?recon_table=ghost-proj.audit.recon' });
  t.equal(response.statusCode, 400);
  t.match(response.json<ErrorResponse>().details, [{ field: 'recon_table', reason: /Project 'ghost-proj' has no database file ghost-proj\.duckdb/ }]);
});

t.test('an unknown route answers 404 in the error shape', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: '/nothing-here' });
  t.equal(response.statusCode, 404);
  t.match(response.json(), { statusCode: 404, error: 'Not Found', code: 'ROUTE_NOT_FOUND' });
});
