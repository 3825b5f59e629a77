import t from 'tap';
import type { Column, Row } from '../../../../services/warehouse/warehouse.js';
import { openBigQueryHarness, TEST_PROJECT } from '../../../support/fake-bigquery/bigquery-harness.js';

const table = { project: TEST_PROJECT, dataset: 'ds', table: 'target' };
const columns: Column[] = [
  { name: 'metric_id', type: 'STRING' },
  { name: 'partition_dt', type: 'STRING' },
  { name: 'metric_output', type: 'NUMERIC' },
];
const KEYS = ['metric_id', 'partition_dt'];
const row = (metricId: string, output: string): Row => ({ metric_id: metricId, partition_dt: '2024-01-15', metric_output: output });

async function openWithTarget() {
  const harness = await openBigQueryHarness();
  await harness.fake.engine.ensureDataset(TEST_PROJECT, 'ds');
  await harness.warehouse.createTable(table, columns);
  return harness;
}

async function targetRows(warehouse: Awaited<ReturnType<typeof openWithTarget>>['warehouse']) {
  return (await warehouse.query({ sql: `SELECT * FROM \`${TEST_PROJECT}.ds.target\` ORDER BY metric_id, metric_output`, timeoutMs: 5_000 })).rows;
}

t.test('replaceRows sends one transaction script with every value as a parameter', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  await warehouse.replaceRows(table, columns, [row('m1', '1.5')], KEYS);
  const [job] = [...fake.jobs.records.values()];
  t.match(job?.configuration.query?.query, /^BEGIN TRANSACTION;\nDELETE FROM `test-proj\.ds\.target` WHERE .*;\nINSERT INTO .* VALUES \(@r0_0, @r0_1, @r0_2\);\nCOMMIT TRANSACTION;$/s);
  t.notMatch(job?.configuration.query?.query, /1\.5|m1/, 'no value is spliced into the SQL');
  t.match(job?.configuration.query?.queryParameters, [{ name: 'k0_0', parameterType: { type: 'STRING' }, parameterValue: { value: 'm1' } }]);
  t.same(await targetRows(warehouse), [row('m1', '1.5')]);
});

t.test('a rerun of the same keys leaves exactly one row per key, even where duplicates existed', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  await fake.engine.runDuckDb(`INSERT INTO "${TEST_PROJECT}".ds.target VALUES ('m1', '2024-01-15', 1), ('m1', '2024-01-15', 2)`);
  await warehouse.replaceRows(table, columns, [row('m1', '3')], KEYS);
  await warehouse.replaceRows(table, columns, [row('m1', '4')], KEYS);
  t.same(await targetRows(warehouse), [row('m1', '4')]);
});

t.test('a concurrent-update abort on the target write is retried under a new job id and succeeds', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  const message = 'Transaction is aborted due to concurrent update against table test-proj:ds.target';
  fake.faults.inject('jobs.insert', { kind: 'job-error', reason: 'invalidQuery', message }, 2);
  await warehouse.replaceRows(table, columns, [row('m1', '1')], KEYS);
  t.equal(fake.faults.count('jobs.insert'), 3);
  t.equal(fake.jobs.executions, 1, 'only the third try ran SQL');
  t.same(await targetRows(warehouse), [row('m1', '1')]);
});

t.test('other write failures are not retried and are BIGQUERY_WRITE_ERROR with the message', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  fake.faults.inject('jobs.insert', { kind: 'job-error', reason: 'invalidQuery', message: 'Value has type STRING which cannot be inserted' });
  const error = await warehouse.replaceRows(table, columns, [row('m1', '1')], KEYS).catch((e: unknown) => e);
  t.match(error, { category: 'BIGQUERY_WRITE_ERROR', message: /cannot be inserted/ });
  t.equal(fake.faults.count('jobs.insert'), 1);
});

t.test('concurrent writes to one table run one at a time and all land', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  // While the first write's job is RUNNING, the others must not have been inserted.
  fake.faults.inject('jobs.insert', { kind: 'stuck-job' });
  const writes = ['m1', 'm2', 'm3', 'm4'].map((id) => warehouse.replaceRows(table, columns, [row(id, '1')], KEYS));
  while (fake.faults.count('jobs.get') < 3) await new Promise((resolve) => setImmediate(resolve));
  t.equal(fake.faults.count('jobs.insert'), 1, 'the next write waits for the first');
  const [first] = [...fake.jobs.records.values()];
  fake.jobs.cancel(first!);
  const outcomes = await Promise.allSettled(writes);
  t.same(outcomes.map((outcome) => outcome.status), ['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  t.same((await targetRows(warehouse)).map((r) => r['metric_id']), ['m2', 'm3', 'm4']);
});

t.test('appendRows is one DML INSERT job, not streaming', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  await warehouse.appendRows(table, columns, [row('m1', '1'), row('m2', '2')]);
  t.equal(fake.faults.count('jobs.insert'), 1);
  t.equal(fake.faults.count('tabledata.insertAll'), 0);
  t.same(await targetRows(warehouse), [row('m1', '1'), row('m2', '2')]);
});

t.test('getTableSchema and createTable retry transient errors; 404 means missing, 409 means present', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  fake.faults.inject('tables.get', { kind: 'status', status: 503, reason: 'backendError' });
  t.same(await warehouse.getTableSchema(table), columns);
  t.equal(fake.faults.count('tables.get'), 2);
  t.equal(await warehouse.getTableSchema({ ...table, table: 'missing' }), undefined);
  await warehouse.createTable(table, columns);
  t.equal(fake.faults.count('tables.insert'), 2, 'the second create met 409 and was fine');
});
