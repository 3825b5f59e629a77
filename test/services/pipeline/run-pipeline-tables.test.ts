import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ADDED_RECON_COLUMNS, RECON_COLUMNS } from '../../../services/pipeline/recon-rows.js';
import { TARGET_COLUMNS } from '../../../services/pipeline/target-rows.js';
import { metric, pipelineFixture, RECON, resultSql, TARGET } from '../../helpers/pipeline-fixture.js';

// The tables a run names: the recon table must be a recon table, and every project must exist (embedded mode creates none).

t.test('a recon table that is not a recon table fails the run before any metric runs, and gets no row', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable(TARGET, TARGET_COLUMNS, []);
  const result = await fx.run(fx.writeConfig([metric('m1', resultSql('1'), { target_table: 'proj-a.metrics.other' })]), { recon_table: TARGET });
  t.equal(result.status, 'failed');
  t.equal(result.run_failure?.error_category, 'RECON_CREATION_ERROR');
  t.match(result.run_failure?.reason, /^proj-a\.metrics\.out is not a recon table: it lacks the column\(s\) module_id, module_type_nm, source_databs_nm, /);
  t.same(result.metrics, [], 'no metric ran');
  t.same(await fx.rows(TARGET), [], 'nothing was appended to the table named as recon table');
  t.equal(await fx.warehouse.getTableSchema({ project: 'proj-a', dataset: 'metrics', table: 'other' }), undefined, 'no target written');
});

t.test('a recon table not yet given run_id and error_category still takes the run rows', async (t) => {
  const fx = await pipelineFixture(t);
  const legacy = RECON_COLUMNS.filter((column) => !ADDED_RECON_COLUMNS.includes(column.name));
  await fx.seedTable(RECON, legacy, []);
  const result = await fx.run(fx.writeConfig([metric('m1', resultSql('1'))]));
  t.equal(result.status, 'succeeded');
  t.match(await fx.rows(RECON), [{ source_system_id: 'm1', clcltn_ds: 'Success' }]);
});

t.test('a recon table in a project with no file fails the run naming the project and the warehouse directory', async (t) => {
  const fx = await pipelineFixture(t);
  const result = await fx.run(fx.writeConfig([metric('m1', resultSql('1'))]), { recon_table: 'ghost-proj.audit.recon' });
  t.equal(result.run_failure?.error_category, 'RECON_CREATION_ERROR');
  t.equal(
    result.run_failure?.reason,
    `Recon table ghost-proj.audit.recon cannot be used: Project 'ghost-proj' has no database file ghost-proj.duckdb in the ` +
      `warehouse directory ${join(fx.dir, 'warehouse')}; project files are created only with METRICS_DUCKDB_CREATE_PROJECTS=true`,
  );
  t.same(result.metrics, []);
  t.equal(await fx.warehouse.getTableSchema({ project: 'proj-a', dataset: 'metrics', table: 'out' }), undefined, 'no metric was written');
  t.notOk(existsSync(join(fx.dir, 'warehouse', 'ghost-proj.duckdb')));
});

t.test('a partition info table in a project with no file fails the run naming the project and the warehouse directory', async (t) => {
  const fx = await pipelineFixture(t);
  const config = fx.writeConfig([metric('m1', `${resultSql('1')} FROM \`proj-a.s.t\` WHERE d = {partition_info}`)]);
  const result = await fx.run(config, { partition_info_table: 'ghost-proj.ops.partition_info' });
  t.equal(result.run_failure?.error_category, 'PARTITION_VALIDATION_ERROR');
  t.match(result.run_failure?.reason, /^Partition info table ghost-proj\.ops\.partition_info: Project 'ghost-proj' has no database file ghost-proj\.duckdb in the warehouse directory /);
  t.match(await fx.rows(RECON), [{ source_system_id: '__run__', error_category: 'PARTITION_VALIDATION_ERROR' }]);
  t.notOk(existsSync(join(fx.dir, 'warehouse', 'ghost-proj.duckdb')));
});

t.test('a target table in a project with no file fails that metric alone, naming the project, and creates no file', async (t) => {
  const fx = await pipelineFixture(t);
  const result = await fx.run(fx.writeConfig([
    metric('typo', resultSql('1'), { target_table: 'proj-b.metrics.out' }),
    metric('fine', resultSql('2')),
  ]));
  t.same(result.metrics.map((m) => [m.metric_id, m.error_category]), [['typo', 'BIGQUERY_WRITE_ERROR'], ['fine', null]]);
  t.match(result.metrics[0]?.reason, /^Write to proj-b\.metrics\.out failed: Project 'proj-b' has no database file proj-b\.duckdb in the warehouse directory /);
  t.notOk(existsSync(join(fx.dir, 'warehouse', 'proj-b.duckdb')));
  t.same((await fx.rows(RECON, 'source_system_id')).map((row) => row.source_system_id), ['fine', 'typo'], 'both recon rows are there');
});
