import t from 'tap';
import { build, quickMetric } from '../helpers/build-app.js';

t.test('POST /runs accepts a run with 202, its document and Location', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const response = await app.inject({ method: 'POST', url: '/runs', payload: runBody(writeConfig([quickMetric('m1')])) });
  t.equal(response.statusCode, 202);
  const body = response.json();
  t.match(body, { run_id: String, status: /^(queued|running)$/, parameters: { run_date: '2024-01-15', dependencies: ['daily'], env: 'DEV' } });
  t.equal(response.headers.location, `/runs/${body.run_id}`);
});

t.test('POST /runs names every bad field at once', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({
    method: 'POST',
    url: '/runs',
    payload: { gcs_path: 'http://x/y', run_date: '2024-02-30', dependencies: [], partition_info_table: 'a.b', env: 'QA', recon_table: 'x' },
  });
  t.equal(response.statusCode, 400);
  const body = response.json();
  t.equal(body.code, 'INVALID_RUN_PARAMETERS');
  t.same(
    body.details.map((problem: { field: string }) => problem.field).sort(),
    ['dependencies', 'env', 'gcs_path', 'partition_info_table', 'recon_table', 'run_date'],
  );
});
