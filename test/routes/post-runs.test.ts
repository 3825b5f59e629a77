import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { build, gatedConfigSource, quickMetric, type ErrorResponse, type RunDocument } from '../helpers/build-app.js';

t.test('POST /runs accepts a run with 202, its document and Location', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const response = await app.inject({ method: 'POST', url: '/runs', payload: runBody(writeConfig([quickMetric('m1')])) });
  t.equal(response.statusCode, 202);
  const body = response.json<RunDocument>();
  t.match(body, { run_id: String, status: /^(queued|running)$/, parameters: { run_date: '2024-01-15', dependencies: ['daily'], env: 'DEV' } });
  t.equal(response.headers.location, `/runs/${body.run_id}`);
});

t.test('POST /runs takes dependencies as a comma-separated string', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const payload = runBody(writeConfig([quickMetric('m1')]), { dependencies: ' daily, weekly ,', env: 'dev' });
  const response = await app.inject({ method: 'POST', url: '/runs', payload });
  t.equal(response.statusCode, 202);
  t.match(response.json<RunDocument>().parameters, { dependencies: ['daily', 'weekly'], env: 'DEV' });
});

t.test('POST /runs names every bad field at once', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({
    method: 'POST',
    url: '/runs',
    payload: { gcs_path: 'http://x/y', run_date: '2024-02-30', dependencies: [], partition_info_table: 'a.b', env: 'QA', recon_table: 'x' },
  });
  t.equal(response.statusCode, 400);
  const body = response.json<ErrorResponse>();
  t.match(body, { statusCode: 400, error: 'Bad Request', code: 'INVALID_RUN_PARAMETERS' });
  t.same(
    body.details?.map((problem: { field: string }) => problem.field).sort(),
    ['dependencies', 'env', 'gcs_path', 'partition_info_table', 'recon_table', 'run_date'],
  );
});

t.test('POST /runs refuses an unknown field instead of ignoring it, together with the other problems', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const { run_date: _dropped, ...payload } = runBody(writeConfig([quickMetric('m1')]), { run_dat: '2024-01-15', env: 'nope' });
  const response = await app.inject({ method: 'POST', url: '/runs', payload });
  t.equal(response.statusCode, 400);
  const fields = response.json<ErrorResponse>().details?.map((problem: { field: string }) => problem.field).sort();
  t.same(fields, ['env', 'run_dat', 'run_date']);
});

t.test('POST /runs answers 400 for malformed JSON', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'POST', url: '/runs', headers: { 'content-type': 'application/json' }, payload: '{"gcs_path": ' });
  t.equal(response.statusCode, 400);
  t.match(response.json(), { statusCode: 400, code: 'MALFORMED_JSON' });
});

t.test('POST /runs answers 413 for a body over 1 MiB', async (t) => {
  const { app, runBody } = await build(t);
  const payload = JSON.stringify(runBody('x'.repeat(1024 * 1024)));
  const response = await app.inject({ method: 'POST', url: '/runs', headers: { 'content-type': 'application/json' }, payload });
  t.equal(response.statusCode, 413);
  t.match(response.json(), { statusCode: 413, code: 'BODY_TOO_LARGE' });
});

t.test('POST /runs refuses a local config path unless local configs are allowed', async (t) => {
  const { app, writeConfig, runBody } = await build(t, { settings: { METRICS_ALLOW_LOCAL_CONFIG: false } });
  const response = await app.inject({ method: 'POST', url: '/runs', payload: runBody(writeConfig([quickMetric('m1')])) });
  t.equal(response.statusCode, 400);
  t.match(response.json<ErrorResponse>().details, [{ field: 'gcs_path', reason: /local config paths are not allowed/ }]);
});

t.test('POST /runs judges the types as sent: a number or a boolean is not a dependency name, a number not a date', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const config = writeConfig([quickMetric('m1')]);
  for (const [field, value] of [['dependencies', 0], ['dependencies', [true]], ['run_date', 20240115], ['env', 1]] as const) {
    const response = await app.inject({ method: 'POST', url: '/runs', payload: runBody(config, { [field]: value }) });
    t.equal(response.statusCode, 400, `${field}: ${JSON.stringify(value)}`);
    t.match(response.json<ErrorResponse>().details, [{ field }]);
  }
});

t.test('POST /runs answers 400 for a table name longer than BigQuery allows, and creates nothing', async (t) => {
  const { app, settings, writeConfig, runBody } = await build(t);
  const table = `${'x'.repeat(100_000)}`;
  const response = await app.inject({ method: 'POST', url: '/runs', payload: runBody(writeConfig([quickMetric('m1')]), { recon_table: `analytics.audit.${table}` }) });
  t.equal(response.statusCode, 400);
  t.match(response.json<ErrorResponse>().details, [{ field: 'recon_table', reason: /^table 'x{80}\.\.\.' \(100000 characters\) is longer than BigQuery's limit/ }]);
  t.ok(response.body.length < 2_000, 'the name is not echoed whole');
  t.notOk(existsSync(join(settings.METRICS_DUCKDB_DIR, 'analytics.duckdb')), 'no project, so no table, was created');
});

t.test('POST /runs answers 429 with Retry-After when every slot and the queue are taken', async (t) => {
  let gate!: ReturnType<typeof gatedConfigSource>;
  const { app, writeConfig, runBody } = await build(t, {
    settings: { METRICS_RUNS_IN_FLIGHT: 1, METRICS_RUN_QUEUE_SIZE: 1 },
    configSource: (real) => (gate = gatedConfigSource(real)),
  });
  const config = writeConfig([quickMetric('m1')]);
  const post = (runDate: string) => app.inject({ method: 'POST', url: '/runs', payload: runBody(config, { run_date: runDate }) });
  t.equal((await post('2024-01-01')).statusCode, 202, 'the first run takes the slot');
  t.equal((await post('2024-01-02')).statusCode, 202, 'the second waits in the queue');
  const refused = await post('2024-01-03');
  t.equal(refused.statusCode, 429);
  t.match(refused.json(), { statusCode: 429, code: 'RUN_QUEUE_FULL' });
  t.match(refused.headers['retry-after'], /^\d+$/);
  gate.release();
});
