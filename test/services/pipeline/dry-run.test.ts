import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { createLocalFileConfigSource } from '../../../services/config-source/local-file-config-source.js';
import { dryRunPipeline } from '../../../services/pipeline/dry-run.js';
import type { RunParameters } from '../../../services/pipeline/run-parameters.js';
import { parseTableRef } from '../../../services/table-ref.js';
import { metric, PARTITION_INFO, pipelineFixture, RECON, resultSql, RUN_DATE, TARGET } from '../../helpers/pipeline-fixture.js';
import { runParameters } from '../../helpers/fixtures.js';

type Fixture = Awaited<ReturnType<typeof pipelineFixture>>;

const SOURCE = 'proj-a.sales.tx';
const fromSource = (id: string, overrides: Record<string, unknown> = {}) =>
  metric(id, `${resultSql('COUNT(*)')} FROM \`${SOURCE}\` WHERE d = {partition_info} AND '{currently}' <> ''`, overrides);

function dryRun(fx: Fixture, gcsPath: string, parameters: Partial<RunParameters> = {}) {
  return dryRunPipeline(
    runParameters(gcsPath, parameters),
    {
      warehouse: fx.warehouse,
      configSource: createLocalFileConfigSource({ maxBytes: 1024 * 1024 }),
      logger: pino({ level: 'silent' }),
      settings: { queryTimeoutMs: 30_000, metricConcurrency: 4 },
    },
    { runId: randomUUID() },
  );
}

/** A source table with a partition, and the partition info naming it. */
async function seedSource(fx: Fixture) {
  await fx.seedTable(SOURCE, [{ name: 'd', type: 'DATE' }], [{ d: '2024-01-14' }, { d: '2024-01-14' }]);
  await fx.seedPartitionInfo([['sales', 'tx', '2024-01-14']]);
}

/** Row counts of the tables, and the files of the warehouse directory. */
async function snapshot(fx: Fixture, tables: string[]) {
  const counts: Record<string, string | null> = {};
  for (const table of tables) {
    const exists = (await fx.warehouse.getTableSchema(parseTableRef(table))) !== undefined;
    counts[table] = exists ? ((await fx.rows(table)).length.toString()) : null;
  }
  return { counts, files: readdirSync(join(fx.dir, 'warehouse')).sort() };
}

t.test('a dry run writes nothing: every table keeps its row count, and no table or file appears', async (t) => {
  const fx = await pipelineFixture(t, {}, { 'proj-b': [] });
  await seedSource(fx);
  await fx.run(fx.writeConfig([fromSource('m1')]), { run_date: '2024-01-14' });
  const tables = [SOURCE, PARTITION_INFO, TARGET, RECON, 'proj-a.metrics.fresh', 'proj-b.metrics.out'];
  const before = await snapshot(fx, tables);
  const report = await dryRun(fx, fx.writeConfig([
    fromSource('m1', { tolerance_pct: 10 }),
    fromSource('fresh', { target_table: 'proj-a.metrics.fresh' }),
    metric('elsewhere', resultSql('1'), { target_table: 'proj-b.metrics.out' }),
    metric('broken', resultSql('1', '1', '0')),
  ]));
  t.match(report, { dry_run: true, metrics: [{ ok: true }, { ok: true }, { ok: true }, { ok: true }] });
  t.same(await snapshot(fx, tables), before);
  t.same(before.counts, { [SOURCE]: '2', [PARTITION_INFO]: '1', [TARGET]: '1', [RECON]: '1', 'proj-a.metrics.fresh': null, 'proj-b.metrics.out': null });
});

