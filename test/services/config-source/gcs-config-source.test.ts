import t, { type Test } from 'tap';
import { createGcsConfigSource, createStorageClient } from '../../../services/config-source/gcs-config-source.js';
import { PipelineError } from '../../../services/errors.js';
import { startFakeGcs } from '../../support/fake-gcs/fake-gcs-server.js';

const CONFIG = JSON.stringify([{ metric_id: 'm1', sql: 'SELECT 1' }]);

async function open(t: Test, maxBytes = 1024) {
  const fake = await startFakeGcs();
  t.teardown(() => fake.close());
  const storage = createStorageClient({ emulatorHost: fake.url, retry: { maxAttempts: 3, maxDelayMs: 5 } });
  return { fake, source: createGcsConfigSource({ storage, maxBytes }) };
}

t.test('reads an object as text, checking its size first', async (t) => {
  const { fake, source } = await open(t);
  fake.put('configs', 'metrics/daily.json', CONFIG);
  t.equal(await source.read('gs://configs/metrics/daily.json'), CONFIG);
  t.equal(fake.faults.count('objects.get'), 1);
  t.equal(fake.faults.count('objects.download'), 1);
});

t.test('a missing object is GCS_READ_ERROR naming the path, not retried', async (t) => {
  const { fake, source } = await open(t);
  const error = await source.read('gs://configs/missing.json').catch((e: unknown) => e);
  t.type(error, PipelineError);
  t.match(error, { category: 'GCS_READ_ERROR', message: /gs:\/\/configs\/missing\.json.*does not exist/ });
  t.equal(fake.faults.count('objects.get'), 1);
});

t.test('a forbidden object is GCS_READ_ERROR naming the path, not retried', async (t) => {
  const { fake, source } = await open(t);
  fake.put('configs', 'secret.json', CONFIG);
  fake.deny('configs', 'secret.json');
  const error = await source.read('gs://configs/secret.json').catch((e: unknown) => e);
  t.match(error, { category: 'GCS_READ_ERROR', message: /gs:\/\/configs\/secret\.json.*permission denied/ });
  t.equal(fake.faults.count('objects.get'), 1);
});

t.test('an object over the size limit is refused before its bytes are fetched', async (t) => {
  const { fake, source } = await open(t, 10);
  fake.put('configs', 'big.json', CONFIG);
  const error = await source.read('gs://configs/big.json').catch((e: unknown) => e);
  t.match(error, { category: 'GCS_READ_ERROR', message: `Config gs://configs/big.json is ${CONFIG.length} bytes, over the limit of 10 bytes` });
  t.equal(fake.faults.count('objects.download'), 0);
});

t.test('bytes past the limit are refused while reading, when the object grew after its size was checked', async (t) => {
  const { fake, source } = await open(t, CONFIG.length);
  fake.put('configs', 'daily.json', CONFIG);
  fake.faults.inject('objects.download', { kind: 'latency', ms: 300 });
  const reading = source.read('gs://configs/daily.json').catch((e: unknown) => e);
  // The fake ignores the pinned generation, so the bigger object is what the download serves.
  while (fake.faults.count('objects.download') === 0) await new Promise((resolve) => setImmediate(resolve));
  fake.put('configs', 'daily.json', `${CONFIG}   `);
  t.match(await reading, { category: 'GCS_READ_ERROR', message: /over the limit/ });
});

t.test('a transient 503 on metadata and on the download is retried', async (t) => {
  const { fake, source } = await open(t);
  fake.put('configs', 'daily.json', CONFIG);
  fake.faults.inject('objects.get', { kind: 'status', status: 503, reason: 'backendError' });
  fake.faults.inject('objects.download', { kind: 'status', status: 503, reason: 'backendError' });
  t.equal(await source.read('gs://configs/daily.json'), CONFIG);
  t.equal(fake.faults.count('objects.get'), 2);
  t.equal(fake.faults.count('objects.download'), 2);
});

t.test('a path that is not gs://bucket/object is GCS_READ_ERROR', async (t) => {
  const { source } = await open(t);
  t.match(await source.read('gs://only-bucket').catch((e: unknown) => e), { category: 'GCS_READ_ERROR' });
});
