import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { createConfigSource, createWarehouse } from '../../src/adapters.js';
import { buildApp } from '../../src/app.js';
import { loadSettings } from '../../src/settings.js';

/**
 * Start-up cost: the Google client libraries take longer to load than the rest
 * of the service, so embedded mode must never load them. This file imports
 * nothing that does (no local Google servers), so the module cache shows
 * exactly what the service itself loaded.
 */
const silent = pino({ level: 'silent' });
const googleModules = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((path) => /node_modules\/(@google-cloud\/|google-auth-library\/)/.test(path));

t.test('embedded mode answers readiness and reads a local config without loading any Google client library', async (t) => {
  const dir = t.testdir();
  const settings = loadSettings({ METRICS_DUCKDB_DIR: join(dir, 'warehouse'), METRICS_AUTH_MODE: 'token', METRICS_AUTH_TOKEN: 'a-long-enough-token' });
  const warehouse = await createWarehouse(settings, silent);
  const configSource = createConfigSource(settings);
  const app = await buildApp({ settings, warehouse, configSource, logger: silent });
  t.teardown(async () => {
    await app.close();
    await warehouse.close();
  });
  t.equal((await app.inject('/readyz')).statusCode, 200);
  writeFileSync(join(dir, 'metrics.json'), '[]');
  t.equal(await configSource.read(join(dir, 'metrics.json')), '[]');
  t.same(googleModules(), []);
});

t.test('the first gs:// read loads the Cloud Storage client, as the check above would see', async (t) => {
  const settings = loadSettings({ STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9', GOOGLE_CLOUD_PROJECT: 'p', METRICS_RETRY_MAX_ATTEMPTS: '1' });
  // Nothing listens on port 9: the read fails, after the client was loaded to make it.
  await t.rejects(createConfigSource(settings).read('gs://bucket/metrics.json'), { category: 'GCS_READ_ERROR', message: /gs:\/\/bucket\/metrics\.json/ });
  t.ok(googleModules().some((path) => path.includes('/@google-cloud/storage/')));
});
