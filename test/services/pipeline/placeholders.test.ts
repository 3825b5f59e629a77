import t from 'tap';
import { PipelineError } from '../../../services/errors.js';
import { resolvePlaceholders, type PartitionDateLookup } from '../../../services/pipeline/placeholders.js';

const dates: Record<string, string> = { 'sales.tx': '2024-01-14', 'ops.users': '2024-01-10', '.tx': '2024-01-13' };
const asked: string[] = [];
const lookup: PartitionDateLookup = async (ref) => {
  const key = `${ref.dataset ?? ''}.${ref.table}`;
  asked.push(key);
  const date = dates[key];
  if (!date) throw new PipelineError('PARTITION_VALIDATION_ERROR', `No partition info for ${key}`);
  return date;
};

t.test('{currently} becomes a quoted date outside quotes and the bare date inside', async (t) => {
  const resolved = await resolvePlaceholders("SELECT '{currently}' AS d FROM x WHERE dt = {currently}", '2024-01-15', lookup);
  t.equal(resolved.sql, "SELECT '2024-01-15' AS d FROM x WHERE dt = '2024-01-15'");
  t.equal(resolved.partitionDate, undefined);
});

t.test('{partition_info} takes the table referenced nearest before it', async (t) => {
  const sql = 'SELECT 1 FROM `p.sales.tx` WHERE dt = {partition_info} AND id IN (SELECT id FROM ops.users WHERE dt = "{partition_info}")';
  const resolved = await resolvePlaceholders(sql, '2024-01-15', lookup);
  t.equal(resolved.sql, 'SELECT 1 FROM `p.sales.tx` WHERE dt = \'2024-01-14\' AND id IN (SELECT id FROM ops.users WHERE dt = "2024-01-10")');
  t.equal(resolved.partitionDate, '2024-01-14', 'the first resolved date is reported');
});

t.test('a bare table name is looked up by table name alone', async (t) => {
  const resolved = await resolvePlaceholders('SELECT 1 FROM tx WHERE d = {partition_info}', '2024-01-15', lookup);
  t.equal(resolved.sql, "SELECT 1 FROM tx WHERE d = '2024-01-13'");
});

t.test('a placeholder before any table reference fails with PARTITION_VALIDATION_ERROR', async (t) => {
  await t.rejects(resolvePlaceholders('SELECT {partition_info} AS d', '2024-01-15', lookup), {
    category: 'PARTITION_VALIDATION_ERROR',
    message: /follows no table reference/,
  });
});

t.test('a missing partition row fails the metric with the lookup error', async (t) => {
  await t.rejects(resolvePlaceholders('SELECT 1 FROM ds.nothing WHERE d = {partition_info}', '2024-01-15', lookup), {
    category: 'PARTITION_VALIDATION_ERROR',
    message: /No partition info for ds\.nothing/,
  });
});

t.test('placeholders in comments are left alone and other braces are untouched', async (t) => {
  const sql = "SELECT 1 -- {currently}\nFROM x WHERE j = '{\"a\": 1}'";
  t.equal((await resolvePlaceholders(sql, '2024-01-15', lookup)).sql, sql);
});

t.test('{partition_info} after a WITH name takes the table referenced before it, never the WITH name', async (t) => {
  const sql = 'WITH tx_cte AS (SELECT * FROM sales.tx) SELECT COUNT(*) FROM tx_cte WHERE dt = {partition_info}';
  const resolved = await resolvePlaceholders(sql, '2024-01-15', lookup);
  t.equal(resolved.sql, "WITH tx_cte AS (SELECT * FROM sales.tx) SELECT COUNT(*) FROM tx_cte WHERE dt = '2024-01-14'");
});
