import t from 'tap';
import { RECON_COLUMNS } from '../../../services/pipeline/recon-rows.js';
import { metric, PARTITION_INFO, pipelineFixture, RECON, resultSql, RUN_DATE, TARGET } from '../../helpers/pipeline-fixture.js';

/** A recon table with every recon column whose schdld_yr cannot hold the run's year: the engine rejects the insert. */
const RECON_REJECTING_INSERTS = [
  'CREATE SCHEMA `proj-a.audit`',
  `CREATE TABLE \`${RECON}\` (${RECON_COLUMNS.map(({ name, type }) => `${name} ${type}${name === 'schdld_yr' ? ' CHECK (schdld_yr < 2000)' : ''}`).join(', ')})`,
];

t.test('recon rows carry every column of docs/contract.md#recon-rows for a passed and a failed metric', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable('proj-a.sales.tx', [{ name: 'd', type: 'DATE' }], [{ d: '2024-01-14' }]);
  await fx.seedPartitionInfo([['sales', 'tx', '2024-01-14']]);
  const result = await fx.run(fx.writeConfig([
    metric('passed_one', `${resultSql('COUNT(*)')} FROM \`proj-a.sales.tx\` WHERE d = {partition_info}`, { metric_name: 'Passed One' }),
    metric('failed_one', resultSql('1', '1', '0'), { metric_name: 'Failed One', target_table: 'proj-a.other.out2' }),
  ]));
  const rows = await fx.rows(RECON, 'source_system_id DESC');
  t.equal(rows.length, 2);
  const common = {
    module_id: '103',
    module_type_nm: 'Metrics',
    source_column_nm: 'NA',
    source_file_nm: 'NA',
    source_contrl_file_nm: 'NA',
    source_server_nm: 'DEV',
    target_server_nm: 'DEV',
    target_column_nm: 'NA',
    target_file_nm: 'NA',
    target_contrl_file_nm: 'NA',
    source_vl: '0',
    tolrnc_pc: 'NA',
    rcncln_tolrnc_pass_in: 'NA',
    latest_target_parttn_dt: RUN_DATE,
    schdld_dt: RUN_DATE,
    schdld_yr: '2024',
    run_id: result.run_id,
    retry_of: null,
  };
  t.same(rows[0], {
    ...common,
    source_databs_nm: 'sales',
    source_table_nm: 'tx',
    target_databs_nm: 'metrics',
    target_table_nm: 'out',
    target_vl: '0',
    excldd_vl: '0',
    clcltn_ds: 'Success',
    excldd_reason_tx: 'Metric data was successfully written.',
    rcncln_exact_pass_in: 'Passed',
    latest_source_parttn_dt: '2024-01-14',
    load_ts: rows[0]?.load_ts,
    source_system_id: 'passed_one',
    Job_Name: 'Passed One',
    error_category: null,
  });
  t.match(rows[0]?.load_ts, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  t.same(rows[1], {
    ...common,
    source_databs_nm: 'UNKNOWN',
    source_table_nm: 'UNKNOWN',
    target_databs_nm: 'other',
    target_table_nm: 'out2',
    target_vl: '1',
    excldd_vl: '1',
    clcltn_ds: 'Failed',
    excldd_reason_tx: result.metrics[1]?.reason,
    rcncln_exact_pass_in: 'Failed',
    latest_source_parttn_dt: RUN_DATE,
    load_ts: rows[1]?.load_ts,
    source_system_id: 'failed_one',
    Job_Name: 'Failed One',
    error_category: 'DATA_QUALITY_ERROR',
  });
  t.match(rows[1]?.excldd_reason_tx, /denominator_value/);
});

t.test('no recon rows for metrics of unselected dependencies', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.run(fx.writeConfig([metric('chosen', resultSql('1')), metric('other', resultSql('2'), { dependency: 'weekly' })]));
  t.same((await fx.rows(RECON)).map((row) => row.source_system_id), ['chosen']);
  t.same((await fx.rows(TARGET)).map((row) => row.metric_id), ['chosen']);
});

