import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { PipelineError, QueryTimeoutError } from '../../../../services/errors.js';
import { createDuckDbWarehouse, type DuckDbWarehouse, type DuckDbWarehouseOptions } from '../../../../services/warehouse/duckdb/duckdb-warehouse.js';
import type { Column } from '../../../../services/warehouse/warehouse.js';

const SLOW_SQL =
  'SELECT COUNT(*) AS c FROM range(100000) a, range(100000) b, range(100000) c WHERE a.range + b.range + c.range = 7';
const columns: Column[] = [
  { name: 'id', type: 'STRING' },
  { name: 'amount', type: 'NUMERIC' },
];

async function open(t: Test, options: Partial<DuckDbWarehouseOptions> = {}) {
  const directory = t.testdir();
  const warehouse = await createDuckDbWarehouse({ directory, ...options });
  t.teardown(() => warehouse.close());
  return { directory, warehouse };
}

const ask = (warehouse: DuckDbWarehouse, sql: string, extra: object = {}) => warehouse.query({ sql, timeoutMs: 5_000, ...extra });

t.test('with createProjects, createTable for a new project creates <dir>/<project>.duckdb', async (t) => {
  const { directory, warehouse } = await open(t, { createProjects: true });
  await warehouse.createTable({ project: 'new-proj', dataset: 'ds', table: 't' }, columns);
  t.ok(existsSync(path.join(directory, 'new-proj.duckdb')));
});

t.test('metric SQL cannot read files, and project files still attach', async (t) => {
  const outside = mkdtempSync(path.join(tmpdir(), 'outside-warehouse-'));
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(path.join(outside, 'secret.csv'), 'password\nhunter2\n');
  const { warehouse } = await open(t, { createProjects: true });
  await t.rejects(ask(warehouse, `SELECT COUNT(*) AS n FROM read_csv('${path.join(outside, 'secret.csv')}')`), {
    category: 'SQL_EXECUTION_ERROR',
    message: 'function read_csv is not allowed in metric SQL',
  });
  await warehouse.createTable({ project: 'later-proj', dataset: 'ds', table: 't' }, columns);
  t.same((await ask(warehouse, 'SELECT COUNT(*) AS n FROM `later-proj.ds.t`')).rows, [{ n: '0' }], 'project files inside it still attach');
});

t.test('a reopened directory attaches the project files already there', async (t) => {
  const directory = t.testdir();
  const first = await createDuckDbWarehouse({ directory, createProjects: true });
  const table = { project: 'kept-proj', dataset: 'ds', table: 't' };
  await first.createTable(table, columns);
  await first.appendRows(table, columns, [{ id: 'a', amount: '1.25' }]);
  await first.close();
  const second = await createDuckDbWarehouse({ directory });
  t.teardown(() => second.close());
  t.same((await ask(second, 'SELECT id, amount FROM `kept-proj.ds.t`')).rows, [{ id: 'a', amount: '1.25' }]);
});

t.test('a query naming a project with no file fails naming the project and the directory, and creates no file', async (t) => {
  const { directory, warehouse } = await open(t, { createProjects: true });
  await t.rejects(ask(warehouse, 'SELECT 1 FROM `ghost-proj.ds.t`'), {
    name: 'ProjectUnavailableError',
    category: 'SQL_EXECUTION_ERROR',
    message: `Project 'ghost-proj' has no database file ghost-proj.duckdb in the warehouse directory ${directory}`,
  });
  t.notOk(existsSync(path.join(directory, 'ghost-proj.duckdb')));
});

t.test('with createProjects, getTableSchema of a project with no file is undefined and creates no file', async (t) => {
  const { directory, warehouse } = await open(t, { createProjects: true });
  t.equal(await warehouse.getTableSchema({ project: 'ghost-proj', dataset: 'ds', table: 't' }), undefined);
  t.notOk(existsSync(path.join(directory, 'ghost-proj.duckdb')));
});

t.test('a slow query does not hold up a quick one on another connection', async (t) => {
  const { warehouse } = await open(t, { connections: 2 });
  const slow = ask(warehouse, SLOW_SQL, { timeoutMs: 1_500 }).catch((error: unknown) => error);
  t.same((await ask(warehouse, 'SELECT 1 AS x')).rows, [{ x: '1' }]);
  t.type(await slow, QueryTimeoutError, 'the slow one was still running');
});

t.test('a query waiting for a connection times out while it waits', async (t) => {
  const { warehouse } = await open(t, { connections: 1 });
  const slow = ask(warehouse, SLOW_SQL, { timeoutMs: 1_000 }).catch((error: unknown) => error);
  await t.rejects(ask(warehouse, 'SELECT 1', { timeoutMs: 100 }), QueryTimeoutError);
  await slow;
  t.same((await ask(warehouse, 'SELECT 2 AS x')).rows, [{ x: '2' }], 'the pool is whole again');
});

t.test('aborting the signal interrupts the query', async (t) => {
  const { warehouse } = await open(t);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const error = await ask(warehouse, SLOW_SQL, { signal: controller.signal }).catch((caught: unknown) => caught);
  t.ok(error instanceof PipelineError && error.category === 'PIPELINE_EXECUTION_ERROR', 'PIPELINE_EXECUTION_ERROR');
  t.match((error as Error).message, /interrupted/);
});

