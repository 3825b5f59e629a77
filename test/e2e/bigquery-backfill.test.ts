import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { createLocalFileConfigSource } from '../../services/config-source/local-file-config-source.js';
import { RECON_COLUMNS } from '../../services/pipeline/recon-rows.js';
import { TARGET_COLUMNS } from '../../services/pipeline/target-rows.js';
import type { Backfill } from '../../services/runs/backfills.js';
import type { RunPage } from '../../services/runs/recon-runs.js';
import type { RunDocument } from '../../services/runs/run-document.js';
import { parseTableRef } from '../../services/table-ref.js';
import { buildApp } from '../../src/app.js';
import { loadSettings } from '../../src/settings.js';
import { finishedRun } from '../helpers/build-app.js';
import { metric, PARTITION_INFO, RECON, resultSql, TARGET } from '../helpers/fixtures.js';
import { openBigQueryHarness } from '../support/fake-bigquery/bigquery-harness.js';

// The real app on the BigQuery adapter and the real client, against the local BigQuery server:
// a backfill, a retry of its partial date, and only_missing, with every read of the recon table
// (run documents, the date-range listing, the Passed rows per date) going through BigQuery SQL.

t.test('on BigQuery: a backfill writes each date, a retry reruns only the failed metric, only_missing then skips every date', async (t) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  t.teardown(close);
  for (const dataset of ['sales', 'metrics', 'audit']) await fake.engine.ensureDataset('proj-a', dataset);
  await fake.engine.createTable(parseTableRef(TARGET), TARGET_COLUMNS);
  await fake.engine.createTable(parseTableRef(RECON), RECON_COLUMNS);
  const sql = (statement: string) => fake.engine.execute(statement, [], 'proj-a');
  await sql('CREATE TABLE `proj-a.sales.tx` (d STRING, amount NUMERIC)');
  await sql("INSERT INTO `proj-a.sales.tx` VALUES ('2024-01-15', NUMERIC '2.5'), ('2024-01-17', NUMERIC '4')");

  const dir = t.testdir();
  const config = join(dir, 'metrics.json');
  // No sales on 2024-01-16 yet: COUNT(*) is 0 there, a DATA_QUALITY_ERROR denominator.
  const sales = metric('sales', `SELECT SUM(amount) AS metric_output, SUM(amount) AS numerator_value, COUNT(*) AS denominator_value,
    '{currently}' AS business_data_date FROM \`proj-a.sales.tx\` WHERE d = '{currently}'`);
  writeFileSync(config, JSON.stringify([sales, metric('steady', resultSql('1'))]));
  const settings = { ...loadSettings({}), METRICS_DEFAULT_RECON_TABLE: RECON, METRICS_ALLOW_LOCAL_CONFIG: true, METRICS_LOCAL_CONFIG_DIR: dir, LOG_LEVEL: 'silent' as const };
  const app = await buildApp({ settings, warehouse, configSource: createLocalFileConfigSource({ maxBytes: 1024 * 1024 }), logger: pino({ level: 'silent' }) });
  t.teardown(() => app.close());
  const body = { gcs_path: config, run_date: '2024-01-15', dependencies: 'daily', partition_info_table: PARTITION_INFO, env: 'PRD', recon_table: RECON };
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });

  const backfill = (await post('/backfills', { ...body, run_date_to: '2024-01-17' })).json<Backfill>();
  const documents = await Promise.all(backfill.runs.map((run) => finishedRun(app, run.run_id)));
  t.same(documents.map((document) => [document.parameters.run_date, document.status, document.source]), [
    ['2024-01-15', 'succeeded', 'recon_table'],
    ['2024-01-16', 'partial', 'recon_table'],
    ['2024-01-17', 'succeeded', 'recon_table'],
  ]);
  const target = async () => (await sql(`SELECT partition_dt, metric_id, CAST(metric_output AS STRING) AS out, run_id FROM \`${TARGET}\` ORDER BY 1, 2`)).rows;
  const [first, partial, last] = backfill.runs;
  t.same(await target(), [
    { partition_dt: '2024-01-15', metric_id: 'sales', out: '2.500000000', run_id: first?.run_id },
    { partition_dt: '2024-01-15', metric_id: 'steady', out: '1.000000000', run_id: first?.run_id },
    { partition_dt: '2024-01-16', metric_id: 'steady', out: '1.000000000', run_id: partial?.run_id },
    { partition_dt: '2024-01-17', metric_id: 'sales', out: '4.000000000', run_id: last?.run_id },
    { partition_dt: '2024-01-17', metric_id: 'steady', out: '1.000000000', run_id: last?.run_id },
  ]);

  await sql("INSERT INTO `proj-a.sales.tx` VALUES ('2024-01-16', NUMERIC '3')");
  const retry = (await post('/runs?wait=true', { ...body, run_date: '2024-01-16', retry_failed_of: partial?.run_id })).json<RunDocument>();
  t.match(await finishedRun(app, retry.run_id), { status: 'succeeded', source: 'recon_table', retry_of: partial?.run_id, metrics: [{ metric_id: 'sales' }] });
  t.match((await target()).filter((row) => row.partition_dt === '2024-01-16'), [
    { metric_id: 'sales', out: '3.000000000', run_id: retry.run_id },
    { metric_id: 'steady', out: '1.000000000', run_id: partial?.run_id },
  ], 'the passed metric kept its row');

  const resumed = await post('/backfills', { ...body, run_date_to: '2024-01-17', only_missing: true });
  t.equal(resumed.statusCode, 200);
  t.match(resumed.json(), { runs: [], skipped: ['2024-01-15', '2024-01-16', '2024-01-17'] });

  const listed = (await app.inject({ method: 'GET', url: '/runs?run_date_from=2024-01-16&run_date_to=2024-01-17' })).json<RunPage>();
  t.same(new Set(listed.runs.map((run) => run.run_id)), new Set([partial?.run_id, last?.run_id, retry.run_id]));
});
