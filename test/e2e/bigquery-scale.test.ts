import t, { type Test } from 'tap';
import { bigQueryPipelineFixture } from '../helpers/bigquery-pipeline-fixture.js';
import { metric, PARTITION_INFO, RECON, RUN_DATE } from '../helpers/fixtures.js';

/**
 * 10,000-metric runs through the real BigQuery client against the local
 * BigQuery server, which refuses any request past BigQuery's limits (10,000
 * parameters, 1,024K characters, 10 MB). Every row must land exactly, with one
 * partition lookup per run and the writes each table's batch needs. The SQL is
 * as cheap as SQL gets: the run's own machinery is what is under test.
 */
const METRICS = 10_000;
const SOURCES = 10;

/** Metric i: i + 0.000000001 + the one row of its source table, so every value is distinct and exact. */
const metricSql = (i: number) =>
  `SELECT NUMERIC '${i}.000000001' + COUNT(*) AS metric_output, COUNT(*) AS numerator_value, 1 AS denominator_value, ` +
  `'{currently}' AS business_data_date FROM \`proj-a.sales.tx_${i % SOURCES}\` WHERE d = {partition_info}`;
const idOf = (i: number) => `m${String(i).padStart(5, '0')}`;

async function scaleFixture(t: Test) {
  const fixture = await bigQueryPipelineFixture(t, { settings: { metricConcurrency: 16 } });
  await fixture.sql(`CREATE TABLE \`${PARTITION_INFO}\` (project_dataset STRING, table_name STRING, partition_dt DATE)`);
  for (let s = 0; s < SOURCES; s++) {
    await fixture.sql(`CREATE TABLE \`proj-a.sales.tx_${s}\` (d DATE); INSERT INTO \`proj-a.sales.tx_${s}\` VALUES (DATE '2024-01-14')`);
    await fixture.sql(`INSERT INTO \`${PARTITION_INFO}\` VALUES ('sales', 'tx_${s}', DATE '2024-01-14')`);
  }
  return fixture;
}

/** Every target row of the run, exact, in metric order. */
function checkTargets(t: Test, rows: Array<Record<string, string | null>>, runId: string, idFor = idOf) {
  const expected = Array.from({ length: METRICS }, (_, i) => ({
    metric_id: idFor(i),
    metric_output: `${i + 1}.000000001`,
    numerator_value: '1.000000000',
    denominator_value: '1.000000000',
    business_data_date: RUN_DATE,
    partition_dt: RUN_DATE,
    run_id: runId,
  }));
  sameRows(t, rows, expected, 'target rows');
}

/**
 * Row lists compared as JSON lines: tap's deep comparison takes minutes over
 * 10,000 rows; a mismatch is reported by its first differing row.
 */
function sameRows(t: Test, actual: unknown[], expected: unknown[], what: string) {
  t.equal(actual.length, expected.length, `${what}: one per metric`);
  const first = expected.findIndex((row, i) => JSON.stringify(actual[i]) !== JSON.stringify(row));
  t.equal(first, -1, `${what}: every one exact${first < 0 ? '' : `; row ${first} is ${JSON.stringify(actual[first])}, not ${JSON.stringify(expected[first])}`}`);
}

t.test('10,000 metrics in one target table: every row lands exactly; the recon batch, over 10 MB, goes through a staging table', async (t) => {
  const { sql, createTarget, writeConfig, run, jobs } = await scaleFixture(t);
  await createTarget('proj-a.metrics.out');
  // Ids and names as long as the config allows (100 and 255 characters) make the recon batch about 11 MB:
  // more than one request may carry, so it goes through a staging table in two chunks.
  const longId = (i: number) => idOf(i).padEnd(100, '_');
  const longName = (i: number) => `${idOf(i)} `.padEnd(255, 'n');
  const config = writeConfig(Array.from({ length: METRICS }, (_, i) => metric(longId(i), metricSql(i), { metric_name: longName(i) })));
  const result = await run(config);
  t.equal(result.status, 'succeeded', JSON.stringify(result.run_failure ?? result.metrics.find((m) => m.status === 'Failed')));
  const targets = await sql(
    'SELECT metric_id, CAST(metric_output AS STRING) AS metric_output, CAST(numerator_value AS STRING) AS numerator_value, ' +
      'CAST(denominator_value AS STRING) AS denominator_value, business_data_date, partition_dt, run_id FROM `proj-a.metrics.out` ORDER BY metric_id',
  );
  checkTargets(t, targets, result.run_id, longId);
  const recon = await sql(`SELECT source_system_id, Job_Name, clcltn_ds, latest_source_parttn_dt FROM \`${RECON}\` ORDER BY source_system_id`);
  const expectedRecon = Array.from({ length: METRICS }, (_, i) => ({ source_system_id: longId(i), Job_Name: longName(i), clcltn_ds: 'Success', latest_source_parttn_dt: '2024-01-14' }));
  sameRows(t, recon, expectedRecon, 'recon rows');
  // Writes: the target batch in one job; the recon batch in two staging chunks and one script.
  t.same(jobs(), { queries: METRICS, lookups: 1, writes: 4 });
});

t.test('10,000 metrics spread over 10 target tables: every row lands exactly, one write per table and one for the recon rows', async (t) => {
  const { sql, createTarget, writeConfig, run, jobs } = await scaleFixture(t);
  for (let table = 0; table < 10; table++) await createTarget(`proj-a.metrics.out_${table}`);
  const config = writeConfig(Array.from({ length: METRICS }, (_, i) => metric(idOf(i), metricSql(i), { target_table: `proj-a.metrics.out_${i % 10}` })));
  const result = await run(config);
  t.equal(result.status, 'succeeded', JSON.stringify(result.run_failure ?? result.metrics.find((m) => m.status === 'Failed')));
  const union = Array.from({ length: 10 }, (_, table) => `SELECT * FROM \`proj-a.metrics.out_${table}\``).join(' UNION ALL ');
  const targets = await sql(
    'SELECT metric_id, CAST(metric_output AS STRING) AS metric_output, CAST(numerator_value AS STRING) AS numerator_value, ' +
      `CAST(denominator_value AS STRING) AS denominator_value, business_data_date, partition_dt, run_id FROM (${union}) ORDER BY metric_id`,
  );
  checkTargets(t, targets, result.run_id);
  const [perTable] = await sql(`SELECT COUNT(DISTINCT metric_id) AS metrics FROM \`proj-a.metrics.out_3\` WHERE metric_id LIKE '%3'`);
  t.same(perTable, { metrics: '1000' }, 'each table holds its own tenth');
  const [recon] = await sql(`SELECT COUNT(*) AS rows, COUNT(DISTINCT source_system_id) AS metrics FROM \`${RECON}\` WHERE clcltn_ds = 'Success'`);
  t.same(recon, { rows: String(METRICS), metrics: String(METRICS) });
  t.same(jobs(), { queries: METRICS, lookups: 1, writes: 11 });
});
