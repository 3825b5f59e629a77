import t from 'tap';
import { PipelineError } from '../../../services/errors.js';
import { metricValues } from '../../../services/pipeline/metric-values.js';
import type { Column, ColumnType, Row } from '../../../services/warehouse/warehouse.js';

const COLUMNS: Column[] = [
  { name: 'metric_output', type: 'NUMERIC' },
  { name: 'numerator_value', type: 'NUMERIC' },
  { name: 'denominator_value', type: 'NUMERIC' },
  { name: 'business_data_date', type: 'STRING' },
];

const ROW: Row = {
  metric_output: '12.5',
  numerator_value: '25',
  denominator_value: '2',
  business_data_date: '2024-01-15',
};

/** The values of a one-row result: the standard row with these cells replaced. */
function valuesOf(cells: Row, columns: Column[] = COLUMNS) {
  return metricValues(columns, [{ ...ROW, ...cells }]);
}

/** The same standard result, with one column's type changed. */
function withType(name: string, type: ColumnType): Column[] {
  return COLUMNS.map((column) => (column.name === name ? { name, type } : column));
}

function errorOf(fn: () => unknown): PipelineError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PipelineError) return error;
    throw error;
  }
  throw new Error('expected a PipelineError, nothing was thrown');
}

/** The message of the DATA_QUALITY_ERROR fn throws; throws itself on any other outcome. */
function rejected(fn: () => unknown): string {
  const error = errorOf(fn);
  if (error.category !== 'DATA_QUALITY_ERROR') throw new Error(`expected DATA_QUALITY_ERROR, got ${error.category}`);
  return error.message;
}

t.test('a valid row gives 9-decimal text, the date and no warnings', async (t) => {
  t.same(valuesOf({}), {
    metric_output: '12.500000000',
    numerator_value: '25.000000000',
    denominator_value: '2.000000000',
    business_data_date: '2024-01-15',
    warnings: [],
  });
});

t.test('zero rows is a data quality error saying so', async (t) => {
  t.match(rejected(() => metricValues(COLUMNS, [])), /exactly one row, it returned 0/);
});

t.test('more than one row is a data quality error saying how many', async (t) => {
  t.match(rejected(() => metricValues(COLUMNS, [ROW, ROW, ROW])), /exactly one row, it returned 3/);
});

for (const name of ['metric_output', 'numerator_value', 'denominator_value', 'business_data_date']) {
  t.test(`a missing ${name} column is named`, async (t) => {
    const columns = COLUMNS.filter((column) => column.name !== name);
    t.match(rejected(() => metricValues(columns, [ROW])), new RegExp(`lacks the column\\(s\\) ${name} \\(it has: `));
  });
}

t.test('every missing column is named at once', async (t) => {
  t.match(
    rejected(() => metricValues([], [{}])),
    /lacks the column\(s\) metric_output, numerator_value, denominator_value, business_data_date \(it has: none\)/,
  );
});

t.test('column names match in any case', async (t) => {
  const columns = COLUMNS.map((column) => ({ ...column, name: column.name.toUpperCase() }));
  const row = Object.fromEntries(Object.entries(ROW).map(([key, value]) => [key.toUpperCase(), value]));
  t.equal(metricValues(columns, [row]).metric_output, '12.500000000');
});

t.test('extra columns are ignored', async (t) => {
  const columns: Column[] = [...COLUMNS, { name: 'region', type: 'STRING' }];
  t.equal(metricValues(columns, [{ ...ROW, region: 'not a number' }]).metric_output, '12.500000000');
});

t.test('business_data_date NULL is a data quality error', async (t) => {
  t.match(rejected(() => valuesOf({ business_data_date: null })), /business_data_date is NULL/);
});

t.test('business_data_date absent from the row object counts as NULL', async (t) => {
  const { business_data_date: _dropped, ...row } = ROW;
  t.match(rejected(() => metricValues(COLUMNS, [row])), /business_data_date is NULL/);
});

t.test('business_data_date from a DATE column is stored as is', async (t) => {
  t.equal(valuesOf({ business_data_date: '2024-02-29' }, withType('business_data_date', 'DATE')).business_data_date, '2024-02-29');
});

t.test('business_data_date from a TIMESTAMP column keeps the UTC date part', async (t) => {
  const columns = withType('business_data_date', 'TIMESTAMP');
  t.equal(valuesOf({ business_data_date: '2024-01-15T23:59:59.999999Z' }, columns).business_data_date, '2024-01-15');
});

t.test('business_data_date from a DATETIME column keeps the date part', async (t) => {
  const columns = withType('business_data_date', 'DATETIME');
  t.equal(valuesOf({ business_data_date: '2024-01-15T08:30:00' }, columns).business_data_date, '2024-01-15');
});

