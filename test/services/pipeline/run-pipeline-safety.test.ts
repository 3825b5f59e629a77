import t from 'tap';
import { metric, pipelineFixture, resultSql, TARGET } from '../../helpers/pipeline-fixture.js';

t.test('DML, DDL and a second statement never reach the engine', async (t) => {
  const fx = await pipelineFixture(t);
  await fx.seedTable('proj-a.src.accounts', [{ name: 'id', type: 'INT64' }], [{ id: '1' }, { id: '2' }]);
  const result = await fx.run(fx.writeConfig([
    metric('dml', 'DELETE FROM `proj-a.src.accounts` WHERE true'),
    metric('ddl', 'CREATE TABLE `proj-a.src.evil` AS SELECT 1 AS x'),
    metric('second_statement', `${resultSql('1')}; DROP TABLE \`proj-a.src.accounts\``),
    metric('cte_write', 'WITH x AS (SELECT 1) INSERT INTO `proj-a.src.accounts` SELECT 3'),
    metric('fine', `${resultSql('COUNT(*)')} FROM \`proj-a.src.accounts\``),
  ]));
  t.same(
    result.metrics.map((m) => [m.metric_id, m.error_category]),
    [['dml', 'SQL_EXECUTION_ERROR'], ['ddl', 'SQL_EXECUTION_ERROR'], ['second_statement', 'SQL_EXECUTION_ERROR'], ['cte_write', 'SQL_EXECUTION_ERROR'], ['fine', null]],
  );
  t.match(result.metrics[0]?.reason, /only one read-only SELECT or WITH statement/);
  t.same((await fx.rows('proj-a.src.accounts')).map((row) => row.id), ['1', '2'], 'source table unchanged');
  t.equal(await fx.warehouse.getTableSchema({ project: 'proj-a', dataset: 'src', table: 'evil' }), undefined, 'nothing created');
  t.same((await fx.rows(TARGET)).map((row) => row.metric_output), ['2']);
});

t.test('a metric past the query timeout fails with SQL_EXECUTION_ERROR while the others finish', async (t) => {
  const fx = await pipelineFixture(t, { queryTimeoutMs: 300 });
  const slow = `SELECT SUM(a.range * b.range) AS metric_output, 1 AS numerator_value, 1 AS denominator_value, '{currently}' AS business_data_date FROM range(200000) AS a, range(200000) AS b`;
  const result = await fx.run(fx.writeConfig([metric('slow', slow), metric('quick_1', resultSql('1')), metric('quick_2', resultSql('2'))]));
  t.same(result.metrics.map((m) => [m.metric_id, m.status, m.error_category]), [
    ['slow', 'Failed', 'SQL_EXECUTION_ERROR'],
    ['quick_1', 'Passed', null],
    ['quick_2', 'Passed', null],
  ]);
  t.match(result.metrics[0]?.reason, /timeout of 300 ms/);
  t.same((await fx.warehouse.query({ sql: 'SELECT 1 AS one', timeoutMs: 5_000 })).rows, [{ one: '1' }], 'the warehouse still answers');
});

t.test('an aborted run fails its unfinished metrics as interrupted and still writes their recon rows', async (t) => {
  const fx = await pipelineFixture(t, { metricConcurrency: 1 });
  const slow = `SELECT SUM(a.range * b.range) AS metric_output, 1 AS numerator_value, 1 AS denominator_value, '{currently}' AS business_data_date FROM range(200000) AS a, range(200000) AS b`;
  const controller = new AbortController();
  const config = fx.writeConfig([metric('slow', slow), metric('queued', resultSql('1'))]);
  const running = fx.run(config, {}, { signal: controller.signal });
  setTimeout(() => controller.abort(), 200);
  const result = await running;
  t.same(result.metrics.map((m) => [m.metric_id, m.error_category]), [
    ['slow', 'PIPELINE_EXECUTION_ERROR'],
    ['queued', 'PIPELINE_EXECUTION_ERROR'],
  ]);
  t.match(result.metrics[1]?.reason, /interrupted/);
  t.same((await fx.rows('proj-a.audit.recon', 'source_system_id')).map((row) => [row.source_system_id, row.error_category]), [
    ['queued', 'PIPELINE_EXECUTION_ERROR'],
    ['slow', 'PIPELINE_EXECUTION_ERROR'],
  ]);
});
