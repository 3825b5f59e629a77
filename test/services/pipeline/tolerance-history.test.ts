import t from 'tap';
import { parseMetricConfig } from '../../../services/pipeline/metric-config.js';
import { TARGET_COLUMNS } from '../../../services/pipeline/target-rows.js';
import { ToleranceHistory } from '../../../services/pipeline/tolerance-history.js';
import { parseTableRef } from '../../../services/table-ref.js';
import { bigQueryPipelineFixture, metric, resultSql, TARGET } from '../../helpers/bigquery-pipeline-fixture.js';

const OTHER = 'proj-a.metrics.other';
const UNCHECKED = 'proj-a.metrics.unchecked';
const isHistoryQuery = (sql: string) => sql.includes('ROW_NUMBER() OVER (PARTITION BY metric_id');

t.test('history is read in one query per target table and run, however many metrics it holds', async (t) => {
  const fx = await bigQueryPipelineFixture(t, { targets: [TARGET, OTHER, UNCHECKED] });
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
  const recon = (await fx.rows('proj-a.audit.recon', 'source_system_id')).map((row) => [row.source_system_id, row.tolrnc_pc, row.rcncln_tolrnc_pass_in]);
  t.same(recon, [['a1', '10', 'Failed'], ['a2', '10', 'Failed'], ['a3', '10', 'Failed'], ['b1', '10', 'Failed'], ['c1', 'NA', 'NA']], 'the recon rows on BigQuery');
});

t.test('the history of more metrics than BigQuery takes query parameters (10,000) is still one query: the ids travel as one array', async (t) => {
  const fx = await bigQueryPipelineFixture(t, { targets: [TARGET] });
  const ids = Array.from({ length: 10_001 }, (_, i) => `m${i}`);
  const metrics = parseMetricConfig(JSON.stringify(ids.map((id) => metric(id, resultSql('1'), { tolerance_pct: 10 }))), 'many.json');
  await fx.fake.engine.insertRows(parseTableRef(TARGET), TARGET_COLUMNS, [
    { metric_id: 'm0', partition_dt: '2024-01-14', metric_output: '7' },
    { metric_id: 'm10000', partition_dt: '2024-01-13', metric_output: '9' },
  ]);
  const history = await ToleranceHistory.read({ warehouse: fx.warehouse, table: TARGET, metrics, runDate: '2024-01-15', timeoutMs: 30_000 });
  t.same([history.earlierValues('m0'), history.earlierValues('m10000'), history.earlierValues('m5')], [['7'], ['9'], []]);
  t.equal(fx.fake.jobs.executedSql.filter(isHistoryQuery).length, 1);
});
