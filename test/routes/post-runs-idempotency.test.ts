import t from 'tap';
import { build, gatedConfigSource, quickMetric, type RunDocument } from '../helpers/build-app.js';

t.test('the same Idempotency-Key returns the same run and executes it once', async (t) => {
  const { app, writeConfig, runBody, reconRows } = await build(t);
  const payload = runBody(writeConfig([quickMetric('m1'), quickMetric('m2')]));
  const headers = { 'idempotency-key': 'nightly-2024-01-15' };
  const first = await app.inject({ method: 'POST', url: '/runs?wait=true', payload, headers });
  t.equal(first.statusCode, 200);
  const again = await app.inject({ method: 'POST', url: '/runs', payload, headers });
  t.equal(again.statusCode, 200, 'an existing run answers 200, not 202');
  t.equal(again.json<RunDocument>().run_id, first.json<RunDocument>().run_id);
  t.equal(again.json<RunDocument>().status, 'succeeded');
  const rows = await reconRows();
  t.same(rows.map((row) => [row.run_id, row.source_system_id]), [[first.json<RunDocument>().run_id, 'm1'], [first.json<RunDocument>().run_id, 'm2']], 'one set of recon rows');
});

t.test("Cloud Scheduler's job name and schedule time form the key across its retries", async (t) => {
  const { app, writeConfig, runBody, reconRows } = await build(t);
  const payload = runBody(writeConfig([quickMetric('m1')]));
  const scheduler = (time: string) => ({ 'x-cloudscheduler-jobname': 'metrics-nightly', 'x-cloudscheduler-scheduletime': time });
  const first = await app.inject({ method: 'POST', url: '/runs?wait=true', payload, headers: scheduler('2024-01-16T02:00:00Z') });
  const retry = await app.inject({ method: 'POST', url: '/runs?wait=true', payload, headers: scheduler('2024-01-16T02:00:00Z') });
  t.equal(retry.statusCode, 200);
  t.equal(retry.json<RunDocument>().run_id, first.json<RunDocument>().run_id);
  t.equal((await reconRows()).length, 1, 'the retry did not run again');
  const nextDay = await app.inject({ method: 'POST', url: '/runs?wait=true', payload, headers: scheduler('2024-01-17T02:00:00Z') });
  t.not(nextDay.json<RunDocument>().run_id, first.json<RunDocument>().run_id, 'another schedule time is another run');
  t.equal((await reconRows()).length, 2);
});

t.test('a request identical to a run still in flight returns that run with 200', async (t) => {
  let gate!: ReturnType<typeof gatedConfigSource>;
  const { app, writeConfig, runBody, reconRows } = await build(t, { configSource: (real) => (gate = gatedConfigSource(real)) });
  const config = writeConfig([quickMetric('m1')]);
  const first = await app.inject({ method: 'POST', url: '/runs', payload: runBody(config), headers: { 'idempotency-key': 'a' } });
  t.equal(first.statusCode, 202);
  const same = await app.inject({ method: 'POST', url: '/runs', payload: runBody(config, { dependencies: 'daily', env: 'dev' }) });
  t.equal(same.statusCode, 200);
  t.equal(same.json<RunDocument>().run_id, first.json<RunDocument>().run_id);
  const other = await app.inject({ method: 'POST', url: '/runs', payload: runBody(config, { run_date: '2024-01-16' }), headers: { 'idempotency-key': 'b' } });
  t.equal(other.statusCode, 202, 'other parameters are another run');
  gate.release();
  // The keys find both runs whether still in flight or finished, so these waits start nothing.
  await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(config), headers: { 'idempotency-key': 'a' } });
  await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(config, { run_date: '2024-01-16' }), headers: { 'idempotency-key': 'b' } });
  t.equal(gate.reads, 2, 'two runs read their config, not three');
  t.equal((await reconRows()).length, 2);
});

t.test('an Idempotency-Key used again with other parameters is refused with 409', async (t) => {
  const { app, writeConfig, runBody } = await build(t);
  const config = writeConfig([quickMetric('m1')]);
  const headers = { 'idempotency-key': 'k1' };
  t.equal((await app.inject({ method: 'POST', url: '/runs', payload: runBody(config), headers })).statusCode, 202);
  const reused = await app.inject({ method: 'POST', url: '/runs', payload: runBody(config, { run_date: '2024-01-16' }), headers });
  t.equal(reused.statusCode, 409);
  t.match(reused.json(), { code: 'IDEMPOTENCY_KEY_REUSED' });
});
