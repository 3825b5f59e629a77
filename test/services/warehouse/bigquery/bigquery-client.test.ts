import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { createGcsConfigSource, createStorageClient } from '../../../../services/config-source/gcs-config-source.js';
import { createBigQueryClient } from '../../../../services/warehouse/bigquery/bigquery-client.js';
import { BigQueryWarehouse } from '../../../../services/warehouse/bigquery/bigquery-warehouse.js';
import { TEST_PROJECT, TEST_RETRY } from '../../../support/fake-bigquery/bigquery-harness.js';
import { startFakeBigQuery } from '../../../support/fake-bigquery/fake-bigquery-server.js';
import { startFakeGcs } from '../../../support/fake-gcs/fake-gcs-server.js';

/** Stands in for the GCE metadata server: any request to it means a client looked for credentials. */
async function startMetadataSentinel(t: Test) {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(request.url ?? '');
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const saved = { host: process.env['GCE_METADATA_HOST'], credentials: process.env['GOOGLE_APPLICATION_CREDENTIALS'] };
  process.env['GCE_METADATA_HOST'] = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  t.teardown(() => {
    server.close();
    for (const [name, value] of [['GCE_METADATA_HOST', saved.host], ['GOOGLE_APPLICATION_CREDENTIALS', saved.credentials]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  return seen;
}

t.test('against emulators neither client asks for credentials or probes the metadata server', async (t) => {
  const probes = await startMetadataSentinel(t);
  const [bigQuery, gcs] = await Promise.all([startFakeBigQuery(), startFakeGcs()]);
  t.teardown(() => Promise.all([bigQuery.close(), gcs.close()]));
  gcs.put('configs', 'm.json', '[]');

  const client = createBigQueryClient({ projectId: TEST_PROJECT, location: 'US', emulatorHost: bigQuery.url });
  const warehouse = new BigQueryWarehouse({ client, retry: TEST_RETRY, maxConcurrentJobs: 2, writeTimeoutMs: 5_000, longPollMs: 50 });
  t.same((await warehouse.query({ sql: 'SELECT 1 AS one', timeoutMs: 5_000 })).rows, [{ one: '1' }]);
  const storage = createStorageClient({ emulatorHost: gcs.url, retry: TEST_RETRY });
  t.equal(await createGcsConfigSource({ storage, maxBytes: 100 }).read('gs://configs/m.json'), '[]');
  t.same(probes, []);
});

t.test('with BIGQUERY_EMULATOR_HOST exported as well, the paths the client then sends reach the emulator', async (t) => {
  const probes = await startMetadataSentinel(t);
  const fake = await startFakeBigQuery();
  t.teardown(() => fake.close());
  process.env['BIGQUERY_EMULATOR_HOST'] = fake.url;
  t.teardown(() => void delete process.env['BIGQUERY_EMULATOR_HOST']);
  const client = createBigQueryClient({ projectId: TEST_PROJECT, location: 'US', emulatorHost: fake.url });
  const warehouse = new BigQueryWarehouse({ client, retry: TEST_RETRY, maxConcurrentJobs: 2, writeTimeoutMs: 5_000, longPollMs: 50 });
  await warehouse.ping();
  t.equal(fake.faults.count('jobs.dryRun'), 1);
  t.same(probes, []);
});

t.test('an emulator without a project is refused at start-up rather than asking the metadata server', async (t) => {
  t.throws(() => createBigQueryClient({ location: 'US', emulatorHost: 'http://127.0.0.1:1' }), /GOOGLE_CLOUD_PROJECT/);
});
