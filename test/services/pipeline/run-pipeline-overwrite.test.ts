import t from 'tap';
import { metric, pipelineFixture, resultSql, TARGET } from '../../helpers/pipeline-fixture.js';

t.test('a rerun of the same run_date leaves one row per metric and date, other dates untouched', async (t) => {
  const fx = await pipelineFixture(t);
  const first = fx.writeConfig([metric('m1', resultSql('1')), metric('m2', resultSql('2'))]);
  await fx.run(first, { run_date: '2024-01-14' });
  await fx.run(first);
  const second = fx.writeConfig([metric('m1', resultSql('10')), metric('m2', resultSql('20'))]);
  const rerun = await fx.run(second);
  const rows = await fx.rows(TARGET, 'partition_dt, metric_id');
  t.same(rows.map((row) => [row.partition_dt, row.metric_id, row.metric_output, row.run_id === rerun.run_id]), [
    ['2024-01-14', 'm1', '1', false],
    ['2024-01-14', 'm2', '2', false],
    ['2024-01-15', 'm1', '10', true],
    ['2024-01-15', 'm2', '20', true],
  ]);
});

t.test('a write that fails midway leaves the old rows intact, fails its batch, and other tables go on', async (t) => {
  // A CHECK constraint makes the engine reject the second inserted row, after the
  // DELETE of the old rows already ran inside the same transaction.
  const fx = await pipelineFixture(t, {}, {
    'proj-a': [
      'CREATE SCHEMA `proj-a.metrics`',
      `CREATE TABLE \`proj-a.metrics.out\` (metric_id STRING, metric_name STRING, metric_type STRING,
        numerator_value NUMERIC, denominator_value NUMERIC, metric_output NUMERIC CHECK (metric_output < 100),
        business_data_date STRING, partition_dt STRING, pipeline_execution_ts TIMESTAMP, run_id STRING)`,
    ],
  });
  const first = await fx.run(fx.writeConfig([metric('m1', resultSql('1')), metric('m2', resultSql('2'))]));
  t.equal(first.status, 'succeeded');

  const second = await fx.run(fx.writeConfig([
    metric('m1', resultSql('10')),
    metric('m2', resultSql('500')),
    metric('elsewhere', resultSql('3'), { target_table: 'proj-a.metrics.other' }),
  ]));
  t.same(second.metrics.map((m) => [m.metric_id, m.error_category]), [
    ['m1', 'BIGQUERY_WRITE_ERROR'],
    ['m2', 'BIGQUERY_WRITE_ERROR'],
    ['elsewhere', null],
  ]);
  t.match(second.metrics[0]?.reason, /Write to proj-a\.metrics\.out failed: .*CHECK/i);
  const rows = await fx.rows(TARGET, 'metric_id');
  t.same(rows.map((row) => [row.metric_id, row.metric_output, row.run_id]), [
    ['m1', '1', first.run_id],
    ['m2', '2', first.run_id],
  ]);
  t.same((await fx.rows('proj-a.metrics.other')).map((row) => row.metric_id), ['elsewhere']);
});
