import { pino } from 'pino';
import t from 'tap';
import { recordFailedRuns } from '../../../services/pipeline/failed-runs.js';
import { runParameters } from '../../helpers/fixtures.js';
import { pipelineFixture, RECON } from '../../helpers/pipeline-fixture.js';

const failure = { error_category: 'PIPELINE_EXECUTION_ERROR' as const, reason: 'not started: service shutdown' };

t.test('runs that end before they start get one __run__ row each, and a failed recon write is added to the reason of its runs only', async (t) => {
  const { warehouse, rows, seedTable } = await pipelineFixture(t);
  // A recon table whose load_ts cannot hold the recon row's text: its write fails.
  const broken = 'proj-a.audit.broken';
  await seedTable(broken, [{ name: 'load_ts', type: 'INT64' }], []);
  const runs = [
    { runId: 'r1', parameters: runParameters('gs://cfg/m.json', { run_date: '2024-01-16' }) },
    { runId: 'r2', parameters: runParameters('gs://cfg/m.json', { run_date: '2024-01-17' }) },
    { runId: 'r3', parameters: runParameters('gs://cfg/m.json', { recon_table: broken }) },
  ];
  const deps = { warehouse, configSource: { read: () => Promise.reject(new Error('not read')) }, logger: pino({ level: 'silent' }), settings: { queryTimeoutMs: 1000, metricConcurrency: 1 } };
  const resultOf = await recordFailedRuns(runs, failure, deps);

  t.match(runs.map(resultOf), [
    { run_id: 'r1', status: 'failed', metrics: [], run_failure: failure, parameters: { run_date: '2024-01-16' } },
    { run_id: 'r2', status: 'failed', run_failure: failure },
    { run_id: 'r3', status: 'failed', run_failure: { error_category: 'PIPELINE_EXECUTION_ERROR', reason: /^not started: service shutdown; Recon write to proj-a\.audit\.broken failed: / } },
  ]);
  const recorded = await rows(RECON, 'run_id');
  t.equal(recorded.length, 2, 'one row per run, none for the run of the broken table');
  t.match(recorded, [
    { run_id: 'r1', source_system_id: '__run__', schdld_dt: '2024-01-16', clcltn_ds: 'Failed', error_category: 'PIPELINE_EXECUTION_ERROR', excldd_reason_tx: 'not started: service shutdown', Job_Name: 'gs://cfg/m.json' },
    { run_id: 'r2', source_system_id: '__run__', schdld_dt: '2024-01-17' },
  ]);
});
