import t from 'tap';
import { build, endlessMetric, quickMetric, type ErrorResponse, type RunDocument } from '../helpers/build-app.js';

t.test('wait=true answers 200 with the final document of a run that succeeded', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const response = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([quickMetric('m1', '7'), quickMetric('m2')])) });
  t.equal(response.statusCode, 200);
  const body = response.json<RunDocument>();
  t.match(body, { status: 'succeeded', counts: { metrics: 2, passed: 2, failed: 0, pending: 0 }, finished_at: String });
  t.match(body.metrics, [
    { metric_id: 'm1', status: 'Passed', error_category: null, target_table: 'proj-a.metrics.out', duration_ms: Number },
    { metric_id: 'm2', status: 'Passed' },
  ]);
  t.equal(response.headers.location, `/runs/${body.run_id}`);
});

t.test('wait=true answers 422 with the final document of a run that failed', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const broken = { ...quickMetric('m1'), sql: 'SELECT * FROM `proj-a.nowhere.missing`' };
  const response = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([broken])) });
  t.equal(response.statusCode, 422);
  t.match(response.json(), { status: 'failed', metrics: [{ metric_id: 'm1', status: 'Failed', error_category: 'SQL_EXECUTION_ERROR' }] });
});

t.test('wait=true answers 422 for a run that failed as a whole', async (t) => {
  const { app, runBody, dir } = await build(t);
  const response = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(`${dir}/no-such-config.json`) });
  t.equal(response.statusCode, 422);
  t.match(response.json(), { status: 'failed', metrics: [], run_failure: { error_category: 'GCS_READ_ERROR' } });
});

t.test('wait=true answers 202 with the run still in flight when the longest wait runs out', async (t) => {
  const { app, writeConfig, runBody } = await build(t, { settings: { METRICS_WAIT_MAX_MS: 50 } });
  const response = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([endlessMetric('slow')])) });
  t.equal(response.statusCode, 202);
  t.match(response.json(), { status: /^(queued|running)$/, finished_at: null });
});

t.test('an unknown query parameter is refused', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const response = await app.inject({ method: 'POST', url: '/runs?wiat=true', payload: runBody(writeConfig([quickMetric('m1')])) });
  t.equal(response.statusCode, 400);
  t.match(response.json<ErrorResponse>().details, [{ field: 'wiat' }]);
});
