import t from 'tap';
import { createDuckDbWarehouse } from '../../../../services/warehouse/duckdb/duckdb-warehouse.js';

const warehouse = await createDuckDbWarehouse({ directory: t.testdir(), connections: 1 });
t.teardown(() => warehouse.close());
const ask = (sql: string) => warehouse.query({ sql, timeoutMs: 10_000 });
const quotient = async (dividend: string, divisor: string) =>
  (await ask(`SELECT NUMERIC '${dividend}' / NUMERIC '${divisor}' AS q`)).rows[0]?.q;

// BigQuery's NUMERIC / NUMERIC: the exact quotient rounded half away from zero to 9 decimals
// (computed independently with Python's decimal module, ROUND_HALF_UP, 100 digits).
const KNOWN: [dividend: string, divisor: string, quotient: string][] = [
  ['1234567890123.123456789', '3', '411522630041.041152263'],
  ['1', '3', '0.333333333'],
  ['2', '3', '0.666666667'],
  ['-2', '3', '-0.666666667'],
  ['2', '-3', '-0.666666667'],
  ['0.000000001', '2', '0.000000001'],
  ['-0.000000001', '2', '-0.000000001'],
  ['0.000000003', '2', '0.000000002'],
  ['99999999999999999999999999999.999999999', '3', '33333333333333333333333333333.333333333'],
  ['10000000000000000000000000000', '7', '1428571428571428571428571428.571428571'],
  ['12345678901234567890.123456789', '98765432109876543210.987654321', '0.124999999'],
  ['1', '99999999999999999999999999999.999999999', '0'],
  ['99999999999999999999999999999.999999999', '99999999999999999999999999999.999999998', '1'],
  ['7', '0.000000003', '2333333333.333333333'],
  ['123456.789', '0.001', '123456789'],
];

t.test('NUMERIC / NUMERIC is exact to 9 decimals, rounded half away from zero, across the NUMERIC range', async (t) => {
  for (const [dividend, divisor, expected] of KNOWN) t.equal(await quotient(dividend, divisor), expected, `${dividend} / ${divisor}`);
});

t.test('NUMERIC / NUMERIC is NUMERIC; with an INT64 it stays NUMERIC; FLOAT64 and INT64 / INT64 stay FLOAT64, as in BigQuery', async (t) => {
  const { columns, rows } = await ask(
    "SELECT NUMERIC '1' / NUMERIC '3' AS nn, NUMERIC '1234567890123.123456789' / 3 AS ni, 10 / NUMERIC '4' AS inn, " +
      "CAST(1 AS FLOAT64) / NUMERIC '3' AS fn, 1 / 4 AS ii",
  );
  t.same(columns.map((column) => column.type), ['NUMERIC', 'NUMERIC', 'NUMERIC', 'FLOAT64', 'FLOAT64']);
  t.match(rows[0], { nn: '0.333333333', ni: '411522630041.041152263', inn: '2.5', ii: '0.25' });
});

t.test('a quotient past NUMERIC fails as numeric overflow', async (t) => {
  await t.rejects(quotient('-98765432109876543210987654321.123456789', '0.000000007'), {
    category: 'SQL_EXECUTION_ERROR',
    message: /numeric overflow: -98765432109876543210987654321\.123456789 \/ 0\.000000007/,
  });
});

t.test('a NUMERIC divided by zero fails as division by zero; SAFE_DIVIDE gives NULL', async (t) => {
  await t.rejects(quotient('1.5', '0'), { category: 'SQL_EXECUTION_ERROR', message: /division by zero: 1\.500000000 \/ 0\.000000000/ });
  t.same((await ask("SELECT SAFE_DIVIDE(NUMERIC '1.5', NUMERIC '0') AS q")).rows, [{ q: null }]);
});

t.test('a NULL operand gives NULL, row by row', async (t) => {
  const rows = "(NUMERIC '1', CAST(NULL AS NUMERIC)), (CAST(NULL AS NUMERIC), NUMERIC '2'), (NUMERIC '1', NUMERIC '4')";
  t.same((await ask(`SELECT x / y AS q FROM (VALUES ${rows}) AS operands(x, y)`)).rows, [{ q: null }, { q: null }, { q: '0.25' }]);
});

t.test('a division per row is exact in every row of a result larger than one vector', async (t) => {
  // Sum over k < 5000 of k / 7, each quotient rounded to 9 decimals first (Python's decimal module).
  t.same((await ask('SELECT SUM(CAST(x AS NUMERIC) / 7) AS s FROM range(5000) AS r(x)')).rows, [{ s: '1785357.142857143' }]);
});
