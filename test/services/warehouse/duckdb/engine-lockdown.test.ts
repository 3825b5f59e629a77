import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DuckDBInstance } from '@duckdb/node-api';
import { confineEngine, lockEngine } from '../../../../services/warehouse/duckdb/engine-lockdown.js';

/** A bare engine, confined to `<testdir>/warehouse` and locked, as the adapter leaves it. */
async function lockedEngine(t: Test) {
  const dir = t.testdir();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  t.teardown(() => {
    connection.closeSync();
    instance.closeSync();
  });
  const directory = await confineEngine(connection, join(dir, 'warehouse'));
  await lockEngine(connection);
  return { dir, directory, connection };
}

t.test('confineEngine creates the warehouse directory and gives its absolute path', async (t) => {
  const { dir, directory } = await lockedEngine(t);
  t.equal(directory, join(dir, 'warehouse'));
  t.ok(existsSync(directory));
});

t.test('once locked, no SET changes the configuration', async (t) => {
  const { connection } = await lockedEngine(t);
  for (const set of ['SET threads = 1', 'SET enable_external_access = true', "SET enable_profiling = 'json'", 'SET enable_logging = true']) {
    await t.rejects(connection.run(set), /the configuration has been locked/, set);
  }
});

t.test('files outside the warehouse directory cannot be read; project files inside it can be attached', async (t) => {
  const { dir, directory, connection } = await lockedEngine(t);
  writeFileSync(join(dir, 'secret.csv'), 'password\nhunter2\n');
  await t.rejects(connection.run(`SELECT * FROM read_csv('${join(dir, 'secret.csv')}')`), /disabled by configuration/);
  await connection.run(`ATTACH '${join(directory, 'inside.duckdb')}' AS inside`);
  await connection.run('CREATE TABLE inside.t AS SELECT 1 AS x');
  t.ok(existsSync(join(directory, 'inside.duckdb')));
});

t.test('no extension is installed or loaded', async (t) => {
  const { connection } = await lockedEngine(t);
  await t.rejects(connection.run('INSTALL spatial'), /disabled by configuration/);
  await t.rejects(connection.run('LOAD spatial'), /disabled through configuration/);
});
