import t from 'tap';
import { DuckDBInstance, quotedIdentifier, type DuckDBConnection } from '@duckdb/node-api';
import { PipelineError } from '../../../../services/errors.js';
import { translateBigQuerySql } from '../../../../services/warehouse/duckdb/bigquery-to-duckdb.js';
import { setUpConnection } from '../../../../services/warehouse/duckdb/connection-setup.js';
import { MetricSqlPolicy } from '../../../../services/warehouse/duckdb/metric-sql-policy.js';

// The policy checks parse trees only: nothing here binds or runs, so every case is cheap.
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
t.teardown(() => {
  connection.closeSync();
  instance.closeSync();
});
await setUpConnection(connection);
const policy = await MetricSqlPolicy.load(connection);

const refusal = async (sql: string): Promise<string | undefined> => {
  try {
    await policy.check(connection, sql);
    return undefined;
  } catch (error) {
    return error instanceof PipelineError && error.category === 'SQL_EXECUTION_ERROR' ? error.message : `unexpected: ${String(error)}`;
  }
};

/** Names the engine lists, from its own catalog, as the policy derives them. */
async function catalogNames(db: DuckDBConnection, where: string): Promise<string[]> {
  const reader = await db.runAndReadAll(`SELECT DISTINCT function_name AS name FROM duckdb_functions() WHERE ${where} ORDER BY 1`);
  return reader.getRowObjectsJson().map((row) => row.name as string);
}

t.test('every table function, table macro and pragma function the engine lists is refused in FROM, but unnest, range and generate_series', async (t) => {
  const names = await catalogNames(connection, "function_type IN ('table', 'table_macro', 'pragma')");
  t.ok(names.length > 100, `${names.length} of them`);
  for (const name of names) {
    // Quoted, as `show` and a few others are keywords too.
    const reason = await refusal(`SELECT COUNT(*) AS n FROM ${quotedIdentifier(name)}()`);
    if (['unnest', 'range', 'generate_series'].includes(name)) t.equal(reason, undefined, name);
    else t.equal(reason, `function ${name} is not allowed in metric SQL`, name);
  }
});

t.test('every scalar function the engine marks with side effects is refused', async (t) => {
  const names = await catalogNames(connection, "function_type = 'scalar' AND has_side_effects");
  t.ok(names.includes('setseed') && names.includes('write_log') && names.includes('nextval'), names.join(' '));
  for (const name of names) t.equal(await refusal(`SELECT ${name}() AS x`), `function ${name} is not allowed in metric SQL`, name);
});

t.test('side-effect-free functions that read the environment or engine state are refused by name', async (t) => {
  for (const name of ['getenv', 'current_setting', 'getvariable', 'current_database', 'current_schemas', 'in_search_path', 'txid_current', 'version', 'json_serialize_sql', 'json_serialize_plan', 'json_deserialize_sql']) {
    t.equal(await refusal(`SELECT ${name}('x') AS x`), `function ${name} is not allowed in metric SQL`, name);
  }
});

t.test('macros whose definitions reach a refused function or a catalog table are refused', async (t) => {
  for (const name of ['pg_sleep', 'pg_get_viewdef', 'get_block_size', 'format_type', 'current_catalog']) {
    t.equal(await refusal(`SELECT ${name}(1) AS x`), `function ${name} is not allowed in metric SQL`, name);
  }
});

t.test('keywords the binder turns into state-reading calls are refused wherever a column name stands', async (t) => {
  t.equal(await refusal('SELECT current_schema AS x'), 'function current_schema is not allowed in metric SQL');
  t.equal(await refusal('SELECT "CURRENT_CATALOG" AS x'), 'function current_catalog is not allowed in metric SQL');
  t.equal(await refusal('SELECT x FROM range(3) AS r(x) WHERE x > length(current_schema)'), 'function current_schema is not allowed in metric SQL');
  t.equal(await refusal('SELECT current_date AS d, current_timestamp AS ts, localtimestamp AS lt'), undefined, 'the clocks are allowed');
});

