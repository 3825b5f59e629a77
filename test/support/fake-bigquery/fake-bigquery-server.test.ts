import t, { type Test } from 'tap';
import { startFakeBigQuery, type FakeBigQuery } from './fake-bigquery-server.js';

/**
 * The local BigQuery server itself: the limits BigQuery enforces on one
 * request, answered with BigQuery's status, reason and message, and the
 * features the adapter relies on. Plain HTTP, so the bodies are checked as sent.
 */
const PROJECT = 'fake-proj';

async function open(t: Test, options: Parameters<typeof startFakeBigQuery>[0] = {}): Promise<FakeBigQuery> {
  const fake = await startFakeBigQuery(options);
  t.teardown(() => fake.close());
  await fake.engine.ensureDataset(PROJECT, 'ds');
  return fake;
}

async function call(fake: FakeBigQuery, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.url}/bigquery/v2/projects/${PROJECT}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const insertJob = (fake: FakeBigQuery, jobId: string, query: string, queryParameters: unknown[] = [], extra: Record<string, unknown> = {}) =>
  call(fake, 'POST', '/jobs', { jobReference: { projectId: PROJECT, jobId }, configuration: { query: { query, queryParameters }, ...extra } });

/** Waits for the job (the long poll itself) and returns its final resource. */
async function finished(fake: FakeBigQuery, jobId: string) {
  await call(fake, 'GET', `/queries/${jobId}?timeoutMs=10000&maxResults=0`);
  return (await call(fake, 'GET', `/jobs/${jobId}`)).body as { status: { state: string; errorResult?: { reason: string; message: string } } };
}

const stringParameters = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ name: `p${i}`, parameterType: { type: 'STRING' }, parameterValue: { value: 'x' } }));

const errorBody = (status: number, reason: string, message: string) => ({
  error: { code: status, message, errors: [{ reason, message, domain: 'global' }], status: 'INVALID_ARGUMENT' },
});

t.test('10,000 query parameters are accepted; 10,001 are refused before any job exists', async (t) => {
  const fake = await open(t);
  t.equal((await insertJob(fake, 'at_limit', 'SELECT @p0 AS x', stringParameters(10_000), { dryRun: true })).status, 200);
  const refused = await insertJob(fake, 'over_limit', 'SELECT @p0 AS x', stringParameters(10_001));
  t.same(refused, { status: 400, body: errorBody(400, 'invalid', 'Too many query parameters: 10001 exceeds limit of 10000.') });
  t.equal(fake.jobs.records.size, 0);
});

t.test('query text of 1,024K characters is accepted; one more is refused', async (t) => {
  const fake = await open(t);
  const padded = (length: number) => 'SELECT 1 AS x'.padEnd(length, ' ');
  t.equal((await insertJob(fake, 'at_limit', padded(1024 * 1024), [], { dryRun: true })).status, 200);
  const message = 'The query is too large. The maximum standard SQL query length is 1024.00K characters, including comments and white space characters.';
  t.same(await insertJob(fake, 'over_limit', padded(1024 * 1024 + 1)), { status: 400, body: errorBody(400, 'invalidQuery', message) });
  // Characters, not UTF-16 units: a 4-byte emoji counts once.
  t.equal((await insertJob(fake, 'emoji', `${padded(1024 * 1024 - 2)}--${'😀'}`, [], { dryRun: true })).status, 400);
  t.equal((await insertJob(fake, 'emoji_fits', `${padded(1024 * 1024 - 3)}--${'😀'}`, [], { dryRun: true })).status, 200);
});

t.test('a request body over 10 MB is refused, whatever it carries', async (t) => {
  const fake = await open(t);
  const value = 'v'.repeat(10 * 1024 * 1024);
  const refused = await insertJob(fake, 'big', 'SELECT @big AS x', [{ name: 'big', parameterType: { type: 'STRING' }, parameterValue: { value } }]);
  t.same(refused, { status: 400, body: errorBody(400, 'badRequest', 'Request payload size exceeds the limit: 10485760 bytes.') });
  t.equal(fake.faults.count('jobs.insert'), 1, 'counted as the request it was');
  t.equal(fake.jobs.records.size, 0);
});

