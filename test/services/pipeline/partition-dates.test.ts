import t, { type Test } from 'tap';
import { bigQueryPipelineFixture } from '../../helpers/bigquery-pipeline-fixture.js';
import { metric, PARTITION_INFO, pipelineFixture, resultSql, TARGET } from '../../helpers/pipeline-fixture.js';

const PARTITION_INFO_TABLE = `CREATE TABLE \`${PARTITION_INFO}\` (project_dataset STRING, table_name STRING, partition_dt DATE)`;
const counted = (table: string) => `${resultSql('COUNT(*)')} FROM ${table} WHERE d = {partition_info}`;

async function withSources(t: Test) {
  const fixture = await bigQueryPipelineFixture(t);
  await fixture.createTarget(TARGET);
  for (const table of ['sales.tx', 'sales.refunds', 'ops.users']) await fixture.sql(`CREATE TABLE \`proj-a.${table}\` (d DATE)`);
  await fixture.sql(PARTITION_INFO_TABLE);
  await fixture.sql(
    `INSERT INTO \`${PARTITION_INFO}\` VALUES ('sales', 'tx', DATE '2024-01-14'), ('sales', 'tx', DATE '2024-01-13'), ` +
      "('sales', 'Refunds', DATE '2024-01-12'), ('ops', 'users', DATE '2024-01-11'), ('ops', 'other', DATE '2024-01-10')",
  );
  return fixture;
}

t.test('one lookup answers every table the run needs, the names bound as one ARRAY<STRING> parameter', async (t) => {
  const { fake, writeConfig, run, jobs } = await withSources(t);
  const config = writeConfig([
    metric('qualified', counted('`proj-a.sales.tx`')),
    metric('same_table_again', counted('`proj-a.sales.tx`')),
    metric('other_case', counted('proj-a.SALES.refunds')),
    metric('other_dataset', counted('`proj-a.ops.users`')),
    metric('inside_quotes', `${resultSql('COUNT(*)')} FROM \`proj-a.sales.tx\` WHERE CAST(d AS STRING) <= '{partition_info}'`),
    metric('no_placeholder', resultSql('1')),
  ]);
  const result = await run(config);
  t.equal(result.status, 'succeeded', JSON.stringify(result.metrics.filter((m) => m.status === 'Failed')));
  t.same(jobs(), { queries: 6, lookups: 1, writes: 2 });
  const [lookup] = [...fake.jobs.records.values()].filter((job) => job.configuration.query?.query?.includes(PARTITION_INFO));
  t.match(lookup?.configuration.query?.queryParameters, [{ name: 'table_names', parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } } }]);
  const names = lookup?.configuration.query?.queryParameters?.[0]?.parameterValue?.arrayValues?.map((value) => value.value);
  t.same(names?.sort(), ['refunds', 'tx', 'users'], 'each table once, lower-cased');
  t.notMatch(lookup?.configuration.query?.query, /refunds|users|'tx'/, 'no name is spliced into the SQL');
  const executed = await fake.engine.execute('SELECT source_system_id, latest_source_parttn_dt FROM `proj-a.audit.recon` ORDER BY 1', [], 'proj-a');
  t.same(executed.rows, [
    { source_system_id: 'inside_quotes', latest_source_parttn_dt: '2024-01-14' },
    { source_system_id: 'no_placeholder', latest_source_parttn_dt: '2024-01-15' },
    { source_system_id: 'other_case', latest_source_parttn_dt: '2024-01-12' },
    { source_system_id: 'other_dataset', latest_source_parttn_dt: '2024-01-11' },
    { source_system_id: 'qualified', latest_source_parttn_dt: '2024-01-14' },
    { source_system_id: 'same_table_again', latest_source_parttn_dt: '2024-01-14' },
  ]);
});

t.test('a run where no metric uses {partition_info} asks for no partition date at all', async (t) => {
  const { writeConfig, run, jobs, createTarget } = await bigQueryPipelineFixture(t);
  await createTarget(TARGET);
  const result = await run(writeConfig([metric('a', resultSql('1')), metric('b', resultSql('2'))]));
  t.equal(result.status, 'succeeded');
  t.same(jobs(), { queries: 2, lookups: 0, writes: 2 }, 'and the partition info table need not even exist');
});

t.test('a lookup that fails fails only the metrics that needed a date, each with its error', async (t) => {
  const { sql, writeConfig, run, jobs, createTarget } = await bigQueryPipelineFixture(t);
  await createTarget(TARGET);
  await sql('CREATE TABLE `proj-a.sales.tx` (d DATE)');
  // The columns exist, so the run starts; LOWER() of an INT64 table_name fails the lookup itself.
  await sql(`CREATE TABLE \`${PARTITION_INFO}\` (project_dataset STRING, table_name INT64, partition_dt DATE)`);
  const result = await run(writeConfig([metric('needs_date', counted('`proj-a.sales.tx`')), metric('also_needs', counted('sales.tx')), metric('free', resultSql('1'))]));
  t.same(
    result.metrics.map((m) => [m.metric_id, m.status, m.error_category]),
    [
      ['needs_date', 'Failed', 'SQL_EXECUTION_ERROR'],
      ['also_needs', 'Failed', 'SQL_EXECUTION_ERROR'],
      ['free', 'Passed', null],
    ],
  );
  t.equal(jobs().lookups, 0, 'the lookup was refused at its dry run, once for both metrics');
});

for (const [name, stored, reason] of [
  ['a NULL partition date', 'NULL', /No partition date for sales\.tx in proj-a\.ops\.partition_info/],
  ['a partition date that is not a date', "'last tuesday'", /Partition date 'last tuesday' for sales\.tx is not a YYYY-MM-DD date/],
] as const) {
  t.test(`${name} fails its metric with PARTITION_VALIDATION_ERROR`, async (t) => {
    const { writeConfig, run, seedTable } = await pipelineFixture(t);
    await seedTable(
      PARTITION_INFO,
      [
        { name: 'project_dataset', type: 'STRING' },
        { name: 'table_name', type: 'STRING' },
        { name: 'partition_dt', type: 'STRING' },
      ],
      [{ project_dataset: 'sales', table_name: 'tx', partition_dt: stored === 'NULL' ? null : stored.slice(1, -1) }],
    );
    await seedTable('proj-a.sales.tx', [{ name: 'd', type: 'DATE' }], []);
    const result = await run(writeConfig([metric('m', counted('sales.tx'))]));
    t.match(result.metrics[0], { status: 'Failed', error_category: 'PARTITION_VALIDATION_ERROR', reason });
  });
}

t.test('a qualified name matches its dataset whatever the case, and no other dataset', async (t) => {
  const { writeConfig, run, seedTable, seedPartitionInfo } = await pipelineFixture(t);
  await seedPartitionInfo([
    ['Sales', 'tx', '2024-01-14'],
    ['archive', 'tx', '2024-01-01'],
  ]);
  for (const table of ['proj-a.sales.tx', 'proj-a.legacy.tx']) await seedTable(table, [{ name: 'd', type: 'DATE' }], []);
  const result = await run(writeConfig([metric('matches', counted('`proj-a.sales.tx`')), metric('no_such_dataset', counted('`proj-a.legacy.tx`'))]));
  t.match(result.metrics, [
    { metric_id: 'matches', status: 'Passed' },
    { metric_id: 'no_such_dataset', status: 'Failed', error_category: 'PARTITION_VALIDATION_ERROR', reason: /No partition info for legacy\.tx/ },
  ]);
});
