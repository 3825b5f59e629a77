import t from 'tap';
import { parseTableRef } from '../../../../services/table-ref.js';
import type { Column, Row } from '../../../../services/warehouse/warehouse.js';
import { openBigQueryHarness, TEST_PROJECT, TEST_RETRY } from '../../../support/fake-bigquery/bigquery-harness.js';

const table = { project: TEST_PROJECT, dataset: 'ds', table: 'target' };
const columns: Column[] = [
  { name: 'metric_id', type: 'STRING' },
  { name: 'partition_dt', type: 'STRING' },
  { name: 'metric_output', type: 'NUMERIC' },
];
const KEYS = ['metric_id', 'partition_dt'];
const row = (metricId: string, output: string): Row => ({ metric_id: metricId, partition_dt: '2024-01-15', metric_output: output });

async function openWithTarget(targetColumns = columns) {
  const harness = await openBigQueryHarness();
  await harness.fake.engine.ensureDataset(TEST_PROJECT, 'ds');
  await harness.warehouse.createTable(table, targetColumns);
  return harness;
}

async function targetRows(warehouse: Awaited<ReturnType<typeof openWithTarget>>['warehouse']) {
  return (await warehouse.query({ sql: `SELECT * FROM \`${TEST_PROJECT}.ds.target\` ORDER BY metric_id, metric_output`, timeoutMs: 5_000 })).rows;
}

t.test('replaceRows is one transaction script whose rows travel as one ARRAY<STRUCT> parameter', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  await warehouse.replaceRows(table, columns, [row('m1', '1.5'), row('m2', '-2')], KEYS);
  const [job, ...others] = [...fake.jobs.records.values()];
  t.equal(others.length, 0, 'one job');
  t.match(
    job?.configuration.query?.query,
    /^BEGIN TRANSACTION;\nDELETE FROM `test-proj\.ds\.target` AS existing WHERE EXISTS \(SELECT 1 FROM UNNEST\(@rows\) AS written WHERE .*\);\nINSERT INTO `test-proj\.ds\.target` \(`metric_id`, `partition_dt`, `metric_output`\) SELECT \* FROM UNNEST\(@rows\);\nCOMMIT TRANSACTION;$/s,
  );
  t.notMatch(job?.configuration.query?.query, /1\.5|m1/, 'no value is spliced into the SQL');
  t.match(job?.configuration.query?.queryParameters, [
    {
      name: 'rows',
      parameterType: { type: 'ARRAY', arrayType: { type: 'STRUCT', structTypes: [{ name: 'c0', type: { type: 'STRING' } }, {}, { type: { type: 'NUMERIC' } }] } },
      parameterValue: { arrayValues: [{ structValues: { c0: { value: 'm1' }, c2: { value: '1.5' } } }, {}] },
    },
  ]);
  t.equal(job?.configuration.query?.queryParameters?.length, 1);
  t.same(await targetRows(warehouse), [row('m1', '1.5'), row('m2', '-2')]);
});

t.test('a rerun of the same keys leaves exactly one row per key, even where duplicates existed', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  await fake.engine.runDuckDb(`INSERT INTO "${TEST_PROJECT}".ds.target VALUES ('m1', '2024-01-15', 1), ('m1', '2024-01-15', 2)`);
  await warehouse.replaceRows(table, columns, [row('m1', '3')], KEYS);
  await warehouse.replaceRows(table, columns, [row('m1', '4')], KEYS);
  t.same(await targetRows(warehouse), [row('m1', '4')]);
});

t.test('NULL keys of the batch replace the rows with the same NULL keys', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  await fake.engine.runDuckDb(`INSERT INTO "${TEST_PROJECT}".ds.target VALUES (NULL, '2024-01-15', 1), ('m2', '2024-01-15', 2)`);
  await warehouse.replaceRows(table, columns, [{ ...row('m1', '5'), metric_id: null }], KEYS);
  t.same(await targetRows(warehouse), [row('m2', '2'), { ...row('m1', '5'), metric_id: null }]);
});

