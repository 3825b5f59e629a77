import { setTimeout as sleep } from 'node:timers/promises';
import supertest from 'supertest';
import t from 'tap';
import { ReconRuns } from '../../services/runs/recon-runs.js';
import { build, endlessMetric, gatedConfigSource, quickMetric, RECON, type Backfill, type RunDocument } from '../helpers/build-app.js';

t.test('while draining, readiness and new runs answer 503, status reads still work, and running runs finish', async (t) => {
  let gate!: ReturnType<typeof gatedConfigSource>;
  const { app, writeConfig, runBody, reconRows } = await build(t, {
    settings: { METRICS_SHUTDOWN_GRACE_MS: 60_000 },
    configSource: (real) => (gate = gatedConfigSource(real)),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const client = supertest(app.server);
  await client.get('/readyz').expect(200);
  const config = writeConfig([quickMetric('m1')]);
  const accepted = await client.post('/runs').send(runBody(config)).expect(202);
  const acceptedRun = accepted.body as RunDocument;

  const closing = app.close();
  let readiness = await client.get('/readyz');
  while (readiness.status === 200) readiness = await client.get('/readyz');
  t.equal(readiness.status, 503);
  t.match(readiness.body, { statusCode: 503, code: 'SERVICE_DRAINING' });

  const refused = await client.post('/runs').send(runBody(config, { run_date: '2024-01-16' }));
  t.equal(refused.status, 503);
  t.match(refused.body, { code: 'SERVICE_DRAINING' });
  const dryRun = await client.post('/runs?dry_run=true').send(runBody(config));
  t.match(dryRun, { status: 503, body: { code: 'SERVICE_DRAINING' } }, 'dry runs too');
  const status = await client.get(`/runs/${acceptedRun.run_id}`);
  t.match(status.body, { status: 'running' });

  gate.release();
  await closing;
  t.match(await reconRows(), [{ run_id: acceptedRun.run_id, source_system_id: 'm1', clcltn_ds: 'Success' }], 'the run finished within the grace period');
});

t.test('shutdown interrupts what is left after the grace period and every accepted run leaves recon rows', async (t) => {
  const { app, writeConfig, runBody, reconRows } = await build(t, {
    settings: { METRICS_RUNS_IN_FLIGHT: 1, METRICS_SHUTDOWN_GRACE_MS: 100 },
  });
  const config = writeConfig([quickMetric('fast'), endlessMetric('slow')]);
  const running = (await app.inject({ method: 'POST', url: '/runs', payload: runBody(config) })).json<RunDocument>().run_id;
  const queued = (await app.inject({ method: 'POST', url: '/runs', payload: runBody(config, { run_date: '2024-01-16' }) })).json<RunDocument>();
  t.equal(queued.status, 'queued');

  // Close only once the endless metric is executing, so the interruption lands mid-query.
  const slowStarted = async () => {
    const document = (await app.inject({ method: 'GET', url: `/runs/${running}` })).json<RunDocument>();
    return document.metrics.some((metric: { metric_id: string; status: string }) => metric.metric_id === 'slow' && metric.status === 'running');
  };
  while (!(await slowStarted())) await sleep(20);
  await app.close();

  const rows = await reconRows();
  const interrupted = { clcltn_ds: 'Failed', error_category: 'PIPELINE_EXECUTION_ERROR', excldd_reason_tx: 'Run was interrupted (service shutdown) before this metric finished' };
  t.match(rows.find((row) => row.run_id === running && row.source_system_id === 'slow'), interrupted);
  t.ok(rows.find((row) => row.run_id === running && row.source_system_id === 'fast'), 'the finished metric of the running run is recorded');
  t.match(
    rows.filter((row) => row.run_id === queued.run_id),
    [{ source_system_id: 'fast', ...interrupted }, { source_system_id: 'slow', ...interrupted }],
    'the run that never started is recorded as interrupted',
  );
});

t.test('shutdown in the middle of a backfill: the run in progress is interrupted as usual, the dates not started get a __run__ row saying so', async (t) => {
  const { app, warehouse, writeConfig, runBody, reconRows } = await build(t, { settings: { METRICS_SHUTDOWN_GRACE_MS: 100 } });
  const config = writeConfig([endlessMetric('slow')]);
  const response = await app.inject({ method: 'POST', url: '/backfills', payload: runBody(config, { run_date_to: '2024-01-17' }) });
  const [first, ...later] = response.json<Backfill>().runs;
  const slowStarted = async () => (await app.inject({ method: 'GET', url: `/runs/${first?.run_id}` })).json<RunDocument>().metrics.some((metric) => metric.status === 'running');
  while (!(await slowStarted())) await sleep(20);
  t.match((await app.inject({ method: 'GET', url: `/runs/${later[0]?.run_id}` })).json(), { status: 'queued' }, 'a later date waits its turn');
  await app.close();

  const rows = await reconRows();
  t.match(rows.filter((row) => row.run_id === first?.run_id), [
    { source_system_id: 'slow', error_category: 'PIPELINE_EXECUTION_ERROR', excldd_reason_tx: 'Run was interrupted (service shutdown) before this metric finished' },
  ]);
  const notStarted = { source_system_id: '__run__', clcltn_ds: 'Failed', error_category: 'PIPELINE_EXECUTION_ERROR', excldd_reason_tx: 'not started: service shutdown' };
  for (const run of later) {
    t.match(rows.filter((row) => row.run_id === run.run_id), [{ ...notStarted, schdld_dt: run.run_date }], `${run.run_date}: one __run__ row, no metric row`);
    // What GET /runs/:id answers from any instance: the recon table's account of the run.
    t.match(await new ReconRuns(warehouse).get(RECON, run.run_id), { status: 'failed', metrics: [], run_failure: { reason: 'not started: service shutdown' } });
  }
  t.equal(rows.length, 3);
});
