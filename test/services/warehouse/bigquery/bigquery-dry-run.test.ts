import t, { type Test } from 'tap';
import { BytesBilledLimitError } from '../../../../services/errors.js';
import { openBigQueryHarness, TEST_PROJECT } from '../../../support/fake-bigquery/bigquery-harness.js';

const TABLE = `${TEST_PROJECT}.ds.t`;
const SQL = `SELECT COUNT(*) AS n FROM \`${TABLE}\``;

async function harness(t: Test) {
  const opened = await openBigQueryHarness();
  t.teardown(opened.close);
  await opened.fake.engine.ensureDataset(TEST_PROJECT, 'ds');
  await opened.fake.engine.runDuckDb(`CREATE TABLE "${TEST_PROJECT}".ds.t (a BIGINT); INSERT INTO "${TEST_PROJECT}".ds.t VALUES (1)`);
  return opened;
}

t.test('dryRun reports the bytes BigQuery estimates and inserts no job', async (t) => {
  const { fake, warehouse } = await harness(t);
  fake.scans.set(TABLE, 123_456_789n);
  t.same(await warehouse.dryRun({ sql: SQL, timeoutMs: 5_000 }), { bytesProcessed: '123456789' });
  t.equal(fake.faults.count('jobs.dryRun'), 1);
  t.equal(fake.faults.count('jobs.insert'), 0);
  t.equal(fake.jobs.executions, 0);
});

t.test('an estimate BigQuery cannot compute is unknown (null), never 0', async (t) => {
  const { fake, warehouse } = await harness(t);
  fake.scans.set(TABLE, 'unknown');
  t.same(await warehouse.dryRun({ sql: SQL, timeoutMs: 5_000 }), { bytesProcessed: null });
  const result = await warehouse.query({ sql: SQL, timeoutMs: 5_000 });
  t.equal(result.bytesProcessed, undefined, 'a query logs no scanned bytes either');
});

t.test('a query whose estimate is over maximumBytesBilled fails before any job, naming bytes and limit', async (t) => {
  const { fake, warehouse } = await harness(t);
  fake.scans.set(TABLE, 2_000_000_000n);
  const error = await warehouse.query({ sql: SQL, timeoutMs: 5_000, maximumBytesBilled: '1000000000' }).catch((caught: unknown) => caught);
  t.type(error, BytesBilledLimitError);
  t.match(error, { category: 'SQL_EXECUTION_ERROR', message: 'Query would bill 2000000000 bytes, over the limit 1000000000 (METRICS_MAX_BYTES_BILLED)' });
  t.equal(fake.faults.count('jobs.insert'), 0);
  const flagged = await warehouse.dryRun({ sql: SQL, timeoutMs: 5_000, maximumBytesBilled: '1000000000' }).catch((caught: unknown) => caught);
  t.match(flagged, { name: 'BytesBilledLimitError', bytes: '2000000000', limit: '1000000000' }, 'a dry run flags it the same way');
});

t.test('a query within maximumBytesBilled runs as a job carrying the limit', async (t) => {
  const { fake, warehouse } = await harness(t);
  fake.scans.set(TABLE, 20_000_000n);
  const result = await warehouse.query({ sql: SQL, timeoutMs: 5_000, maximumBytesBilled: '20000000' });
  t.same(result.rows, [{ n: '1' }]);
  t.same([...fake.jobs.records.values()].map((job) => job.configuration.query?.maximumBytesBilled), ['20000000']);
});

t.test('a job BigQuery stops at maximumBytesBilled fails with the bytes it would bill', async (t) => {
  const { fake, warehouse } = await harness(t);
  // The estimate (1 KB) is under the limit, but BigQuery bills at least 10 MB per table read.
  fake.scans.set(TABLE, 1024n);
  const error = await warehouse.query({ sql: SQL, timeoutMs: 5_000, maximumBytesBilled: '1048576' }).catch((caught: unknown) => caught);
  t.match(error, { name: 'BytesBilledLimitError', category: 'SQL_EXECUTION_ERROR', message: /^Query would bill 10485760 bytes, over the limit 1048576/ });
  t.equal(fake.jobs.executions, 0, 'BigQuery ran no SQL');
});
