import t from 'tap';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { translateBigQuerySql } from '../../../../services/warehouse/duckdb/bigquery-to-duckdb.js';
import { setUpConnection } from '../../../../services/warehouse/duckdb/connection-setup.js';

const instance = await DuckDBInstance.create(':memory:');
const connection: DuckDBConnection = await instance.connect();
await setUpConnection(connection);
t.teardown(() => {
  connection.closeSync();
  instance.closeSync();
});

/** Runs BigQuery SQL translated, returning the first row as JSON values and the column types. */
async function runTranslated(sql: string): Promise<{ row: Record<string, unknown>; types: string[] }> {
  const reader = await connection.runAndReadAll(translateBigQuerySql(sql));
  return { row: reader.getRowObjectsJson()[0] ?? {}, types: reader.columnTypes().map(String) };
}

t.test('backticked three-part names become quoted DuckDB identifiers', async (t) => {
  t.equal(
    translateBigQuerySql('SELECT * FROM `my-proj.sales_ds.tx`'),
    'SELECT * FROM "my-proj"."sales_ds"."tx"',
  );
});

t.test('split backticked names are quoted part by part', async (t) => {
  t.equal(translateBigQuerySql('SELECT * FROM `my-proj`.`ds`.`t`'), 'SELECT * FROM "my-proj"."ds"."t"');
});

t.test('bare hyphenated project names after FROM and JOIN are quoted', async (t) => {
  t.equal(
    translateBigQuerySql('SELECT 1 FROM my-proj-2.ds.t a JOIN other-p.ds.u b ON TRUE'),
    'SELECT 1 FROM "my-proj-2"."ds"."t" a JOIN "other-p"."ds"."u" b ON TRUE',
  );
});

t.test('subtraction outside FROM is not mistaken for a hyphenated name', async (t) => {
  t.equal(translateBigQuerySql('SELECT a-b.c FROM t'), 'SELECT a-b.c FROM t');
});

t.test('query parameters become DuckDB named parameters', async (t) => {
  t.equal(translateBigQuerySql('SELECT @run_date, @@version'), 'SELECT $run_date, @@version');
});

t.test('double-quoted strings become single-quoted string literals', async (t) => {
  t.equal(translateBigQuerySql(`SELECT "it's" AS x`), `SELECT 'it''s' AS x`);
  t.same((await runTranslated(`SELECT "it's" AS x`)).row, { x: "it's" });
});

t.test('backslash escapes are decoded into the literal value', async (t) => {
  t.equal(translateBigQuerySql(String.raw`SELECT 'a\'b\n\x41'`), "SELECT 'a''b\nA'");
});

t.test('raw and triple-quoted strings keep their text verbatim', async (t) => {
  t.equal(translateBigQuerySql(String.raw`SELECT r'\d+', """a "q" b"""`), String.raw`SELECT '\d+', 'a "q" b'`);
});

t.test('text inside strings and comments is never rewritten', async (t) => {
  const sql = "SELECT 'SAFE_CAST(`x` AS INT64) @p' -- FLOAT64 `y` @q\n/* NUMERIC */ FROM t";
  t.equal(translateBigQuerySql(sql), sql);
});

t.test('hash comments become DuckDB line comments', async (t) => {
  t.equal(translateBigQuerySql('SELECT 1 # note'), 'SELECT 1 -- note');
});

t.test('SAFE_DIVIDE is NULL for a zero divisor', async (t) => {
  t.equal(translateBigQuerySql('SELECT SAFE_DIVIDE(1, 0) AS q'), 'SELECT SAFE_DIVIDE(1, 0) AS q');
  t.same((await runTranslated('SELECT SAFE_DIVIDE(1, 0) AS q, SAFE_DIVIDE(1, 4) AS r')).row, { q: null, r: 0.25 });
});

t.test('COUNTIF and IFNULL run unchanged', async (t) => {
  const sql = 'SELECT COUNTIF(x > 1) AS c, IFNULL(NULL, 7) AS i FROM range(4) AS r(x)';
  t.equal(translateBigQuerySql(sql), sql);
  t.same((await runTranslated(sql)).row, {
    c: '2',
    i: 7,
  });
});

