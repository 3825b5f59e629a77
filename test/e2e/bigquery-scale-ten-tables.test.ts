import t from 'tap';
import { checkTargets, idOf, METRICS, metricSql, scaleFixture } from '../helpers/bigquery-scale.js';
import { metric, RECON } from '../helpers/fixtures.js';

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