t.test('ARRAY<STRUCT> parameters insert typed rows with UNNEST; ARRAY<STRING> ones filter with IN UNNEST', async (t) => {
  const fake = await open(t);
  await fake.engine.execute('CREATE TABLE `fake-proj.ds.t` (id STRING, amount NUMERIC, d DATE)', [], PROJECT);
  const rows = {
    name: 'rows',
    parameterType: {
      type: 'ARRAY',
      arrayType: { type: 'STRUCT', structTypes: [{ name: 'c0', type: { type: 'STRING' } }, { name: 'c1', type: { type: 'NUMERIC' } }, { name: 'c2', type: { type: 'DATE' } }] },
    },
    parameterValue: {
      arrayValues: [
        { structValues: { c0: { value: 'a' }, c1: { value: '12345678901234567890.123456789' }, c2: { value: '2024-01-15' } } },
        { structValues: { c0: { value: "b'); DROP TABLE t; --" }, c1: {}, c2: { value: '2024-01-16' } } },
      ],
    },
  };
  await insertJob(fake, 'insert', 'INSERT INTO `fake-proj.ds.t` (id, amount, d) SELECT * FROM UNNEST(@rows)', [rows]);
  t.match(await finished(fake, 'insert'), { status: { state: 'DONE' } });
  const names = { name: 'names', parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } }, parameterValue: { arrayValues: [{ value: 'a' }, { value: 'z' }] } };
  const read = await fake.engine.execute('SELECT * FROM `fake-proj.ds.t` WHERE id IN (SELECT * FROM UNNEST(@names))', [names], PROJECT);
  t.same(read.rows, [{ id: 'a', amount: '12345678901234567890.123456789', d: '2024-01-15' }]);
  const all = await fake.engine.execute('SELECT id, amount FROM `fake-proj.ds.t` ORDER BY d', [], PROJECT);
  t.same(all.rows, [{ id: 'a', amount: '12345678901234567890.123456789' }, { id: "b'); DROP TABLE t; --", amount: null }]);
});

t.test('a failed ASSERT fails the script with its description and rolls the transaction back', async (t) => {
  const fake = await open(t);
  await fake.engine.execute("CREATE TABLE `fake-proj.ds.t` (id STRING); INSERT INTO `fake-proj.ds.t` VALUES ('kept')", [], PROJECT);
  const script = [
    'BEGIN TRANSACTION;',
    'DELETE FROM `fake-proj.ds.t` WHERE TRUE;',
    "ASSERT (SELECT COUNT(*) FROM `fake-proj.ds.t`) = 1 AS 'the table must keep its row';",
    'COMMIT TRANSACTION;',
  ].join('\n');
  await insertJob(fake, 'script', script);
  t.match(await finished(fake, 'script'), { status: { state: 'DONE', errorResult: { reason: 'invalidQuery', message: /the table must keep its row/ } } });
  t.same((await fake.engine.execute('SELECT id FROM `fake-proj.ds.t`', [], PROJECT)).rows, [{ id: 'kept' }]);
  await insertJob(fake, 'holds', "ASSERT (SELECT COUNT(*) FROM `fake-proj.ds.t`) = 1 AS 'holds'");
  t.match(await finished(fake, 'holds'), { status: { state: 'DONE', errorResult: undefined } });
});

t.test('getQueryResults with timeoutMs answers when the job completes, or with jobComplete false when the time is up', async (t) => {
  const fake = await open(t, { jobLatency: (configuration) => (configuration.labels?.['slow'] ? 200 : 0) });
  await insertJob(fake, 'slow', 'SELECT 1 AS x', [], { labels: { slow: 'yes' } });
  t.match((await call(fake, 'GET', '/queries/slow?timeoutMs=10000')).body, { jobComplete: true, rows: [{ f: [{ v: '1' }] }] });
  fake.faults.inject('jobs.insert', { kind: 'stuck-job' });
  await insertJob(fake, 'stuck', 'SELECT 1 AS x');
  t.match((await call(fake, 'GET', '/queries/stuck?timeoutMs=20')).body, { jobComplete: false });
});

t.test('jobs.insert and jobs.get answer only the fields asked for', async (t) => {
  const fake = await open(t);
  const inserted = await call(fake, 'POST', '/jobs?fields=jobReference,status', { jobReference: { jobId: 'j1' }, configuration: { query: { query: 'SELECT 1' } } });
  t.same(Object.keys(inserted.body).sort(), ['jobReference', 'status']);
  t.same(Object.keys((await call(fake, 'GET', '/jobs/j1?fields=status')).body), ['status']);
  t.ok('configuration' in (await call(fake, 'GET', '/jobs/j1')).body, 'everything without fields');
});

t.test('tables.delete removes a table with 204; a missing one is 404', async (t) => {
  const fake = await open(t);
  await fake.engine.execute('CREATE TABLE `fake-proj.ds.gone` (x STRING)', [], PROJECT);
  t.same(await call(fake, 'DELETE', '/datasets/ds/tables/gone'), { status: 204, body: {} });
  t.notOk(await fake.engine.tableExists({ project: PROJECT, dataset: 'ds', table: 'gone' }));
  t.match(await call(fake, 'DELETE', '/datasets/ds/tables/gone'), { status: 404, body: { error: { errors: [{ reason: 'notFound' }] } } });
});