t.test('business_data_date text that is not a real calendar date is rejected', async (t) => {
  t.match(
    rejected(() => valuesOf({ business_data_date: '2023-02-29' })),
    /business_data_date must be a DATE, TIMESTAMP, DATETIME or a real calendar date as 'YYYY-MM-DD' text, got STRING '2023-02-29'/,
  );
});

t.test('business_data_date text in another format is rejected', async (t) => {
  t.match(rejected(() => valuesOf({ business_data_date: '15/01/2024' })), /got STRING '15\/01\/2024'/);
});

t.test('business_data_date of any other column type is rejected, even when its text looks like a date', async (t) => {
  const columns = withType('business_data_date', 'OTHER');
  t.match(rejected(() => valuesOf({ business_data_date: '2024-01-15' }, columns)), /got OTHER '2024-01-15'/);
});

t.test('business_data_date TIMESTAMP text that is malformed is rejected', async (t) => {
  t.match(
    rejected(() => valuesOf({ business_data_date: '2024-01-15' }, withType('business_data_date', 'TIMESTAMP'))),
    /got TIMESTAMP '2024-01-15'/,
  );
});

for (const name of ['metric_output', 'numerator_value', 'denominator_value']) {
  t.test(`${name} that is not a number is named`, async (t) => {
    t.match(rejected(() => valuesOf({ [name]: 'abc' })), new RegExp(`${name} is not a number: 'abc'`));
  });

  t.test(`${name} NaN is rejected`, async (t) => {
    t.match(
      rejected(() => valuesOf({ [name]: 'NaN' }, withType(name, 'FLOAT64'))),
      new RegExp(`${name} is NaN, not a number`),
    );
  });

  t.test(`${name} +/-Infinity is rejected`, async (t) => {
    t.match(
      rejected(() => valuesOf({ [name]: 'Infinity' }, withType(name, 'FLOAT64'))),
      new RegExp(`${name} is Infinity, not a finite number`),
    );
    t.match(
      rejected(() => valuesOf({ [name]: '-Infinity' }, withType(name, 'FLOAT64'))),
      new RegExp(`${name} is -Infinity, not a finite number`),
    );
  });

  t.test(`${name} NULL is stored as NULL`, async (t) => {
    t.equal(valuesOf({ [name]: null })[name as 'metric_output'], null);
  });

  t.test(`${name} of 30 integer digits overflows NUMERIC(38,9)`, async (t) => {
    t.match(
      rejected(() => valuesOf({ [name]: '100000000000000000000000000000' })),
      new RegExp(`${name} '1000+' has more than 29 integer digits`),
    );
  });
}

t.test('hex, octal and binary literals are not numbers', async (t) => {
  for (const text of ['0x1F', '0o17', '0b11']) {
    t.match(
      rejected(() => valuesOf({ metric_output: text })),
      /is not a number/,
    );
  }
});

t.test('an empty STRING cell is not a number', async (t) => {
  t.match(
    rejected(() => valuesOf({ metric_output: '' }, withType('metric_output', 'STRING'))),
    /metric_output is not a number: ''/,
  );
});

t.test('a STRING column holding a number is read as that number', async (t) => {
  t.equal(valuesOf({ metric_output: ' -3.25 ' }, withType('metric_output', 'STRING')).metric_output, '-3.250000000');
});

t.test('an INT64 cell is read exactly', async (t) => {
  t.equal(valuesOf({ numerator_value: '9223372036854775807' }, withType('numerator_value', 'INT64')).numerator_value, '9223372036854775807.000000000');
});

t.test('FLOAT64 exponent text with a negative exponent is expanded', async (t) => {
  t.equal(valuesOf({ metric_output: '1e-7' }, withType('metric_output', 'FLOAT64')).metric_output, '0.000000100');
});

t.test('FLOAT64 exponent text with a positive exponent is expanded', async (t) => {
  t.equal(valuesOf({ metric_output: '1.5E+20' }, withType('metric_output', 'FLOAT64')).metric_output, '150000000000000000000.000000000');
});

t.test('FLOAT64 1.5E+30 overflows NUMERIC(38,9)', async (t) => {
  t.match(
    rejected(() => valuesOf({ metric_output: '1.5E+30' }, withType('metric_output', 'FLOAT64'))),
    /metric_output '1\.5E\+30' has more than 29 integer digits/,
  );
});