t.test('a failure reason is one line of at most 500 characters', async (t) => {
  const fx = await pipelineFixture(t);
  const longName = `x${'y'.repeat(700)}`;
  await fx.run(fx.writeConfig([metric('long_error', `${resultSql('1')} FROM \`proj-a.src.${longName}\`\nWHERE\n1 = 1`)]));
  const [row] = await fx.rows(RECON);
  const reason = String(row?.excldd_reason_tx);
  t.ok(reason.length <= 500, `length ${reason.length}`);
  t.notMatch(reason, /\n/);
});

const runLevelCases: [name: string, setUp: (fx: Awaited<ReturnType<typeof pipelineFixture>>) => Promise<string>, category: string, reason: RegExp][] = [
  ['config unreadable', async (fx) => `${fx.dir}/missing.json`, 'GCS_READ_ERROR', /missing\.json/],
  ['config not JSON', async (fx) => fx.writeConfig('[{"metric_id": '), 'JSON_VALIDATION_ERROR', /JSON/],
  ['config invalid', async (fx) => fx.writeConfig([metric('bad id!', resultSql('1'))]), 'JSON_VALIDATION_ERROR', /metric_id/],
  ['unknown dependency', async (fx) => fx.writeConfig([metric('m', resultSql('1'), { dependency: 'weekly' })]), 'JSON_VALIDATION_ERROR', /daily.*weekly/],
  [
    'partition info table missing',
    async (fx) => fx.writeConfig([metric('m', `${resultSql('1')} FROM \`proj-a.s.t\` WHERE d = {partition_info}`)]),
    'PARTITION_VALIDATION_ERROR',
    /does not exist/,
  ],
  [
    'partition info table lacking columns',
    async (fx) => {
      await fx.seedTable(PARTITION_INFO, [{ name: 'table_name', type: 'STRING' }], []);
      return fx.writeConfig([metric('m', `${resultSql('1')} FROM \`proj-a.s.t\` WHERE d = {partition_info}`)]);
    },
    'PARTITION_VALIDATION_ERROR',
    /project_dataset, partition_dt/,
  ],
];

for (const [name, setUp, category, reason] of runLevelCases) {
  t.test(`run-level failure (${name}) writes exactly one __run__ row and no metric rows`, async (t) => {
    const fx = await pipelineFixture(t);
    const path = await setUp(fx);
    const result = await fx.run(path);
    t.equal(result.status, 'failed');
    t.equal(result.run_failure?.error_category, category);
    t.same(result.metrics, []);
    const rows = await fx.rows(RECON);
    t.equal(rows.length, 1);
    t.match(rows[0], {
      source_system_id: '__run__',
      Job_Name: path,
      clcltn_ds: 'Failed',
      rcncln_exact_pass_in: 'Failed',
      error_category: category,
      run_id: result.run_id,
    });
    t.match(rows[0]?.excldd_reason_tx, reason);
    t.equal(await fx.warehouse.getTableSchema({ project: 'proj-a', dataset: 'metrics', table: 'out' }), undefined, 'no target table touched');
  });
}

t.test('a metric whose partition info has no row fails alone with PARTITION_VALIDATION_ERROR', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable('proj-a.s.t', [{ name: 'd', type: 'DATE' }], []);
  await fx.seedPartitionInfo([['other', 'table', '2024-01-01']]);
  const result = await fx.run(fx.writeConfig([
    metric('no_info', `${resultSql('1')} FROM \`proj-a.s.t\` WHERE d = {partition_info}`),
    metric('fine', resultSql('1')),
  ]));
  t.same(result.metrics.map((m) => [m.metric_id, m.error_category]), [['no_info', 'PARTITION_VALIDATION_ERROR'], ['fine', null]]);
  t.match(result.metrics[0]?.reason, /No partition info for s\.t/);
});

