import t, { type Test } from 'tap';
import { oneLineReason } from '../../../../services/errors.js';
import { createDuckDbWarehouse } from '../../../../services/warehouse/duckdb/duckdb-warehouse.js';
import type { Column } from '../../../../services/warehouse/warehouse.js';

const columns: Column[] = [{ name: 'amount', type: 'NUMERIC' }];

/** The message of the error a query fails with on a real warehouse holding `proj-a.sales.orders`. */
async function failureOf(t: Test, sql: string): Promise<string> {
  const warehouse = await createDuckDbWarehouse({ directory: t.testdir(), createProjects: true });
  t.teardown(() => warehouse.close());
  await warehouse.createTable({ project: 'proj-a', dataset: 'sales', table: 'orders' }, columns);
  try {
    await warehouse.query({ sql, timeoutMs: 10_000 });
  } catch (error) {
    t.match(error, { category: 'SQL_EXECUTION_ERROR' });
    return (error as Error).message;
  }
  throw new Error('expected the query to fail');
}

t.test('a missing table keeps the engine message without the caret context or hints naming other tables', async (t) => {
  const message = await failureOf(t, 'SELECT SUM(amount) AS s FROM `proj-a.sales.order`');
  t.match(message, /^Catalog Error: Table with name order does not exist!/);
  t.notMatch(message, /Did you mean|orders|LINE \d|\^/);
  t.notMatch(message, /\n/);
});

t.test('a syntax error has no "Failed to extract statements" prefix and no caret context', async (t) => {
  const message = await failureOf(t, 'SELECT SUM(amount) AS s FORM `proj-a.sales.orders`');
  t.match(message, /^Parser Error: syntax error at or near/);
  t.notMatch(message, /Failed to extract statements|LINE \d|\^/);
});

t.test('the recon reason of an engine error is one line of at most 500 characters', async (t) => {
  const message = await failureOf(t, `SELECT ${'x'.repeat(2_000)} FROM \`proj-a.sales.orders\``);
  const reason = oneLineReason(new Error(message));
  t.ok(reason.length <= 500, `${reason.length} characters`);
  t.notMatch(reason, /\n/);
  t.match(reason, /^Binder Error: Referenced column "x+/);
  t.match(reason, /\.\.\.$/, 'a cut reason ends with an ellipsis');
});
