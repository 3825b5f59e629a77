import { readFileSync } from 'node:fs';
import type { BigQuery } from '@google-cloud/bigquery';
import t, { type Test } from 'tap';
import { RECON_COLUMNS, reconRow } from '../../services/pipeline/recon-rows.js';
import type { RunParameters } from '../../services/pipeline/run-parameters.js';
import { writeReconRows, writeTargetBatch } from '../../services/pipeline/table-writes.js';
import { TARGET_COLUMNS } from '../../services/pipeline/target-rows.js';
import { ReconRuns } from '../../services/runs/recon-runs.js';
import { createBigQueryClient } from '../../services/warehouse/bigquery/bigquery-client.js';
import { openBigQueryHarness, TEST_PROJECT } from '../support/fake-bigquery/bigquery-harness.js';

// deploy/sql/*.sql applied through the real @google-cloud/bigquery client to the local BigQuery
// server, read back with tables.get, then written and read by the service's own code.

const RECON = `${TEST_PROJECT}.audit.metrics_recon`;
const TARGET = `${TEST_PROJECT}.metrics.transaction_metrics`;
const RUN_DATE = '2024-01-15';
const PARAMETERS: RunParameters = {
  gcs_path: 'gs://cfg/metrics.json',
  run_date: RUN_DATE,
  dependencies: ['daily'],
  partition_info_table: `${TEST_PROJECT}.ops.partition_info`,
  env: 'PRD',
  recon_table: RECON,
};

/** §6 and §5 column types as tables.get names them (legacy REST spelling: INT64 is INTEGER). */
const RECON_TYPES: Record<string, string> = { schdld_dt: 'DATE', schdld_yr: 'INTEGER' };
const TARGET_TYPES: Record<string, string> = {
  numerator_value: 'NUMERIC',
  denominator_value: 'NUMERIC',
  metric_output: 'NUMERIC',
  pipeline_execution_ts: 'TIMESTAMP',
};

/** A deploy/sql file with its ${NAME} placeholders filled, as `envsubst` does. */
function sqlFile(name: string, values: Record<string, string>): string {
  const text = readFileSync(new URL(`../../deploy/sql/${name}`, import.meta.url), 'utf8');
  return text.replace(/\$\{([A-Z_]+)\}/g, (whole, key: string) => values[key] ?? whole);
}

async function open(t: Test) {
  const harness = await openBigQueryHarness();
  t.teardown(() => harness.close());
  await harness.fake.engine.ensureDataset(TEST_PROJECT, 'audit');
  await harness.fake.engine.ensureDataset(TEST_PROJECT, 'metrics');
  const client = createBigQueryClient({ projectId: TEST_PROJECT, location: 'US', emulatorHost: harness.fake.url });
  return { ...harness, client };
}

async function fieldsOf(client: BigQuery, tableName: string): Promise<Array<{ name: string; type: string }>> {
  const [, dataset, table] = tableName.split('.') as [string, string, string];
  const metadata = (await client.dataset(dataset).table(table).getMetadata())[0] as unknown;
  return (metadata as { schema: { fields: Array<{ name: string; type: string }> } }).schema.fields.map(({ name, type }) => ({ name, type }));
}

t.test('recon_table.sql creates every §6 column with its type, and the service writes and reads runs in it', async (t) => {
  const { client, warehouse } = await open(t);
  const sql = sqlFile('recon_table.sql', { RECON_TABLE: RECON });
  t.match(sql, /PARTITION BY schdld_dt\s+CLUSTER BY source_system_id/, 'partitioned by schdld_dt, clustered by source_system_id');
  await client.query({ query: sql });

  const expected = RECON_COLUMNS.map((column) => ({ name: column.name, type: RECON_TYPES[column.name] ?? 'STRING' }));
  t.same(await fieldsOf(client, RECON), expected, 'tables.get: the §6 columns in order, STRING except schdld_dt DATE and schdld_yr INT64');

  // IF NOT EXISTS: applying it again is harmless.
  await client.query({ query: sql });

  const passed = { source_system_id: 'txn_count', job_name: 'Transactions', target_table: TARGET, error_category: null, reason: '' };
  const failed = { ...passed, source_system_id: 'refund_rate', job_name: 'Refund rate', error_category: 'DATA_QUALITY_ERROR' as const, reason: 'denominator_value is 0' };
  const loadedAt = new Date('2024-01-16T02:00:00Z');
  await writeReconRows(warehouse, RECON, [passed, failed].map((entry) => reconRow(entry, PARAMETERS, 'run-1', loadedAt)));

  const document = await new ReconRuns(warehouse).get(RECON, 'run-1');
  t.equal(document?.status, 'partial', 'GET /runs/{run_id} can read the run back from the table');
  t.same(
    document?.metrics.map((metric) => [metric.metric_id, metric.status, metric.error_category]),
    [
      ['refund_rate', 'Failed', 'DATA_QUALITY_ERROR'],
      ['txn_count', 'Passed', null],
    ],
  );
  const [rows] = await client.query({ query: `SELECT schdld_dt, schdld_yr FROM \`${RECON}\` WHERE run_id = 'run-1' LIMIT 1` });
  t.same(rows.map((row: { schdld_dt: { value: string }; schdld_yr: number }) => [row.schdld_dt.value, Number(row.schdld_yr)]), [[RUN_DATE, 2024]]);
});

