import { pino } from 'pino';
import t from 'tap';
import { createGcsConfigSource, createStorageClient } from '../../services/config-source/gcs-config-source.js';
import { RECON_COLUMNS } from '../../services/pipeline/recon-rows.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import { TARGET_COLUMNS } from '../../services/pipeline/target-rows.js';
import { parseTableRef } from '../../services/table-ref.js';
import { openBigQueryHarness, TEST_RETRY } from '../support/fake-bigquery/bigquery-harness.js';
import { startFakeGcs } from '../support/fake-gcs/fake-gcs-server.js';

const RUN_DATE = '2024-01-15';
const parameters = {
  gcs_path: 'gs://metric-configs/daily/metrics.json',
  run_date: RUN_DATE,
  dependencies: ['daily'],
  partition_info_table: 'proj-a.ops.partition_info',
  env: 'DEV' as const,
  recon_table: 'proj-a.audit.recon',
};
const metric = (metric_id: string, sql: string) => ({
  metric_id,
  metric_name: `Metric ${metric_id}`,
  metric_type: 'count',
  sql,
  dependency: 'daily',
  target_table: 'proj-a.metrics.out',
  metric_description: 'extra fields are ignored',
});

t.test('a run reads its config from Cloud Storage and writes target and recon rows to BigQuery', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  const gcs = await startFakeGcs();
  t.teardown(() => gcs.close());

  for (const dataset of ['sales', 'ops', 'metrics', 'audit']) await fake.engine.ensureDataset('proj-a', dataset);
  await fake.engine.createTable(parseTableRef('proj-a.metrics.out'), TARGET_COLUMNS);
  await fake.engine.createTable(parseTableRef(parameters.recon_table), RECON_COLUMNS);
  const seed = (sql: string) => fake.engine.execute(sql, [], 'proj-a');
  await seed('CREATE TABLE `proj-a.sales.tx` (d DATE, amount NUMERIC)');
  await seed("INSERT INTO `proj-a.sales.tx` VALUES (DATE '2024-01-14', NUMERIC '10.000000001'), (DATE '2024-01-14', NUMERIC '2'), (DATE '2024-01-13', NUMERIC '7')");
  await seed('CREATE TABLE `proj-a.ops.partition_info` (project_dataset STRING, table_name STRING, partition_dt DATE)');
  await seed("INSERT INTO `proj-a.ops.partition_info` VALUES ('sales', 'tx', DATE '2024-01-14')");

  const passing = metric(
    'sales_sum',
    'SELECT SUM(amount) AS metric_output, SUM(amount) AS numerator_value, 1 AS denominator_value, ' +
      "'{currently}' AS business_data_date FROM `proj-a.sales.tx` WHERE d = {partition_info}",
  );
  const failing = metric('zero_denominator', `SELECT 1 AS metric_output, 1 AS numerator_value, 0 AS denominator_value, '${RUN_DATE}' AS business_data_date`);
  gcs.put('metric-configs', 'daily/metrics.json', JSON.stringify([passing, failing]));

  const storage = createStorageClient({ emulatorHost: gcs.url, retry: TEST_RETRY });
  const deps = {
    warehouse,
    configSource: createGcsConfigSource({ storage, maxBytes: 1024 * 1024 }),
    logger: pino({ level: 'silent' }),
    settings: { queryTimeoutMs: 10_000, metricConcurrency: 2 },
  };
  const result = await runPipeline(parameters, deps, { runId: 'run-e2e-1' });

  t.equal(result.status, 'partial');
  t.same(result.metrics.map((m) => [m.metric_id, m.status, m.error_category]), [
    ['sales_sum', 'Passed', null],
    ['zero_denominator', 'Failed', 'DATA_QUALITY_ERROR'],
  ]);
  const target = await fake.engine.execute('SELECT * FROM `proj-a.metrics.out`', [], 'proj-a');
  t.match(target.rows, [
    {
      metric_id: 'sales_sum',
      metric_output: '12.000000001',
      numerator_value: '12.000000001',
      denominator_value: '1',
      business_data_date: RUN_DATE,
      partition_dt: RUN_DATE,
      run_id: 'run-e2e-1',
      pipeline_execution_ts: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/,
    },
  ]);
  t.equal(target.rows.length, 1);
  const recon = await fake.engine.execute('SELECT * FROM `proj-a.audit.recon` ORDER BY source_system_id', [], 'proj-a');
  t.match(recon.rows, [
    { source_system_id: 'sales_sum', clcltn_ds: 'Success', source_table_nm: 'tx', latest_source_parttn_dt: '2024-01-14', run_id: 'run-e2e-1' },
    { source_system_id: 'zero_denominator', clcltn_ds: 'Failed', error_category: 'DATA_QUALITY_ERROR' },
  ]);
  const labelled = [...fake.jobs.records.values()].filter((job) => job.configuration.labels?.['metric_id'] === 'sales_sum');
  t.ok(labelled.length > 0, 'the metric ran as jobs labelled for cost attribution');
});