t.test('SAFE_CAST becomes TRY_CAST with the DuckDB type', async (t) => {
  t.equal(translateBigQuerySql("SELECT SAFE_CAST('abc' AS INT64) AS v"), "SELECT TRY_CAST('abc' AS BIGINT) AS v");
  t.same((await runTranslated("SELECT SAFE_CAST('abc' AS INT64) AS v")).row, { v: null });
});

t.test('casts map BigQuery types to DuckDB types', async (t) => {
  const sql =
    "SELECT CAST('1.5' AS FLOAT64) AS f, CAST('2' AS INT64) AS i, CAST('3.25' AS NUMERIC) AS n, " +
    "CAST('4' AS BIGNUMERIC) AS b, CAST(5 AS STRING) AS s, CAST('true' AS BOOL) AS o";
  t.equal(
    translateBigQuerySql(sql),
    "SELECT CAST('1.5' AS DOUBLE) AS f, CAST('2' AS BIGINT) AS i, CAST('3.25' AS DECIMAL(38,9)) AS n, " +
      "CAST('4' AS DECIMAL(38,9)) AS b, CAST(5 AS VARCHAR) AS s, CAST('true' AS BOOLEAN) AS o",
  );
  const { types } = await runTranslated(sql);
  t.same(types, ['DOUBLE', 'BIGINT', 'DECIMAL(38,9)', 'DECIMAL(38,9)', 'VARCHAR', 'BOOLEAN']);
});

t.test('a type name used as an alias is left alone', async (t) => {
  t.equal(translateBigQuerySql('SELECT CAST(x AS STRING) AS string FROM t'), 'SELECT CAST(x AS VARCHAR) AS string FROM t');
});

t.test('parameterized NUMERIC keeps its precision and scale', async (t) => {
  t.equal(translateBigQuerySql('SELECT CAST(x AS NUMERIC(20, 4))'), 'SELECT CAST(x AS DECIMAL(20, 4))');
});

t.test('column definitions map BigQuery types', async (t) => {
  t.equal(
    translateBigQuerySql('CREATE TABLE `p.d.t` (id INT64, amount NUMERIC, at TIMESTAMP, local DATETIME)'),
    'CREATE TABLE "p"."d"."t" (id BIGINT, amount DECIMAL(38,9), at TIMESTAMPTZ, local TIMESTAMP)',
  );
});

t.test('DATE_SUB with INTERVAL returns a DATE', async (t) => {
  const sql = "SELECT DATE_SUB(DATE '2024-03-01', INTERVAL 1 DAY) AS d";
  t.equal(translateBigQuerySql(sql), "SELECT bq_date_sub(DATE '2024-03-01', INTERVAL 1 DAY) AS d");
  t.same(await runTranslated(sql), { row: { d: '2024-02-29' }, types: ['DATE'] });
});

t.test('DATE_ADD by MONTH clamps to the month end and returns a DATE', async (t) => {
  t.same(await runTranslated("SELECT DATE_ADD(DATE '2024-01-31', INTERVAL 1 MONTH) AS d"), {
    row: { d: '2024-02-29' },
    types: ['DATE'],
  });
});

t.test('DATE_ADD accepts WEEK and YEAR units', async (t) => {
  const { row } = await runTranslated(
    "SELECT DATE_ADD(DATE '2024-01-01', INTERVAL 2 WEEK) AS w, DATE_SUB(DATE '2024-02-29', INTERVAL 1 YEAR) AS y",
  );
  t.same(row, { w: '2024-01-15', y: '2023-02-28' });
});

t.test('an INTERVAL amount that is an expression is parenthesized', async (t) => {
  t.equal(
    translateBigQuerySql('SELECT DATE_SUB(d, INTERVAL -1 DAY), DATE_ADD(d, INTERVAL n + 1 MONTH)'),
    'SELECT bq_date_sub(d, INTERVAL (-1) DAY), bq_date_add(d, INTERVAL (n + 1) MONTH)',
  );
  t.same((await runTranslated("SELECT DATE_SUB(DATE '2024-03-01', INTERVAL -1 DAY) AS d")).row, { d: '2024-03-02' });
});

t.test('FORMAT_DATE formats with BigQuery argument order', async (t) => {
  t.same((await runTranslated("SELECT FORMAT_DATE('%Y%m%d', DATE '2024-01-05') AS s")).row, { s: '20240105' });
});

