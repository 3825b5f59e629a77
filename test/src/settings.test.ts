import t from 'tap';
import { loadSettings, localConfigPolicy, SettingsError } from '../../src/settings.js';

t.test('defaults apply when the environment is empty', async (t) => {
  const settings = loadSettings({});
  t.match(settings, {
    METRICS_WAREHOUSE: 'duckdb',
    METRICS_DUCKDB_DIR: './data/warehouse',
    METRICS_QUERY_TIMEOUT_MS: 180_000,
    PORT: 8080,
  });
  t.ok(localConfigPolicy(settings).allowLocal, 'local configs are allowed on the embedded warehouse');
});

t.test('values are converted from text and checked', async (t) => {
  const settings = loadSettings({ PORT: '9090', METRICS_METRIC_CONCURRENCY: '3', METRICS_GCS_PREFIXES: 'gs://a/, gs://b/x/' });
  t.equal(settings.PORT, 9090);
  t.equal(settings.METRICS_METRIC_CONCURRENCY, 3);
  t.same(localConfigPolicy(settings).gcsPrefixes, ['gs://a/', 'gs://b/x/']);
});

t.test('local configs are refused by default on BigQuery unless allowed explicitly', async (t) => {
  t.notOk(localConfigPolicy(loadSettings({ METRICS_WAREHOUSE: 'bigquery' })).allowLocal);
  t.ok(localConfigPolicy(loadSettings({ METRICS_WAREHOUSE: 'bigquery', METRICS_ALLOW_LOCAL_CONFIG: 'true' })).allowLocal);
});

t.test('a bad value stops start-up naming the variable', async (t) => {
  t.throws(() => loadSettings({ PORT: 'eighty', METRICS_WAREHOUSE: 'oracle' }), SettingsError);
  t.throws(() => loadSettings({ METRICS_QUERY_TIMEOUT_MS: '-5' }), { message: /METRICS_QUERY_TIMEOUT_MS/ });
});

t.test('METRICS_MAX_BYTES_BILLED is unset by default and otherwise a positive whole number of bytes', async (t) => {
  t.equal(loadSettings({}).METRICS_MAX_BYTES_BILLED, undefined);
  t.equal(loadSettings({ METRICS_MAX_BYTES_BILLED: '1000000000' }).METRICS_MAX_BYTES_BILLED, 1_000_000_000);
  for (const bad of ['0', '-1', 'lots']) {
    t.throws(() => loadSettings({ METRICS_MAX_BYTES_BILLED: bad }), { message: /METRICS_MAX_BYTES_BILLED/ }, bad);
  }
});
