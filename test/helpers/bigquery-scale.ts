import type { Test } from 'tap';
import { bigQueryPipelineFixture } from './bigquery-pipeline-fixture.js';
import { PARTITION_INFO, RUN_DATE } from './fixtures.js';

/**
 * For 10,000-metric runs through the real BigQuery client against the local
 * BigQuery server, which refuses any request past BigQuery's limits (10,000
 * parameters, 1,024K characters, 10 MB). Every row must land exactly, with one
 * partition lookup per run and the writes each table's batch needs. The SQL is
 * as cheap as SQL gets: the run's own machinery is what is under test. Each
 * shape has a test file of its own, so the two runs use both cores.
 */
export const METRICS = 10_000;
const SOURCES = 10;

/** Metric i: i + 0.000000001 + the one row of its source table, so every value is distinct and exact. */
export const metricSql = (i: number) =>
  `SELECT NUMERIC '${i}.000000001' + COUNT(*) AS metric_output, COUNT(*) AS numerator_value, 1 AS denominator_value, ` +
  `'{currently}' AS business_data_date FROM \`proj-a.sales.tx_${i % SOURCES}\` WHERE d = {partition_info}`;
export const idOf = (i: number) => `m${String(i).padStart(5, '0')}`;

export async function scaleFixture(t: Test) {
  const fixture = await bigQueryPipelineFixture(t, { settings: { metricConcurrency: 16 } });
  await fixture.sql(`CREATE TABLE \`${PARTITION_INFO}\` (project_dataset STRING, table_name STRING, partition_dt DATE)`);
  for (let s = 0; s < SOURCES; s++) {
    await fixture.sql(`CREATE TABLE \`proj-a.sales.tx_${s}\` (d DATE); INSERT INTO \`proj-a.sales.tx_${s}\` VALUES (DATE '2024-01-14')`);
    await fixture.sql(`INSERT INTO \`${PARTITION_INFO}\` VALUES ('sales', 'tx_${s}', DATE '2024-01-14')`);
  }
  return fixture;
}

/** Every target row of the run, exact, in metric order. */
export function checkTargets(t: Test, rows: Array<Record<string, string | null>>, runId: string, idFor = idOf) {
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
export function sameRows(t: Test, actual: unknown[], expected: unknown[], what: string) {
  t.equal(actual.length, expected.length, `${what}: one per metric`);
  const first = expected.findIndex((row, i) => JSON.stringify(actual[i]) !== JSON.stringify(row));
  t.equal(first, -1, `${what}: every one exact${first < 0 ? '' : `; row ${first} is ${JSON.stringify(actual[first])}, not ${JSON.stringify(expected[first])}`}`);
}

