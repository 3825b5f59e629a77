import t from 'tap';
import { DECIMAL, DOUBLE, HUGEINT, INTEGER, LIST, TIMESTAMP, TIMESTAMP_NS, TIMESTAMPTZ, VARCHAR } from '@duckdb/node-api';
import { cellText, duckDbTypeOf, portTypeOf } from '../../../../services/warehouse/duckdb/duckdb-cells.js';

t.test('integer types of any width are INT64', async (t) => {
  t.same([INTEGER, HUGEINT].map(portTypeOf), ['INT64', 'INT64']);
});

t.test('decimals of any precision are NUMERIC and doubles FLOAT64', async (t) => {
  t.same([DECIMAL(4, 1), DECIMAL(38, 9), DOUBLE].map(portTypeOf), ['NUMERIC', 'NUMERIC', 'FLOAT64']);
});

t.test('TIMESTAMPTZ is TIMESTAMP and plain timestamps are DATETIME', async (t) => {
  t.same([TIMESTAMPTZ, TIMESTAMP, TIMESTAMP_NS].map(portTypeOf), ['TIMESTAMP', 'DATETIME', 'DATETIME']);
});

t.test('types the port does not know are OTHER', async (t) => {
  t.equal(portTypeOf(LIST(VARCHAR)), 'OTHER');
});

t.test('port types are created as their DuckDB types', async (t) => {
  t.same(
    (['STRING', 'INT64', 'NUMERIC', 'BIGNUMERIC', 'FLOAT64', 'BOOL', 'DATE', 'DATETIME', 'TIMESTAMP'] as const).map(duckDbTypeOf),
    ['VARCHAR', 'BIGINT', 'DECIMAL(38,9)', 'DECIMAL(38,9)', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'TIMESTAMPTZ'],
  );
});

t.test('OTHER columns cannot be created', async (t) => {
  t.throws(() => duckDbTypeOf('OTHER'), { name: 'PipelineError', category: 'BIGQUERY_WRITE_ERROR' });
});

t.test('NUMERIC text loses trailing zeros of the DuckDB scale only', async (t) => {
  t.same(['10.500000000', '-0.500000000', '1.000', '100', '0.000000001'].map((v) => cellText('NUMERIC', v)), [
    '10.5',
    '-0.5',
    '1',
    '100',
    '0.000000001',
  ]);
});

t.test('instants get six fraction digits when not whole and a Z', async (t) => {
  t.same(
    ['2024-01-02 03:04:05.5+00', '2024-01-02 03:04:05+00', '2024-01-02 03:04:05.123456+00'].map((v) => cellText('TIMESTAMP', v)),
    ['2024-01-02T03:04:05.500000Z', '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.123456Z'],
  );
});

t.test('wall-clock times have no Z and nanoseconds are cut to microseconds', async (t) => {
  t.equal(cellText('DATETIME', '2024-01-02 03:04:05.123456789'), '2024-01-02T03:04:05.123456');
});

t.test('doubles print as shortest round-trip text, NaN and infinities by name', async (t) => {
  t.same([1e300, 0.1, -1.5e-10, 'NaN', '-Infinity'].map((v) => cellText('FLOAT64', v)), [
    '1e+300',
    '0.1',
    '-1.5e-10',
    'NaN',
    '-Infinity',
  ]);
});

t.test('OTHER values are JSON text', async (t) => {
  t.equal(cellText('OTHER', ['a', 'b']), '["a","b"]');
});

t.test('NULL stays null', async (t) => {
  t.equal(cellText('NUMERIC', null), null);
});