t.test('target_table.sql creates the §5 columns, and a rerun of a date overwrites instead of duplicating', async (t) => {
  const { client, warehouse } = await open(t);
  const sql = sqlFile('target_table.sql', { TARGET_TABLE: TARGET });
  t.notMatch(sql, /PARTITION BY/, 'BigQuery cannot partition by the STRING partition_dt');
  t.match(sql, /CLUSTER BY metric_id, partition_dt/);
  await client.query({ query: sql });

  const expected = TARGET_COLUMNS.map((column) => ({ name: column.name, type: TARGET_TYPES[column.name] ?? 'STRING' }));
  t.same(await fieldsOf(client, TARGET), expected, 'tables.get: the §5 columns in order with their types');

  const row = (output: string, runId: string) => ({
    metric_id: 'txn_count',
    metric_name: 'Transactions',
    metric_type: 'count',
    numerator_value: output,
    denominator_value: '1',
    metric_output: output,
    business_data_date: RUN_DATE,
    partition_dt: RUN_DATE,
    pipeline_execution_ts: '2024-01-16T02:00:00.000Z',
    run_id: runId,
  });
  await writeTargetBatch(warehouse, TARGET, [row('12345678901234567890.123456789', 'run-1')]);
  await writeTargetBatch(warehouse, TARGET, [row('42.000000001', 'run-2')]);
  const [rows] = await client.query({ query: `SELECT CAST(metric_output AS STRING) AS out, run_id FROM \`${TARGET}\`` });
  t.same(rows, [{ out: '42.000000001', run_id: 'run-2' }], 'one row per (metric_id, partition_dt), exact to 9 decimals');
});

t.test('alter_recon_add_columns.sql and alter_recon_add_retry_of.sql bring a recon table of the old shape up to date, and can run twice', async (t) => {
  const { client, fake } = await open(t);
  // The PySpark job's table: the same DDL without the added columns.
  const oldShape = sqlFile('recon_table.sql', { RECON_TABLE: RECON })
    .split('\n')
    .filter((line) => !/^\s*(run_id|error_category|retry_of)\s/.test(line))
    .join('\n')
    .replace(/Job_Name STRING,(\s*\))/, 'Job_Name STRING$1');
  await client.query({ query: oldShape });
  const before = await fieldsOf(client, RECON);
  t.notOk(before.some((field) => ['run_id', 'error_category', 'retry_of'].includes(field.name)), 'the old table lacks the added columns');
  await fake.engine.execute(`INSERT INTO \`${RECON}\` (source_system_id, schdld_dt, Job_Name) VALUES ('old_metric', DATE '2023-12-31', 'Old')`, [], TEST_PROJECT);

  for (const file of ['alter_recon_add_columns.sql', 'alter_recon_add_retry_of.sql']) {
    const alter = sqlFile(file, { RECON_TABLE: RECON });
    await client.query({ query: alter });
    await client.query({ query: alter });
  }

  const after = await fieldsOf(client, RECON);
  const added = ['run_id', 'error_category', 'retry_of'].map((name) => ({ name, type: 'STRING' }));
  t.same(after, [...before, ...added], 'each added at the end, as STRING');
  t.same(
    after.map((field) => field.name),
    RECON_COLUMNS.map((column) => column.name),
    'the migrated table has exactly the columns of a new one',
  );
  const [rows] = await client.query({ query: `SELECT source_system_id, run_id, error_category FROM \`${RECON}\`` });
  t.same(rows, [{ source_system_id: 'old_metric', run_id: null, error_category: null }], 'old rows kept, with NULL in the new columns');
});

t.test('a recon table without retry_of is still written and read; once the column is added, a retry run records and shows it', async (t) => {
  const { client, warehouse } = await open(t);
  const withoutRetryOf = sqlFile('recon_table.sql', { RECON_TABLE: RECON })
    .replace(/error_category STRING,\s*retry_of STRING/, 'error_category STRING');
  await client.query({ query: withoutRetryOf });
  const parameters: RunParameters = { ...PARAMETERS, retry_failed_of: 'run-1' };
  const entry = { source_system_id: 'refund_rate', job_name: 'Refund rate', target_table: TARGET, error_category: null, reason: '' };
  const loadedAt = new Date('2024-01-16T02:00:00Z');
  await writeReconRows(warehouse, RECON, [reconRow(entry, parameters, 'run-2', loadedAt)]);
  t.match(await new ReconRuns(warehouse).get(RECON, 'run-2'), { status: 'succeeded', retry_of: null }, 'retry_of dropped and read as null');

  await client.query({ query: sqlFile('alter_recon_add_retry_of.sql', { RECON_TABLE: RECON }) });
  await writeReconRows(warehouse, RECON, [reconRow(entry, parameters, 'run-3', loadedAt)]);
  t.match(await new ReconRuns(warehouse).get(RECON, 'run-3'), { status: 'succeeded', retry_of: 'run-1', parameters: { retry_failed_of: 'run-1' } });
});