t.test('PARSE_DATE parses with BigQuery argument order and returns a DATE', async (t) => {
  t.same(await runTranslated("SELECT PARSE_DATE('%Y%m%d', '20240105') AS d"), {
    row: { d: '2024-01-05' },
    types: ['DATE'],
  });
});

t.test('CURRENT_DATE() runs unchanged and is a DATE', async (t) => {
  t.equal(translateBigQuerySql('SELECT CURRENT_DATE() AS d'), 'SELECT CURRENT_DATE() AS d');
  t.same((await runTranslated('SELECT CURRENT_DATE() AS d')).types, ['DATE']);
});

t.test('CURRENT_TIMESTAMP() loses its parentheses', async (t) => {
  t.equal(translateBigQuerySql('SELECT CURRENT_TIMESTAMP( ) AS ts'), 'SELECT CURRENT_TIMESTAMP AS ts');
  t.same((await runTranslated('SELECT CURRENT_TIMESTAMP() AS ts')).types, ['TIMESTAMP WITH TIME ZONE']);
});

t.test('TIMESTAMP literals are instants and DATE(ts) takes the UTC date', async (t) => {
  const sql = "SELECT DATE(TIMESTAMP '2024-01-02 01:30:00+05:00') AS d";
  t.equal(translateBigQuerySql(sql), "SELECT DATE(TIMESTAMPTZ '2024-01-02 01:30:00+05:00') AS d");
  t.same((await runTranslated(sql)).row, { d: '2024-01-01' });
});

t.test('NUMERIC literals keep 29 integer digits and 9 decimals', async (t) => {
  const { row, types } = await runTranslated("SELECT NUMERIC '12345678901234567890123456789.123456789' AS n");
  t.same(row, { n: '12345678901234567890123456789.123456789' });
  t.same(types, ['DECIMAL(38,9)']);
});

t.test('DATE_TRUNC takes BigQuery argument order and returns a DATE', async (t) => {
  const sql = "SELECT DATE_TRUNC(DATE '2024-03-15', MONTH) AS m, DATE_TRUNC(DATE '2024-05-15', QUARTER) AS q, DATE_TRUNC(DATE '2024-05-15', YEAR) AS y";
  t.equal(
    translateBigQuerySql('SELECT DATE_TRUNC(d, MONTH) FROM t'),
    "SELECT bq_date_trunc(d, 'month') FROM t",
  );
  t.same(await runTranslated(sql), { row: { m: '2024-03-01', q: '2024-04-01', y: '2024-01-01' }, types: ['DATE', 'DATE', 'DATE'] });
});

t.test('DATE_TRUNC to WEEK starts weeks on Sunday, WEEK(<day>) on that day, ISOWEEK on Monday', async (t) => {
  // 2024-03-13 is a Wednesday.
  const { row } = await runTranslated(
    "SELECT DATE_TRUNC(DATE '2024-03-13', WEEK) AS w, DATE_TRUNC(DATE '2024-03-13', WEEK(MONDAY)) AS mon, " +
      "DATE_TRUNC(DATE '2024-03-13', WEEK(THURSDAY)) AS thu, DATE_TRUNC(DATE '2024-03-13', ISOWEEK) AS iso, " +
      "DATE_TRUNC(DATE '2024-03-10', WEEK) AS sunday_itself, DATE_TRUNC(DATE '2021-01-01', ISOYEAR) AS isoyear",
  );
  t.same(row, { w: '2024-03-10', mon: '2024-03-11', thu: '2024-03-07', iso: '2024-03-11', sunday_itself: '2024-03-10', isoyear: '2019-12-30' });
});

