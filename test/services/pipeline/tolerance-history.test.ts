import t from 'tap';
import { TARGET_COLUMNS } from '../../../services/pipeline/target-rows.js';
import { parseTableRef } from '../../../services/table-ref.js';
import { bigQueryPipelineFixture, metric, resultSql, TARGET } from '../../helpers/bigquery-pipeline-fixture.js';

const OTHER = 'proj-a.metrics.other';
const UNCHECKED = 'proj-a.metrics.unchecked';
const isHistoryQuery = (sql: string) => sql.includes('ROW_NUMBER() OVER (PARTITION BY metric_id');

t.test('history is read in one query per target table and run, however many metrics it holds', async (t) => {
  const fx = await bigQueryPipelineFixture(t, [TARGET, OTHER, UNCHECKED]);
  const config = (output: string) =>
    fx.writeConfig([
      metric('a1', resultSql(output), { tolerance_pct: 10 }),
      metric('a2', resultSql(output), { tolerance_pct: 10, tolerance_baseline: 'avg_2' }),
      metric('a3', resultSql(output), { tolerance_pct: 10 }),
      metric('b1', resultSql(output), { tolerance_pct: 10, target_table: OTHER }),
      metric('c1', resultSql(output), { target_table: UNCHECKED }),
    ]);
  for (const [table, ids] of [[TARGET, ['a1', 'a2', 'a3']], [OTHER, ['b1']]] as const) {
    const history = ids.flatMap((metric_id) => ['2024-01-13', '2024-01-14'].map((partition_dt) => ({ metric_id, partition_dt, metric_output: '100' })));
    await fx.fake.engine.insertRows(parseTableRef(table), TARGET_COLUMNS, history);
  }
  const result = await fx.run(config('150'));
  t.equal(fx.fake.jobs.executedSql.filter(isHistoryQuery).length, 2, 'one for each table with a tolerance, none for the other');
  t.same(result.metrics.map((m) => [m.metric_id, m.tolerance?.baseline ?? null, m.tolerance?.outcome ?? null]), [
    ['a1', '100.000000000', 'Failed'],
    ['a2', '100.000000000', 'Failed'],
    ['a3', '100.000000000', 'Failed'],
    ['b1', '100.000000000', 'Failed'],
    ['c1', null, null],
  ]);
});

t.test('on BigQuery the recon row carries the tolerance columns', async (t) => {
  const fx = await bigQueryPipelineFixture(t, [TARGET]);
  await fx.run(fx.writeConfig([metric('m1', resultSql('100'), { tolerance_pct: 5 })]), { run_date: '2024-01-14' });
  const result = await fx.run(fx.writeConfig([metric('m1', resultSql('104'), { tolerance_pct: 5 })]));
  const [row] = (await fx.rows('proj-a.audit.recon', 'load_ts')).filter((recon) => recon.run_id === result.run_id);
  t.match(row, { source_system_id: 'm1', tolrnc_pc: '5', rcncln_tolrnc_pass_in: 'Passed', clcltn_ds: 'Success' });
});
