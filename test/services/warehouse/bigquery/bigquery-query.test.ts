import t from 'tap';
import { PipelineError } from '../../../../services/errors.js';
import { openBigQueryHarness, TEST_PROJECT } from '../../../support/fake-bigquery/bigquery-harness.js';

t.test('a query returns exact cells, dry-run bytes and runs as one labelled job', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  await fake.engine.ensureDataset(TEST_PROJECT, 'ds');
  await fake.engine.runDuckDb(
    `CREATE TABLE "${TEST_PROJECT}".ds.t (n DECIMAL(38,9), i BIGINT, ts TIMESTAMPTZ, d DATE);
     INSERT INTO "${TEST_PROJECT}".ds.t VALUES (-12.500000001, 9007199254740993, TIMESTAMPTZ '2024-01-15 10:00:00.123456+00', DATE '2024-01-14')`,
  );
  const result = await warehouse.query({
    sql: `SELECT n, i, ts, d, @day AS day FROM \`${TEST_PROJECT}.ds.t\` WHERE d = @day`,
    params: { day: { type: 'DATE', value: '2024-01-14' } },
    timeoutMs: 10_000,
    label: { runId: 'Run-1', metricId: 'm1', env: 'DEV' },
  });
  t.same(result.rows, [{ n: '-12.500000001', i: '9007199254740993', ts: '2024-01-15T10:00:00.123456Z', d: '2024-01-14', day: '2024-01-14' }]);
  t.same(result.columns.map((c) => c.type), ['NUMERIC', 'INT64', 'TIMESTAMP', 'DATE', 'DATE']);
  t.equal(result.bytesProcessed, String(10 * 1024 * 1024));
  t.equal(fake.jobs.executions, 1);
  const [job] = [...fake.jobs.records.values()];
  t.match(job?.reference.jobId, /^metrics_query_Run-1_m1_[0-9a-f]{16}$/);
  t.same(job?.configuration.labels, { app: 'metrics_pipeline', run_id: 'run-1', metric_id: 'm1', env: 'dev' });
  t.equal(job?.configuration.jobTimeoutMs, '10000');
});

t.test('a statement BigQuery does not class as SELECT is rejected by the dry run and never inserted', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  await fake.engine.ensureDataset(TEST_PROJECT, 'ds');
  await fake.engine.runDuckDb(`CREATE TABLE "${TEST_PROJECT}".ds.t (a BIGINT)`);
  const error = await warehouse.query({ sql: `DELETE FROM \`${TEST_PROJECT}.ds.t\` WHERE TRUE`, timeoutMs: 5_000 }).catch((e: unknown) => e);
  t.type(error, PipelineError);
  t.match(error, { category: 'SQL_EXECUTION_ERROR', message: /DELETE/ });
  t.equal(fake.faults.count('jobs.insert'), 0);
});

t.test('an SQL error keeps the BigQuery message and is not retried', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  const error = await warehouse.query({ sql: 'SELECT no_such_column FROM (SELECT 1 AS a)', timeoutMs: 5_000 }).catch((e: unknown) => e);
  t.match(error, { category: 'SQL_EXECUTION_ERROR', message: /BigQuery: .*no_such_column/ });
  t.equal(fake.faults.count('jobs.dryRun'), 1);
  t.equal(fake.faults.count('jobs.insert'), 0);
});

t.test('a job is awaited by one long poll that brings its rows: no jobs.get, one jobs.getQueryResults', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  t.same((await warehouse.query({ sql: 'SELECT 1 AS one', timeoutMs: 5_000 })).rows, [{ one: '1' }]);
  t.equal(fake.faults.count('jobs.getQueryResults'), 1);
  t.equal(fake.faults.count('jobs.get'), 0);
});

t.test('results of more than one page are read to the last page', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  await fake.engine.ensureDataset(TEST_PROJECT, 'ds');
  await fake.engine.runDuckDb(`CREATE TABLE "${TEST_PROJECT}".ds.many AS SELECT range AS n FROM range(10001)`);
  const result = await warehouse.query({ sql: `SELECT n FROM \`${TEST_PROJECT}.ds.many\` ORDER BY n`, timeoutMs: 10_000 });
  t.equal(result.rows.length, 10_001);
  t.same(result.rows.at(-1), { n: '10000' });
  t.equal(fake.faults.count('jobs.getQueryResults'), 2, 'the long poll brought the first 10,000 rows, one more call the rest');
});
