import t, { type Test } from 'tap';
import { bigQueryPipelineFixture, metric, RECON, resultSql, TARGET } from '../../helpers/bigquery-pipeline-fixture.js';

const CHEAP = 'proj-a.sales.small';
const EXPENSIVE = 'proj-a.sales.huge';
const LIMIT = '1000000000';

/** The local BigQuery server with two source tables whose dry-run sizes the tests set. */
async function fixture(t: Test, settings: { maxBytesBilled?: string } = {}) {
  const fx = await bigQueryPipelineFixture(t, { targets: [TARGET], settings });
  await fx.fake.engine.ensureDataset('proj-a', 'sales');
  for (const table of [CHEAP, EXPENSIVE]) await fx.fake.engine.execute(`CREATE TABLE \`${table}\` AS SELECT 1 AS a`, [], 'proj-a');
  fx.fake.scans.set(CHEAP, 20_000_000n);
  fx.fake.scans.set(EXPENSIVE, 5_000_000_000n);
  return fx;
}
const reading = (id: string, table: string) => metric(id, `${resultSql('COUNT(*)')} FROM \`${table}\``);
const writes = (sql: string) => /^\s*(INSERT|DELETE|MERGE|BEGIN|UPDATE|CREATE)/i.test(sql);

t.test('a BigQuery dry run reports each metric\'s bytes and their total, and writes nothing', async (t) => {
  const fx = await fixture(t);
  const report = await fx.dryRun(fx.writeConfig([reading('cheap', CHEAP), reading('expensive', EXPENSIVE)]));
  t.match(report, {
    dry_run: true,
    metrics: [
      { metric_id: 'cheap', ok: true, bytes_processed: '20000000' },
      { metric_id: 'expensive', ok: true, bytes_processed: '5000000000' },
    ],
    bytes_total: '5020000000',
  });
  t.equal(fx.fake.faults.count('jobs.insert'), 0, 'no job was inserted');
  t.same(await fx.rows(TARGET), []);
  t.same(await fx.rows(RECON), []);
});

t.test('an estimate BigQuery cannot compute is unknown for the metric and the total, never 0', async (t) => {
  const fx = await fixture(t);
  fx.fake.scans.set(EXPENSIVE, 'unknown');
  const report = await fx.dryRun(fx.writeConfig([reading('cheap', CHEAP), reading('unsized', EXPENSIVE)]));
  t.match(report, { metrics: [{ bytes_processed: '20000000' }, { ok: true, bytes_processed: null }], bytes_total: null });
});

t.test('the cost cap fails only the expensive metric, saying what it would bill and the limit', async (t) => {
  const fx = await fixture(t, { maxBytesBilled: LIMIT });
  const result = await fx.run(fx.writeConfig([reading('cheap', CHEAP), reading('expensive', EXPENSIVE)]));
  t.same(result.metrics.map((m) => [m.metric_id, m.status, m.error_category]), [
    ['cheap', 'Passed', null],
    ['expensive', 'Failed', 'SQL_EXECUTION_ERROR'],
  ]);
  t.match(result.metrics[1]?.reason, /would bill 5000000000 bytes, over the limit 1000000000/);
  t.same((await fx.rows(TARGET)).map((row) => row.metric_id), ['cheap']);
  const metricJobs = [...fx.fake.jobs.records.values()].filter((job) => job.configuration.labels?.['metric_id'] !== undefined);
  t.same(metricJobs.map((job) => [job.configuration.labels?.['metric_id'], job.configuration.query?.maximumBytesBilled]), [['cheap', LIMIT]], 'the expensive query never ran');
});

t.test('a dry run flags the same metrics as the cost cap, without running them', async (t) => {
  const fx = await fixture(t, { maxBytesBilled: LIMIT });
  const report = await fx.dryRun(fx.writeConfig([reading('cheap', CHEAP), reading('expensive', EXPENSIVE)]));
  t.match(report, {
    metrics: [
      { metric_id: 'cheap', ok: true, bytes_processed: '20000000' },
      { metric_id: 'expensive', ok: false, error_category: 'SQL_EXECUTION_ERROR', reason: /would bill 5000000000 bytes, over the limit 1000000000/, bytes_processed: '5000000000' },
    ],
    bytes_total: '20000000',
  });
  t.notOk(fx.fake.jobs.executedSql.some(writes), 'no write ran');
  t.equal(fx.fake.faults.count('jobs.insert'), 0);
});
