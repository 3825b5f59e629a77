import t from 'tap';
import { checkTargets, idOf, METRICS, metricSql, sameRows, scaleFixture } from '../helpers/bigquery-scale.js';
import { metric, RECON } from '../helpers/fixtures.js';

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