t.test('a run that would fail as a whole answers its run_failure and writes no __run__ row', async (t) => {
  const fx = await pipelineFixture(t);
  const report = await dryRun(fx, fx.writeConfig([metric('bad id!', resultSql('1'))]));
  t.same(Object.keys(report).sort(), ['dry_run', 'run_failure']);
  t.match(report, { dry_run: true, run_failure: { error_category: 'JSON_VALIDATION_ERROR', reason: /metric_id/ } });
  t.equal(await fx.warehouse.getTableSchema(parseTableRef(RECON)), undefined, 'no recon table, so no __run__ row');
  t.match(await dryRun(fx, `${fx.dir}/absent.json`), { run_failure: { error_category: 'GCS_READ_ERROR' } });
  t.match(await dryRun(fx, fx.writeConfig([metric('m1', resultSql('1'))]), { dependencies: ['weekly'] }), {
    run_failure: { error_category: 'JSON_VALIDATION_ERROR', reason: /weekly/ },
  });
});

t.test('each metric reports its resolved SQL, the partition dates it resolved, and unknown bytes on DuckDB', async (t) => {
  const fx = await pipelineFixture(t);
  await seedSource(fx);
  const report = await dryRun(fx, fx.writeConfig([fromSource('m1')]));
  t.same(report, {
    dry_run: true,
    metrics: [
      {
        metric_id: 'm1',
        ok: true,
        resolved_sql: `${resultSql('COUNT(*)')} FROM \`${SOURCE}\` WHERE d = '2024-01-14' AND '${RUN_DATE}' <> ''`,
        partition_dates: { 'proj-a.sales.tx': '2024-01-14' },
        bytes_processed: null,
      },
    ],
    bytes_total: null,
  });
});

t.test('each metric that would fail fails alone, with the category and reason a run would record', async (t) => {
  const fx = await pipelineFixture(t);
  await seedSource(fx);
  const report = await dryRun(fx, fx.writeConfig([
    metric('writes', `DELETE FROM \`${SOURCE}\` WHERE TRUE`),
    fromSource('no_info', { sql: `${resultSql('1')} FROM \`proj-a.sales.other\` WHERE d = {partition_info}` }),
    metric('bad_column', `${resultSql('nope')} FROM \`${SOURCE}\``),
    fromSource('fine'),
  ]));
  t.match(report, {
    metrics: [
      { metric_id: 'writes', ok: false, error_category: 'SQL_EXECUTION_ERROR', reason: /read-only/, resolved_sql: null, partition_dates: {} },
      { metric_id: 'no_info', ok: false, error_category: 'PARTITION_VALIDATION_ERROR', reason: /No partition info for sales\.other/, resolved_sql: null },
      { metric_id: 'bad_column', ok: false, error_category: 'SQL_EXECUTION_ERROR', reason: /nope/, resolved_sql: /nope/ },
      { metric_id: 'fine', ok: true },
    ],
  });
  t.equal(await fx.warehouse.getTableSchema(parseTableRef(RECON)), undefined, 'no recon row for the failures either');
  t.same((await fx.rows(SOURCE)).length, 2, 'the DELETE never reached the warehouse');
});

t.test('the SQL is prepared, never executed: a query that fails only when run passes the dry run', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable('proj-a.sales.labels', [{ name: 'label', type: 'STRING' }], [{ label: 'boom' }]);
  // Only the data tells that 'boom' is no number: planning cannot.
  const failsWhenRun = metric('later', `${resultSql('CAST(label AS INT64)')} FROM \`proj-a.sales.labels\``);
  t.match(await dryRun(fx, fx.writeConfig([failsWhenRun])), { metrics: [{ ok: true }] });
  t.match(await fx.run(fx.writeConfig([failsWhenRun])), { metrics: [{ error_category: 'SQL_EXECUTION_ERROR', reason: /boom/ }] });
});

t.test('bytes_total adds only the metrics that would run: none gives 0', async (t) => {
  const fx = await pipelineFixture(t);
  t.match(await dryRun(fx, fx.writeConfig([metric('writes', 'DROP TABLE x')])), { metrics: [{ ok: false, bytes_processed: null }], bytes_total: '0' });
});
