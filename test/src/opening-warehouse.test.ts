import t from 'tap';
import { OpeningWarehouse } from '../../src/opening-warehouse.js';
import { PipelineError } from '../../services/errors.js';
import { createDuckDbWarehouse } from '../../services/warehouse/duckdb/duckdb-warehouse.js';
import type { Column, Warehouse } from '../../services/warehouse/warehouse.js';

const table = { project: 'opening-proj', dataset: 'ds', table: 't' };
const columns: Column[] = [
  { name: 'id', type: 'STRING' },
  { name: 'amount', type: 'NUMERIC' },
];

/** A warehouse open the test finishes when it wants to. */
function deferredOpen() {
  let finish!: (warehouse: Promise<Warehouse>) => void;
  const opening = new Promise<Warehouse>((resolve) => (finish = resolve));
  return { opening, finish };
}

t.test('calls made while the warehouse opens wait for it, then reach it', async (t) => {
  const { opening, finish } = deferredOpen();
  const warehouse = new OpeningWarehouse(opening);
  t.throws(() => warehouse.createsMissingTables, { message: 'The warehouse was used before it opened' });

  let answered = false;
  const early = warehouse.query({ sql: 'SELECT 6 * 7 AS answer', timeoutMs: 5_000 }).then((result) => {
    answered = true;
    return result;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.notOk(answered, 'no answer before the open');

  const opened = await createDuckDbWarehouse({ directory: t.testdir(), createProjects: true });
  finish(Promise.resolve(opened));
  t.same((await early).rows, [{ answer: '42' }]);
  t.equal(warehouse.createsMissingTables, true, "the opened warehouse's own answer");
  await warehouse.close();
  await t.rejects(opened.ping(), { message: 'The DuckDB warehouse is closed' }, 'close reached the opened warehouse');
});

t.test('every call goes to the opened warehouse', async (t) => {
  const opened = await createDuckDbWarehouse({ directory: t.testdir(), createProjects: true });
  t.teardown(() => opened.close());
  const warehouse = new OpeningWarehouse(Promise.resolve(opened));

  await warehouse.ping();
  await warehouse.createTable(table, columns);
  t.same(await warehouse.getTableSchema(table), columns);
  await warehouse.appendRows(table, columns, [{ id: 'a', amount: '1.50' }]);
  await warehouse.replaceRows(table, columns, [{ id: 'a', amount: '2.25' }, { id: 'b', amount: '3' }], ['id']);
  const sql = 'SELECT id, amount FROM `opening-proj.ds.t` ORDER BY id';
  t.same(await warehouse.dryRun({ sql, timeoutMs: 5_000 }), { bytesProcessed: null });
  t.same((await opened.query({ sql, timeoutMs: 5_000 })).rows, [
    { id: 'a', amount: '2.25' },
    { id: 'b', amount: '3' },
  ]);
});

t.test("a failed open fails each call with the open's error, and nothing is left unhandled", async (t) => {
  const failure = new PipelineError('PIPELINE_EXECUTION_ERROR', 'the warehouse directory cannot be made');
  const warehouse = new OpeningWarehouse(Promise.reject(failure));
  await t.rejects(warehouse.ping(), failure);
  await t.rejects(warehouse.getTableSchema(table), failure);
  t.throws(() => warehouse.createsMissingTables, { message: 'The warehouse was used before it opened' });
});
