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

/** The problems a SettingsError lists for `env`. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

t.test('every bad setting is one problem naming the variable, what it allows and what it got', async (t) => {
  t.same(problemsOf({ METRICS_WAREHOUSE: 'snowflake', PORT: 'eighty', METRICS_ALLOW_LOCAL_CONFIG: 'perhaps', LOG_LEVEL: 'loud' }), [
    "METRICS_WAREHOUSE must be one of duckdb, bigquery, got 'snowflake'",
    "METRICS_ALLOW_LOCAL_CONFIG must be true or false, got 'perhaps'",
    "PORT must be a whole number from 0 to 65535, got 'eighty'",
    "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
  ]);
  t.same(problemsOf({ METRICS_QUERY_TIMEOUT_MS: '1.5', BIGQUERY_EMULATOR_HOST: 'localhost:9050', METRICS_DUCKDB_CONNECTIONS: '0' }), [
    "METRICS_DUCKDB_CONNECTIONS must be a whole number from 1 to 64, got '0'",
    "METRICS_QUERY_TIMEOUT_MS must be a whole number of at least 1, got '1.5'",
    "BIGQUERY_EMULATOR_HOST must be an http:// or https:// URL, got 'localhost:9050'",
  ]);
});

t.test('a BigQuery emulator without GOOGLE_CLOUD_PROJECT is a settings problem, not a crash later', async (t) => {
  t.same(problemsOf({ METRICS_WAREHOUSE: 'bigquery', BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:9050' }), [
    'GOOGLE_CLOUD_PROJECT must be set when BIGQUERY_EMULATOR_HOST is: an emulator has no credentials to tell the project',
  ]);
  t.doesNotThrow(() => loadSettings({ BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:9050' }), 'irrelevant on DuckDB');
});

t.test('METRICS_MAX_BYTES_BILLED is unset by default and otherwise a positive whole number of bytes', async (t) => {
  t.equal(loadSettings({}).METRICS_MAX_BYTES_BILLED, undefined);
  t.equal(loadSettings({ METRICS_MAX_BYTES_BILLED: '1000000000' }).METRICS_MAX_BYTES_BILLED, 1_000_000_000);
  for (const bad of ['0', '-1', 'lots']) {
    t.throws(() => loadSettings({ METRICS_MAX_BYTES_BILLED: bad }), { message: /METRICS_MAX_BYTES_BILLED/ }, bad);
  }
});