t.test('the same batch sent again finds the job that wrote it: no row is written twice', async (t) => {
  const { fake, warehouse, close } = await openWithTarget();
  t.teardown(close);
  await warehouse.appendRows(table, columns, [row('m1', '1')]);
  await warehouse.appendRows(table, columns, [row('m1', '1')]);
  t.equal(fake.faults.count('jobs.insert'), 2, 'sent twice');
  t.equal(fake.jobs.records.size, 1, 'under one job id');
  t.equal(fake.jobs.executions, 1);
  await warehouse.appendRows(table, columns, [row('m1', '2')]);
  t.equal(fake.jobs.records.size, 2, 'another batch is another job');
  t.same(await targetRows(warehouse), [row('m1', '1'), row('m1', '2')]);
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
  while (fake.faults.count('jobs.getQueryResults') < 3) await new Promise((resolve) => setImmediate(resolve));
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
  t.match([...fake.jobs.records.values()][0]?.configuration.query?.query, /^INSERT INTO `test-proj\.ds\.target` \(.*\) SELECT \* FROM UNNEST\(@rows\)$/);
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

/** 30 rows of 400 KB each: 12 MB, more than one 10 MB request can carry. */
const PAYLOAD_COLUMNS: Column[] = [...columns, { name: 'payload', type: 'STRING' }];
const fatRows = (output: string) =>
  Array.from({ length: 30 }, (_, i): Row => ({ ...row(`m${String(i).padStart(2, '0')}`, output), payload: String(i % 10).repeat(400_000) }));
const SUMMARY = `SELECT metric_id, metric_output, LENGTH(payload) AS bytes FROM \`${TEST_PROJECT}.ds.target\` ORDER BY metric_id`;
const summaryOf = async (warehouse: Awaited<ReturnType<typeof openWithTarget>>['warehouse']) =>
  (await warehouse.query({ sql: SUMMARY, timeoutMs: 10_000 })).rows;
const writeSqls = (fake: Awaited<ReturnType<typeof openWithTarget>>['fake']) =>
  [...fake.jobs.records.values()].map((job) => job.configuration.query?.query ?? '').filter((sql) => !sql.startsWith('SELECT'));

t.test('a batch too big for one request lands whole through a staging table, every request within 10 MB', async (t) => {
  const { fake, warehouse, close } = await openWithTarget(PAYLOAD_COLUMNS);
  t.teardown(close);
  await warehouse.replaceRows(table, PAYLOAD_COLUMNS, fatRows('1'), KEYS);
  await warehouse.replaceRows(table, PAYLOAD_COLUMNS, fatRows('2'), KEYS);
  const summary = await summaryOf(warehouse);
  t.equal(summary.length, 30, 'one row per key');
  t.ok(summary.every((r) => r['metric_output'] === '2' && r['bytes'] === '400000'), 'the second batch, whole');
  // Per write: the staging table filled in two chunks (the local server refuses any request over 10 MB), then one script.
  const kinds = writeSqls(fake).map((sql) => (sql.startsWith('INSERT INTO `test-proj.ds._metrics_staging_') ? 'stage' : 'script'));
  t.same(kinds, ['stage', 'stage', 'script', 'stage', 'stage', 'script']);
  t.match(writeSqls(fake)[2], /ASSERT \(SELECT COUNT\(\*\) FROM `test-proj\.ds\._metrics_staging_\w+`\) = 30/);
  t.equal(fake.faults.count('tables.delete'), 2, 'each staging table is removed after its script');
});

t.test('a staged write whose script fails leaves the table as it was', async (t) => {
  const { warehouse, fake, close } = await openWithTarget(PAYLOAD_COLUMNS);
  t.teardown(close);
  await warehouse.replaceRows(table, PAYLOAD_COLUMNS, fatRows('1'), KEYS);
  fake.faults.injectAfter('jobs.insert', 2, { kind: 'job-error', reason: 'invalidQuery', message: 'Injected failure of the script' });
  const error = await warehouse.replaceRows(table, PAYLOAD_COLUMNS, fatRows('2'), KEYS).catch((e: unknown) => e);
  t.match(error, { category: 'BIGQUERY_WRITE_ERROR', message: /Injected failure of the script/ });
  t.ok((await summaryOf(warehouse)).every((r) => r['metric_output'] === '1'), 'the old rows, all of them');
});

t.test('a staging table that lost rows before its script ran fails the write, and nothing lands', async (t) => {
  const { warehouse, fake, close } = await openWithTarget(PAYLOAD_COLUMNS);
  t.teardown(close);
  // The process loses its connection after filling the staging table, before the script...
  fake.faults.injectAfter('jobs.insert', 2, { kind: 'drop-before' }, TEST_RETRY.maxAttempts);
  t.match(await warehouse.appendRows(table, PAYLOAD_COLUMNS, fatRows('1')).catch((e: unknown) => e), { category: 'BIGQUERY_WRITE_ERROR' });
  // ...the staging table expires, and the same batch is sent again: its chunk jobs are found done, so nothing refills it.
  const staging = /`(test-proj\.ds\._metrics_staging_\w+)`/.exec(writeSqls(fake)[0] ?? '')?.[1] ?? '';
  await fake.engine.dropTable(parseTableRef(staging));
  const error = await warehouse.appendRows(table, PAYLOAD_COLUMNS, fatRows('1')).catch((e: unknown) => e);
  t.match(error, { category: 'BIGQUERY_WRITE_ERROR', message: /does not hold the 30 rows of the batch/ });
  t.same(await summaryOf(warehouse), []);
});

t.test('a row too big for any request is a write error naming it, and nothing is sent', async (t) => {
  const { fake, warehouse, close } = await openWithTarget(PAYLOAD_COLUMNS);
  t.teardown(close);
  const huge = { ...row('m1', '1'), payload: 'x'.repeat(11 * 1024 * 1024) };
  const error = await warehouse.appendRows(table, PAYLOAD_COLUMNS, [row('m0', '1'), huge]).catch((e: unknown) => e);
  t.match(error, { category: 'BIGQUERY_WRITE_ERROR', message: /Row 2 of the batch is \d+ bytes as JSON, more than one BigQuery request/ });
  t.equal(fake.faults.count('jobs.insert'), 0);
});