t.test('DATE_DIFF counts part boundaries from the second date to the first', async (t) => {
  const { row, types } = await runTranslated(
    "SELECT DATE_DIFF(DATE '2024-03-01', DATE '2024-02-01', DAY) AS days, DATE_DIFF(DATE '2024-02-01', DATE '2024-01-31', MONTH) AS months, " +
      "DATE_DIFF(DATE '2024-01-01', DATE '2023-12-31', YEAR) AS years, DATE_DIFF(DATE '2024-01-01', DATE '2024-03-01', DAY) AS negative, " +
      "DATE_DIFF(DATE '2024-03-17', DATE '2024-03-16', WEEK) AS sunday_crossed, DATE_DIFF(DATE '2024-03-18', DATE '2024-03-16', ISOWEEK) AS monday_crossed, " +
      "DATE_DIFF(DATE '2024-03-16', DATE '2024-03-10', WEEK) AS same_week",
  );
  t.same(row, { days: '29', months: '1', years: '1', negative: '-60', sunday_crossed: '1', monday_crossed: '1', same_week: '0' });
  t.same(types, ['BIGINT', 'BIGINT', 'BIGINT', 'BIGINT', 'BIGINT', 'BIGINT', 'BIGINT']);
});

t.test('EXTRACT counts DAYOFWEEK from Sunday = 1 and WEEK from the first Sunday, as BigQuery does', async (t) => {
  t.equal(translateBigQuerySql('SELECT EXTRACT(DAYOFWEEK FROM d) FROM t'), 'SELECT bq_day_of_week(  d) FROM t');
  // 2023-01-01 is a Sunday; 2024-01-01 a Monday, so its week is 0.
  const { row } = await runTranslated(
    "SELECT EXTRACT(DAYOFWEEK FROM DATE '2024-03-10') AS sunday, EXTRACT(DAYOFWEEK FROM DATE '2024-03-16') AS saturday, " +
      "EXTRACT(WEEK FROM DATE '2023-01-01') AS w2023, EXTRACT(WEEK FROM DATE '2024-01-01') AS w2024, " +
      "EXTRACT(WEEK(MONDAY) FROM DATE '2024-01-01') AS monday_weeks, EXTRACT(ISOWEEK FROM DATE '2024-12-30') AS isoweek, " +
      "EXTRACT(MONTH FROM DATE '2024-12-30') AS month, EXTRACT(DAYOFYEAR FROM DATE '2024-12-31') AS doy",
  );
  t.same(row, { sunday: '1', saturday: '7', w2023: '1', w2024: '0', monday_weeks: '1', isoweek: '1', month: '12', doy: '366' });
});

t.test('date part words elsewhere are left alone', async (t) => {
  t.equal(translateBigQuerySql('SELECT DATE_DIFF(a, week, DAY) FROM t'), "SELECT bq_date_diff(a, week, 'day') FROM t");
  t.equal(translateBigQuerySql('SELECT DATE_TRUNC(month, YEAR) FROM t'), "SELECT bq_date_trunc(month, 'year') FROM t");
  t.equal(translateBigQuerySql('SELECT week, month FROM t'), 'SELECT week, month FROM t');
  t.equal(translateBigQuerySql("SELECT 'DATE_TRUNC(d, WEEK)' AS s"), "SELECT 'DATE_TRUNC(d, WEEK)' AS s");
  t.equal(translateBigQuerySql('SELECT DATE_TRUNC(d, WEEK(FUNDAY)) FROM t'), 'SELECT DATE_TRUNC(d, WEEK(FUNDAY)) FROM t', 'an unknown weekday stays for DuckDB to reject');
});

t.test('SAFE.-prefixed calls become TRY(...), NULL where the function would fail', async (t) => {
  t.equal(
    translateBigQuerySql("SELECT SAFE.PARSE_DATE('%Y-%m-%d', s), SAFE.DATE_ADD(d, INTERVAL 1 DAY) FROM t"),
    "SELECT TRY(PARSE_DATE('%Y-%m-%d', s)), TRY(bq_date_add(d, INTERVAL 1 DAY)) FROM t",
  );
  const { row } = await runTranslated(
    "SELECT SAFE.PARSE_DATE('%Y-%m-%d', 'not a date') AS bad, SAFE.PARSE_DATE('%Y-%m-%d', '2024-02-29') AS good, " +
      "SAFE.SUBSTR(SAFE.FORMAT_DATE('%Y', DATE '2024-01-01'), 1, 2) AS nested",
  );
  t.same(row, { bad: null, good: '2024-02-29', nested: '20' });
  t.equal(translateBigQuerySql('SELECT safe.col FROM safe'), 'SELECT safe.col FROM safe', 'a table or column path named safe is left alone');
});