t.test('the largest NUMERIC(38,9) value survives unchanged on both signs', async (t) => {
  const max = '99999999999999999999999999999.999999999';
  t.equal(valuesOf({ metric_output: max }).metric_output, max);
  t.equal(valuesOf({ metric_output: `-${max}` }).metric_output, `-${max}`);
});

t.test('a 29-digit NUMERIC with 9 decimals survives unchanged', async (t) => {
  const exact = '12345678901234567890123456789.123456789';
  t.equal(valuesOf({ numerator_value: exact }).numerator_value, exact);
});

t.test('overflow is checked after rounding: 29 nines and .9999999995 rounds into a 30th digit', async (t) => {
  t.match(
    rejected(() => valuesOf({ metric_output: '99999999999999999999999999999.9999999995' })),
    /more than 29 integer digits after rounding/,
  );
  t.match(
    rejected(() => valuesOf({ metric_output: '-99999999999999999999999999999.9999999995' })),
    /more than 29 integer digits after rounding/,
  );
});

t.test('an exponent too large for any decimal overflows instead of passing', async (t) => {
  t.match(rejected(() => valuesOf({ metric_output: '1e99999999999999999' })), /more than 29 integer digits/);
});

t.test('more than 9 decimals round half away from zero, positive side', async (t) => {
  t.equal(valuesOf({ metric_output: '0.0000000005' }).metric_output, '0.000000001');
  t.equal(valuesOf({ metric_output: '1.2345678905' }).metric_output, '1.234567891');
});

t.test('more than 9 decimals round half away from zero, negative side', async (t) => {
  t.equal(valuesOf({ metric_output: '-0.0000000005' }).metric_output, '-0.000000001');
  t.equal(valuesOf({ metric_output: '-1.2345678905' }).metric_output, '-1.234567891');
});

t.test('below the half, more than 9 decimals round towards zero', async (t) => {
  t.equal(valuesOf({ metric_output: '1.2345678904999' }).metric_output, '1.234567890');
  t.equal(valuesOf({ metric_output: '-1.2345678904999' }).metric_output, '-1.234567890');
});

t.test('a negative value that rounds to zero is stored as unsigned zero', async (t) => {
  t.equal(valuesOf({ metric_output: '-0.0000000004' }).metric_output, '0.000000000');
});

t.test('rounding does not lose digits beyond 16 significant ones', async (t) => {
  t.equal(valuesOf({ numerator_value: '1234567890123456789.12345678949' }).numerator_value, '1234567890123456789.123456789');
});

t.test('denominator_value 0 is a data quality error', async (t) => {
  t.match(
    rejected(() => valuesOf({ denominator_value: '0' })),
    /denominator_value is 0 \(the query returned '0'\); it must be greater than 0/,
  );
  t.match(rejected(() => valuesOf({ denominator_value: '-0.000' })), /denominator_value is 0 /);
});

t.test('a denominator_value that rounds to 0 at 9 decimals is judged before rounding: it passes with a warning', async (t) => {
  const values = valuesOf({ denominator_value: '0.0000000001' });
  t.equal(values.denominator_value, '0.000000000', 'stored rounded');
  t.same(values.warnings, ['denominator_value 0.0000000001 is below 0.0000001 (stored as 0.000000000); a ratio over it may be unstable']);
});

t.test('a negative denominator_value is a data quality error', async (t) => {
  t.match(
    rejected(() => valuesOf({ denominator_value: '-2' })),
    /denominator_value is negative \(the query returned '-2'\); it must be greater than 0/,
  );
});

t.test('a negative denominator_value that rounds to 0 is still negative', async (t) => {
  t.match(rejected(() => valuesOf({ denominator_value: '-0.0000000004' })), /denominator_value is negative \(the query returned '-0\.0000000004'\)/);
});

t.test('a denominator_value below 0.0000001 passes with a warning', async (t) => {
  const values = valuesOf({ denominator_value: '0.00000005' });
  t.equal(values.denominator_value, '0.000000050');
  t.same(values.warnings, ['denominator_value 0.00000005 is below 0.0000001 (stored as 0.000000050); a ratio over it may be unstable']);
});

t.test('a denominator_value of exactly 0.0000001 passes without a warning', async (t) => {
  t.same(valuesOf({ denominator_value: '0.0000001' }).warnings, []);
});

t.test('NULL values are stored as NULL while the others are still checked', async (t) => {
  t.same(valuesOf({ metric_output: null, numerator_value: null, denominator_value: null }), {
    metric_output: null,
    numerator_value: null,
    denominator_value: null,
    business_data_date: '2024-01-15',
    warnings: [],
  });
  t.match(rejected(() => valuesOf({ metric_output: null, numerator_value: 'abc' })), /numerator_value is not a number/);
});