t.test('calls qualified with a catalog or schema are refused', async (t) => {
  t.equal(await refusal('SELECT system.main.abs(-1) AS x'), 'function system.main.abs is not allowed in metric SQL');
  t.equal(await refusal('SELECT pg_catalog.lower(\'A\') AS x'), 'function pg_catalog.lower is not allowed in metric SQL');
  t.equal(await refusal('SELECT * FROM system.main.range(3)'), 'function system.main.range is not allowed in metric SQL');
});

t.test("the engine's catalog views and namespaces are refused", async (t) => {
  for (const table of ['duckdb_tables', 'duckdb_logs', 'sqlite_master', 'main.duckdb_columns', 'information_schema.tables', 'pg_catalog.pg_settings', 'system.main.duckdb_views', 'temp.main.t']) {
    t.match(await refusal(`SELECT COUNT(*) AS n FROM ${table}`), /^table .* is not allowed in metric SQL$/, table);
  }
});

t.test('file paths read as tables are refused', async (t) => {
  for (const [table, named] of [["'data.csv'", 'data.csv'], ['"/etc/passwd"', '/etc/passwd'], ["'s3://bucket/x'", 's3://bucket/x']] as const) {
    t.equal(await refusal(`SELECT COUNT(*) AS n FROM ${table}`), `reading the file '${named}' is not allowed in metric SQL`, named);
  }
});

t.test('DESCRIBE, SHOW and SUMMARIZE are refused', async (t) => {
  for (const inner of ['DESCRIBE SELECT 1', 'SHOW TABLES', 'SUMMARIZE SELECT 1']) {
    t.equal(await refusal(`SELECT * FROM (${inner})`), 'DESCRIBE, SHOW and SUMMARIZE are not allowed in metric SQL', inner);
  }
});

t.test('only one SELECT statement passes, and a syntax error keeps the parser message', async (t) => {
  t.equal(await refusal('SELECT 1; SELECT 2'), 'Only one read-only SELECT statement may run; got 2 statements');
  t.equal(await refusal(''), 'Only one read-only SELECT statement may run; got 0 statements');
  t.equal(await refusal('DELETE FROM t'), 'Only a read-only SELECT statement may run');
  t.equal(await refusal("SET threads = 1"), 'Only a read-only SELECT statement may run');
  t.equal(await refusal('SELEC 1'), 'Parser Error: syntax error at or near "SELEC"');
});

t.test('ordinary metric SQL passes, and the check names the projects it reads', async (t) => {
  const bigQuery = [
    'WITH daily AS (SELECT d, SUM(amount) AS total, COUNTIF(amount > 100) AS big FROM `proj-a.sales.tx` GROUP BY d)',
    'SELECT ROUND(SAFE_DIVIDE(SUM(total), COUNT(*)), 2) AS metric_output, SUM(big) AS numerator_value,',
    "  IFNULL(MAX(total), 0) AS denominator_value, FORMAT_DATE('%Y-%m-%d', DATE_SUB(DATE '2024-01-15', INTERVAL 1 DAY)) AS business_data_date,",
    '  ROW_NUMBER() OVER (ORDER BY MAX(d)) AS rn, LAG(SUM(total)) OVER (ORDER BY MAX(d)) AS previous, DATE_TRUNC(MAX(d), WEEK) AS w,',
    "  SAFE_CAST('1' AS INT64) AS c, EXTRACT(DAYOFWEEK FROM MAX(d)) AS dow, CURRENT_DATE() AS today, SAFE.PARSE_DATE('%Y', '2024') AS y",
    'FROM daily JOIN `proj-b.ref.calendar` AS c ON c.d = daily.d, UNNEST([1, 2]) AS u',
    'WHERE d IN (SELECT x FROM `proj-a.sales.days`) AND d = @day',
  ].join('\n');
  t.same(await policy.check(connection, translateBigQuerySql(bigQuery)), { projects: ['proj-a', 'proj-b'] });
  t.same(await policy.check(connection, 'SELECT list_sum(list_transform([1, 2], x -> x * 2)) AS s, median(v) AS m FROM range(3) AS r(v)'), { projects: [] });
});
