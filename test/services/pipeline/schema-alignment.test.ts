import t from 'tap';
import { alignRows, castCell, SchemaAlignmentError } from '../../../services/pipeline/schema-alignment.js';

t.test('drops columns the table lacks and uses the table spelling of names', async (t) => {
  const aligned = alignRows(
    [{ name: 'metric_id', type: 'STRING' }, { name: 'run_id', type: 'STRING' }],
    [{ metric_id: 'm1', run_id: 'r1' }],
    [{ name: 'METRIC_ID', type: 'STRING' }],
  );
  t.same(aligned, { columns: [{ name: 'METRIC_ID', type: 'STRING' }], rows: [{ METRIC_ID: 'm1' }] });
});

t.test('casts values to the table types as BigQuery CAST would', async (t) => {
  t.equal(castCell('12.5', 'NUMERIC', { name: 'v', type: 'INT64' }), '13');
  t.equal(castCell('-12.5', 'NUMERIC', { name: 'v', type: 'INT64' }), '-13');
  t.equal(castCell('12345678901234567890123456789.123456789', 'NUMERIC', { name: 'v', type: 'FLOAT64' }), '12345678901234567890123456789.123456789');
  t.equal(castCell('2024-01-15', 'STRING', { name: 'd', type: 'DATE' }), '2024-01-15');
  t.equal(castCell('2024-01-15', 'STRING', { name: 'd', type: 'TIMESTAMP' }), '2024-01-15T00:00:00Z');
  t.equal(castCell('2024-01-15T10:00:00Z', 'TIMESTAMP', { name: 'd', type: 'STRING' }), '2024-01-15T10:00:00Z');
  t.equal(castCell(null, 'NUMERIC', { name: 'v', type: 'INT64' }), null);
});

t.test('a value that cannot be cast names the column and the value', async (t) => {
  t.throws(() => castCell('abc', 'STRING', { name: 'metric_output', type: 'NUMERIC' }), SchemaAlignmentError);
  t.throws(() => castCell('15/01/2024', 'STRING', { name: 'business_data_date', type: 'DATE' }), /business_data_date is DATE: cannot store STRING value '15\/01\/2024'/);
});