t.test('a bare table name in two datasets is ambiguous', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedPartitionInfo([['a', 'tx', '2024-01-01'], ['b', 'tx', '2024-01-02']]);
  const result = await fx.run(fx.writeConfig([metric('amb', `${resultSql('1')} FROM tx WHERE d = {partition_info}`)]));
  t.equal(result.metrics[0]?.error_category, 'PARTITION_VALIDATION_ERROR');
  t.match(result.metrics[0]?.reason, /ambiguous.*a, b|ambiguous.*b, a/);
});

t.test('a recon write that fails fails the run with RECON_CREATION_ERROR after the targets were written', async (t) => {
  const fx = await pipelineFixture(t, {}, { 'proj-a': RECON_REJECTING_INSERTS });
  const result = await fx.run(fx.writeConfig([metric('m1', resultSql('1'))]));
  t.equal(result.run_failure?.error_category, 'RECON_CREATION_ERROR');
  t.match(result.run_failure?.reason, /Recon write to proj-a\.audit\.recon failed/);
  t.same(result.metrics.map((m) => m.status), ['Passed'], 'the metric itself passed');
  t.same((await fx.rows(TARGET)).map((row) => row.metric_id), ['m1']);
  t.same(await fx.rows(RECON), [], 'no partial recon rows');
});

t.test('a run-level failure keeps its own category when its recon row cannot be written either', async (t) => {
  const fx = await pipelineFixture(t, {}, { 'proj-a': RECON_REJECTING_INSERTS });
  const result = await fx.run(`${fx.dir}/missing.json`);
  t.equal(result.run_failure?.error_category, 'GCS_READ_ERROR');
  t.match(result.run_failure?.reason, /missing\.json.*; Recon write to proj-a\.audit\.recon failed/);
});

t.test('a metric that fails after its {partition_info} date was resolved records that date, not run_date', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable('proj-a.sales.tx', [{ name: 'd', type: 'DATE' }], [{ d: '2024-01-14' }]);
  await fx.seedPartitionInfo([['sales', 'tx', '2024-01-14']]);
  // A target table without the key columns cannot be written: the write fails after the query passed.
  await fx.seedTable('proj-a.metrics.keyless', [{ name: 'metric_output', type: 'NUMERIC' }], []);
  const from = 'FROM `proj-a.sales.tx` WHERE d = {partition_info}';
  await fx.run(fx.writeConfig([
    metric('sql_error', `SELECT no_such_column AS metric_output, 1 AS numerator_value, 1 AS denominator_value, d AS business_data_date ${from}`),
    metric('data_quality', `${resultSql('1', '1', '0')} ${from}`),
    metric('write_failed', `${resultSql('1')} ${from}`, { target_table: 'proj-a.metrics.keyless' }),
  ]));
  const rows = await fx.rows(RECON, 'source_system_id');
  t.same(
    rows.map((row) => [row.source_system_id, row.error_category, row.latest_source_parttn_dt]),
    [
      ['data_quality', 'DATA_QUALITY_ERROR', '2024-01-14'],
      ['sql_error', 'SQL_EXECUTION_ERROR', '2024-01-14'],
      ['write_failed', 'BIGQUERY_WRITE_ERROR', '2024-01-14'],
    ],
  );
});

t.test('the source columns of a WITH query name the table the WITH reads, never the WITH name', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable('proj-a.sales.tx', [{ name: 'd', type: 'DATE' }], [{ d: '2024-01-14' }]);
  await fx.run(fx.writeConfig([metric('with_query', `WITH cte AS (SELECT * FROM \`proj-a.sales.tx\`) ${resultSql('COUNT(*)')} FROM cte`)]));
  const [row] = await fx.rows(RECON);
  t.match(row, { source_system_id: 'with_query', clcltn_ds: 'Success', source_databs_nm: 'sales', source_table_nm: 'tx' });
});
