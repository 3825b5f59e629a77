import t from 'tap';
import { metric, pipelineFixture, resultSql, RUN_DATE, TARGET } from '../../helpers/pipeline-fixture.js';

const BIG = '12345678901234567890123456789.123456789';

t.test('a 29-digit NUMERIC with 9 decimals survives end to end', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable('proj-a.src.amounts', [{ name: 'amount', type: 'NUMERIC' }], [{ amount: BIG }, { amount: `-${BIG}` }]);
  const config = fx.writeConfig([
    metric('big_max', `SELECT MAX(amount) AS metric_output, MAX(amount) AS numerator_value, 1 AS denominator_value, '{currently}' AS business_data_date FROM \`proj-a.src.amounts\``),
    metric('big_min', `SELECT MIN(amount) AS metric_output, MIN(amount) AS numerator_value, 1 AS denominator_value, '{currently}' AS business_data_date FROM \`proj-a.src.amounts\``),
  ]);
  const result = await fx.run(config);
  t.equal(result.status, 'succeeded');
  const rows = await fx.rows(TARGET, 'metric_id');
  t.same(rows.map((row) => [row.metric_id, row.metric_output, row.numerator_value]), [
    ['big_max', BIG, BIG],
    ['big_min', `-${BIG}`, `-${BIG}`],
  ]);
});

t.test('more than 9 decimals round half away from zero at the 10th, on both signs', async (t) => {
  const fx = await pipelineFixture(t);
  const config = fx.writeConfig([
    metric('up', resultSql("'1.2345678905'", "'0.0000000005'")),
    metric('down', resultSql("'-1.2345678905'", "'-0.0000000005'")),
    metric('stays', resultSql("'1.2345678904'")),
  ]);
  await fx.run(config);
  const rows = await fx.rows(TARGET, 'metric_id');
  t.same(rows.map((row) => [row.metric_id, row.metric_output, row.numerator_value]), [
    ['down', '-1.234567891', '-0.000000001'],
    ['stays', '1.23456789', '1.23456789'],
    ['up', '1.234567891', '0.000000001'],
  ]);
});

t.test('every target column is written for a passed metric', async (t) => {
  const fx = await pipelineFixture(t);
  const before = Date.now();
  const result = await fx.run(fx.writeConfig([metric('m1', resultSql('42', '84', '2', "DATE '2024-01-14'"), { metric_type: 'RATIO' })]));
  const [row] = await fx.rows(TARGET);
  t.match(row, {
    metric_id: 'm1',
    metric_name: 'Metric m1',
    metric_type: 'ratio',
    metric_output: '42',
    numerator_value: '84',
    denominator_value: '2',
    business_data_date: '2024-01-14',
    partition_dt: RUN_DATE,
    run_id: result.run_id,
  });
  const writtenAt = Date.parse(String(row?.pipeline_execution_ts));
  t.ok(writtenAt >= before - 1000 && writtenAt <= Date.now() + 1000, 'pipeline_execution_ts is the UTC time of the write');
});

t.test('data quality failures fail their metric alone', async (t) => {
  const fx = await pipelineFixture(t);
  const config = fx.writeConfig([
    metric('zero_rows', `${resultSql('1')} FROM (SELECT 1) AS x WHERE false`),
    metric('two_rows', `${resultSql('1')} FROM (SELECT 1 UNION ALL SELECT 2) AS x`),
    metric('null_date', resultSql('1', '1', '1', 'NULL')),
    metric('not_a_number', resultSql("'abc'")),
    metric('infinite', resultSql("CAST('Infinity' AS FLOAT64)")),
    metric('overflow', resultSql("'123456789012345678901234567890'")),
    metric('zero_denominator', resultSql('1', '1', '0')),
    metric('negative_denominator', resultSql('1', '1', '-3')),
    metric('null_values', resultSql('NULL', 'NULL', 'NULL')),
    metric('tiny_denominator', resultSql('1', '1', '0.00000001')),
  ]);
  const result = await fx.run(config);
  t.equal(result.status, 'partial');
  const categories = Object.fromEntries(result.metrics.map((m) => [m.metric_id, m.error_category]));
  t.same(categories, {
    zero_rows: 'DATA_QUALITY_ERROR',
    two_rows: 'DATA_QUALITY_ERROR',
    null_date: 'DATA_QUALITY_ERROR',
    not_a_number: 'DATA_QUALITY_ERROR',
    infinite: 'DATA_QUALITY_ERROR',
    overflow: 'DATA_QUALITY_ERROR',
    zero_denominator: 'DATA_QUALITY_ERROR',
    negative_denominator: 'DATA_QUALITY_ERROR',
    null_values: null,
    tiny_denominator: null,
  });
  const written = await fx.rows(TARGET, 'metric_id');
  t.same(written.map((row) => row.metric_id), ['null_values', 'tiny_denominator']);
  t.same([written[0]?.metric_output, written[0]?.numerator_value, written[0]?.denominator_value], [null, null, null]);
});

t.test('SQL errors keep the warehouse message and fail only their metric', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable('proj-a.src.present', [{ name: 'id', type: 'INT64' }], []);
  const result = await fx.run(fx.writeConfig([
    metric('missing_table', `${resultSql('1')} FROM \`proj-a.src.nope\``),
    metric('ok', resultSql('1')),
  ]));
  const [missing, ok] = result.metrics;
  t.equal(missing?.error_category, 'SQL_EXECUTION_ERROR');
  t.match(missing?.reason, /nope/);
  t.equal(ok?.status, 'Passed');
});