t.test('NUMERIC and INT64 parameters are bound exactly', async (t) => {
  const { warehouse } = await open(t);
  const { rows, columns: types } = await ask(warehouse, 'SELECT @n AS n, @i AS i', {
    params: {
      n: { type: 'NUMERIC', value: '-12345678901234567890123456789.123456789' },
      i: { type: 'INT64', value: '9007199254740993' },
    },
  });
  t.same(rows, [{ n: '-12345678901234567890123456789.123456789', i: '9007199254740993' }]);
  t.same(types, [
    { name: 'n', type: 'NUMERIC' },
    { name: 'i', type: 'INT64' },
  ]);
});

t.test('a NULL parameter is bound as a typed NULL', async (t) => {
  const { warehouse } = await open(t);
  const { rows } = await ask(warehouse, 'SELECT @d IS NULL AS missing', { params: { d: { type: 'DATE', value: null } } });
  t.same(rows, [{ missing: 'true' }]);
});

t.test('a parameter the SQL uses but the request lacks is SQL_EXECUTION_ERROR', async (t) => {
  const { warehouse } = await open(t);
  await t.rejects(ask(warehouse, 'SELECT @absent AS x'), { name: 'PipelineError', category: 'SQL_EXECUTION_ERROR', message: /@absent/ });
});

t.test('an impossible DATE parameter is SQL_EXECUTION_ERROR', async (t) => {
  const { warehouse } = await open(t);
  await t.rejects(ask(warehouse, 'SELECT @d AS d', { params: { d: { type: 'DATE', value: '2023-02-29' } } }), {
    name: 'PipelineError',
    category: 'SQL_EXECUTION_ERROR',
    message: /not a DATE/,
  });
});

t.test('WITH queries are read-only and run', async (t) => {
  const { warehouse } = await open(t);
  t.same((await ask(warehouse, 'WITH a AS (SELECT 3 AS x) SELECT x FROM a')).rows, [{ x: '3' }]);
});

t.test('an unterminated string is SQL_EXECUTION_ERROR', async (t) => {
  const { warehouse } = await open(t);
  await t.rejects(ask(warehouse, "SELECT 'open"), { name: 'PipelineError', category: 'SQL_EXECUTION_ERROR', message: /Unterminated/ });
});

t.test('a warehouse directory that cannot be created fails the open with the reason', async (t) => {
  const file = path.join(t.testdir(), 'a-file');
  writeFileSync(file, '');
  await t.rejects(createDuckDbWarehouse({ directory: path.join(file, 'warehouse') }), { code: 'ENOTDIR' });
});

t.test('close is idempotent and later queries fail typed', async (t) => {
  const warehouse = await createDuckDbWarehouse({ directory: t.testdir() });
  await warehouse.close();
  await warehouse.close();
  await t.rejects(ask(warehouse, 'SELECT 1'), { name: 'PipelineError', category: 'PIPELINE_EXECUTION_ERROR' });
});

t.test('close waits for an interrupted query, so the process can exit', async (t) => {
  const script = fileURLToPath(new URL('./scripts/close-during-query.ts', import.meta.url));
  const loader = fileURLToPath(new URL('../../../../node_modules/@tapjs/typescript/dist/esm/import.mjs', import.meta.url));
  // Aborts land before, while and after DuckDB starts executing; each used to be able to leave the query running.
  for (const abortAfterMs of [0, 2, 5, 50]) {
    const child = spawnSync(process.execPath, [`--import=${loader}`, script, t.testdir(), String(abortAfterMs)], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    t.equal(child.signal, null, `aborted after ${abortAfterMs} ms: the process exited by itself`);
    t.equal(child.status, 0, child.stderr);
    t.match(JSON.parse(child.stdout), { rejected: /interrupted/ });
  }
});

t.test('close interrupts a running query and fails the ones waiting for a connection', async (t) => {
  const warehouse = await createDuckDbWarehouse({ directory: t.testdir(), connections: 1 });
  const running = ask(warehouse, SLOW_SQL, { timeoutMs: 60_000 }).catch((error: unknown) => error);
  const waiting = ask(warehouse, 'SELECT 1', { timeoutMs: 60_000 }).catch((error: unknown) => error);
  await warehouse.close();
  t.match(await running, { name: 'PipelineError', category: 'SQL_EXECUTION_ERROR', message: /INTERRUPT/i });
  t.match(await waiting, { name: 'PipelineError', category: 'PIPELINE_EXECUTION_ERROR', message: /closed/ });
});

t.test('close lets a write already started finish', async (t) => {
  const directory = t.testdir();
  const first = await createDuckDbWarehouse({ directory, createProjects: true });
  const table = { project: 'kept-proj', dataset: 'ds', table: 't' };
  const written = first.createTable(table, columns).then(() => first.appendRows(table, columns, [{ id: 'a', amount: '2.5' }]));
  const closed = first.close();
  await t.rejects(written, { category: 'PIPELINE_EXECUTION_ERROR', message: /closed/ }, 'a write asked for after close is refused');
  await closed;
  const second = await createDuckDbWarehouse({ directory });
  t.teardown(() => second.close());
  t.same(await second.getTableSchema(table), columns, 'the table created before close is there');
});
