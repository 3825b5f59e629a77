import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { createConfigSource, createWarehouse, pipelineSettings } from '../../src/adapters.js';
import { loadSettings } from '../../src/settings.js';
import { DuckDbWarehouse } from '../../services/warehouse/duckdb/duckdb-warehouse.js';
import { startFakeBigQuery } from '../support/fake-bigquery/fake-bigquery-server.js';
import { startFakeGcs } from '../support/fake-gcs/fake-gcs-server.js';

const silent = pino({ level: 'silent' });

t.test('METRICS_WAREHOUSE=bigquery with an emulator host wires the BigQuery adapter to it', async (t) => {
  const fake = await startFakeBigQuery();
  t.teardown(() => fake.close());
  const settings = loadSettings({ METRICS_WAREHOUSE: 'bigquery', BIGQUERY_EMULATOR_HOST: fake.url, GOOGLE_CLOUD_PROJECT: 'wired-proj' });
  const warehouse = await createWarehouse(settings, silent);
  t.teardown(() => warehouse.close());
  t.same((await warehouse.query({ sql: 'SELECT 1 AS one', timeoutMs: 10_000 })).rows, [{ one: '1' }]);
  t.ok(fake.faults.count('jobs.insert') >= 1, 'the query reached the local server');
});

t.test('the default settings wire the embedded DuckDB warehouse in METRICS_DUCKDB_DIR, which creates no project', async (t) => {
  const settings = loadSettings({ METRICS_DUCKDB_DIR: join(t.testdir(), 'warehouse') });
  const warehouse = await createWarehouse(settings, silent);
  t.teardown(() => warehouse.close());
  t.type(warehouse, DuckDbWarehouse);
  await t.rejects(warehouse.createTable({ project: 'proj-a', dataset: 'ds', table: 't' }, [{ name: 'x', type: 'STRING' }]), {
    category: 'BIGQUERY_WRITE_ERROR',
    message: /Project 'proj-a' has no database file proj-a\.duckdb in the warehouse directory .*METRICS_DUCKDB_CREATE_PROJECTS=true/,
  });
  t.notOk(existsSync(join(settings.METRICS_DUCKDB_DIR, 'proj-a.duckdb')));
});

t.test('METRICS_DUCKDB_CREATE_PROJECTS=true lets writes create project files in METRICS_DUCKDB_DIR', async (t) => {
  const settings = loadSettings({ METRICS_DUCKDB_DIR: join(t.testdir(), 'warehouse'), METRICS_DUCKDB_CREATE_PROJECTS: 'true' });
  const warehouse = await createWarehouse(settings, silent);
  t.teardown(() => warehouse.close());
  await warehouse.createTable({ project: 'proj-a', dataset: 'ds', table: 't' }, [{ name: 'x', type: 'STRING' }]);
  t.ok(existsSync(join(settings.METRICS_DUCKDB_DIR, 'proj-a.duckdb')), 'projects are files in METRICS_DUCKDB_DIR');
});

t.test('the config source reads gs:// from Cloud Storage and other paths from disk', async (t) => {
  const fake = await startFakeGcs();
  t.teardown(() => fake.close());
  fake.put('configs', 'daily.json', '[{"from":"gcs"}]');
  const local = join(t.testdir(), 'local.json');
  writeFileSync(local, '[{"from":"disk"}]');
  const source = createConfigSource(loadSettings({ STORAGE_EMULATOR_HOST: fake.url, GOOGLE_CLOUD_PROJECT: 'wired-proj' }));
  t.equal(await source.read('gs://configs/daily.json'), '[{"from":"gcs"}]');
  t.equal(await source.read(local), '[{"from":"disk"}]');
  await t.rejects(source.read('gs://configs/missing.json'), { category: 'GCS_READ_ERROR', message: /gs:\/\/configs\/missing\.json/ });
});

t.test('METRICS_MAX_BYTES_BILLED becomes the cost cap of every metric query, as integer text; unset, there is none', async (t) => {
  t.equal(pipelineSettings(loadSettings({ METRICS_MAX_BYTES_BILLED: '5000000000' })).maxBytesBilled, '5000000000');
  t.notOk('maxBytesBilled' in pipelineSettings(loadSettings({})));
});
