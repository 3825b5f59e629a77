import t from 'tap';
import { QueryTimeoutError } from '../../../../services/errors.js';
import { openBigQueryHarness, TEST_RETRY } from '../../../support/fake-bigquery/bigquery-harness.js';

const QUERY = { sql: 'SELECT 1 AS one', timeoutMs: 10_000, label: { runId: 'r1', metricId: 'm1' } };

for (const [status, reason] of [
  [429, 'rateLimitExceeded'],
  [500, 'internalError'],
  [503, 'backendError'],
] as const) {
  t.test(`HTTP ${status} ${reason} on every job call is retried and the query succeeds`, async (t) => {
    const { fake, warehouse, close } = await openBigQueryHarness();
    t.teardown(close);
    const endpoints = ['jobs.dryRun', 'jobs.insert', 'jobs.get', 'jobs.getQueryResults'];
    for (const endpoint of endpoints) fake.faults.inject(endpoint, { kind: 'status', status, reason }, 2);
    const result = await warehouse.query(QUERY);
    t.same(result.rows, [{ one: '1' }]);
    // A failed wait for the job is followed by jobs.get, so every endpoint met both its faults and then answered.
    for (const endpoint of endpoints) t.ok(fake.faults.count(endpoint) >= 3, `${endpoint}: ${fake.faults.count(endpoint)} requests`);
    t.equal(fake.faults.count('jobs.dryRun'), 3);
    t.equal(fake.jobs.executions, 1, 'the query ran once');
  });
}

for (const [status, reason] of [
  [400, 'invalidQuery'],
  [403, 'accessDenied'],
  [404, 'notFound'],
] as const) {
  t.test(`HTTP ${status} ${reason} is final: one request, SQL_EXECUTION_ERROR with the message`, async (t) => {
    const { fake, warehouse, close } = await openBigQueryHarness();
    t.teardown(close);
    fake.faults.inject('jobs.insert', { kind: 'status', status, reason, message: `Injected ${reason} for the test` });
    const error = await warehouse.query(QUERY).catch((e: unknown) => e);
    t.match(error, { category: 'SQL_EXECUTION_ERROR', message: `Injected ${reason} for the test` });
    t.equal(fake.faults.count('jobs.insert'), 1);
    t.equal(fake.jobs.executions, 0);
  });
}

t.test('transient errors stop after the configured attempts', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  fake.faults.inject('jobs.dryRun', { kind: 'status', status: 503, reason: 'backendError' }, 10);
  const error = await warehouse.query(QUERY).catch((e: unknown) => e);
  t.match(error, { category: 'SQL_EXECUTION_ERROR' });
  t.equal(fake.faults.count('jobs.dryRun'), TEST_RETRY.maxAttempts);
});

t.test('a lost response to the job insert is retried with the same job id and the query runs once', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  fake.faults.inject('jobs.insert', { kind: 'drop-after' });
  const result = await warehouse.query(QUERY);
  t.same(result.rows, [{ one: '1' }]);
  t.equal(fake.faults.count('jobs.insert'), 2, 'the insert was sent again');
  t.equal(fake.jobs.records.size, 1, 'under the same job id');
  t.equal(fake.jobs.executions, 1);
});

t.test('a request dropped before it reached the server is retried', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  fake.faults.inject('jobs.insert', { kind: 'drop-before' });
  await warehouse.query(QUERY);
  t.equal(fake.faults.count('jobs.insert'), 2);
  t.equal(fake.jobs.executions, 1);
});

t.test('a job that never completes fails after the timeout and is cancelled', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  fake.faults.inject('jobs.insert', { kind: 'stuck-job' });
  const error = await warehouse.query({ ...QUERY, timeoutMs: 100 }).catch((e: unknown) => e);
  t.type(error, QueryTimeoutError);
  t.match(error, { category: 'SQL_EXECUTION_ERROR' });
  t.equal(fake.faults.count('jobs.cancel'), 1);
  const [job] = [...fake.jobs.records.values()];
  t.match(job, { state: 'DONE', failure: { reason: 'stopped' } });
});

t.test('a job that failed with backendError runs again under a new id', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  fake.faults.inject('jobs.insert', { kind: 'job-error', reason: 'backendError', message: 'Backend error' });
  const result = await warehouse.query(QUERY);
  t.same(result.rows, [{ one: '1' }]);
  const ids = [...fake.jobs.records.values()].map((job) => job.reference.jobId);
  t.equal(ids.length, 2);
  t.equal(ids[1], `${ids[0]}_t2`);
});

t.test('aborting the signal cancels the running job and rejects with the abort reason', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  fake.faults.inject('jobs.insert', { kind: 'stuck-job' });
  const controller = new AbortController();
  const reason = new Error('shutting down');
  const pending = warehouse.query({ ...QUERY, signal: controller.signal });
  // The job is being waited for: a long poll is in flight.
  while (fake.faults.count('jobs.getQueryResults') === 0) await new Promise((resolve) => setImmediate(resolve));
  controller.abort(reason);
  t.equal(await pending.catch((e: unknown) => e), reason);
  t.equal(fake.faults.count('jobs.cancel'), 1);
});
