import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { createDuckDbWarehouse, type DuckDbWarehouseOptions } from '../../../../services/warehouse/duckdb/duckdb-warehouse.js';
import { prepareProjects } from '../../../helpers/duckdb-projects.js';

/** A warehouse on `directory` whose warnings are kept as parsed JSON lines. */
async function open(t: Test, directory: string, options: Partial<DuckDbWarehouseOptions> = {}) {
  const warnings: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      warnings.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const warehouse = await createDuckDbWarehouse({ directory, logger: pino({ level: 'warn' }, sink), ...options });
  t.teardown(() => warehouse.close());
  const ask = (sql: string) => warehouse.query({ sql, timeoutMs: 10_000 });
  return { warehouse, warnings, ask };
}

/** A directory holding a good project and four entries named like projects that are not databases. */
async function dirtyDirectory(t: Test): Promise<string> {
  const directory = join(t.testdir(), 'warehouse');
  await prepareProjects(directory, { good: ['CREATE SCHEMA `good.ds`', 'CREATE TABLE `good.ds.t` AS SELECT 1 AS x'] });
  mkdirSync(join(directory, 'folder.duckdb'));
  writeFileSync(join(directory, 'empty.duckdb'), '');
  writeFileSync(join(directory, 'garbage.duckdb'), 'not a database, just some text\n'.repeat(200));
  execFileSync('mkfifo', [join(directory, 'pipe.duckdb')]);
  return directory;
}

/** The files in `directory` this process holds open (Linux /proc). */
function openFilesIn(directory: string): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(join('/proc/self/fd', fd));
      } catch {
        return ''; // closed since the listing
      }
    })
    .filter((target) => target.startsWith(`${directory}/`));
}

const REASONS = {
  folder: /folder\.duckdb is a directory$/,
  empty: /empty\.duckdb could not be opened \(.*not a valid DuckDB database file/,
  garbage: /garbage\.duckdb could not be opened \(.*not a valid DuckDB database file/,
  pipe: /pipe\.duckdb is not a regular file$/,
};

t.test('entries named *.duckdb that are not usable databases are skipped at open, each with a warning naming it and why', async (t) => {
  const directory = await dirtyDirectory(t);
  const { warnings, ask } = await open(t, directory);
  const byFile = new Map(warnings.map((warning) => [warning.file, warning]));
  for (const [project, reason] of Object.entries(REASONS)) {
    t.match(byFile.get(join(directory, `${project}.duckdb`)), { msg: /warehouse file skipped/, reason }, project);
  }
  t.equal(warnings.length, 4);
  t.same((await ask('SELECT x FROM `good.ds.t`')).rows, [{ x: '1' }], 'the good project answers');
});

t.test('a query or a write naming a skipped project fails with its file and why, creating nothing', async (t) => {
  const directory = await dirtyDirectory(t);
  const { warehouse, ask } = await open(t, directory, { createProjects: true });
  for (const [project, reason] of Object.entries(REASONS)) {
    await t.rejects(ask(`SELECT 1 FROM \`${project}.ds.t\``), { category: 'SQL_EXECUTION_ERROR', message: reason }, `query ${project}`);
    await t.rejects(warehouse.createTable({ project, dataset: 'ds', table: 't' }, [{ name: 'x', type: 'STRING' }]), {
      category: 'BIGQUERY_WRITE_ERROR',
      message: new RegExp(`^Project '${project}' cannot be used: `),
    });
  }
  t.same(readdirSync(directory).sort(), ['empty.duckdb', 'folder.duckdb', 'garbage.duckdb', 'good.duckdb', 'pipe.duckdb']);
});

t.test('a project whose file cannot even be looked at fails with the reason', async (t) => {
  const { ask } = await open(t, join(t.testdir(), 'warehouse'));
  const long = 'p'.repeat(300);
  await t.rejects(ask(`SELECT 1 FROM \`${long}.ds.t\``), { category: 'SQL_EXECUTION_ERROR', message: new RegExp(`^Project '${long}' cannot be used: .* could not be read \\(ENAMETOOLONG`) });
});

t.test('a name that is not a project id never becomes a file name', async (t) => {
  const { ask } = await open(t, join(t.testdir(), 'warehouse'), { createProjects: true });
  await t.rejects(ask('SELECT 1 FROM `a b.ds.t`'), { category: 'SQL_EXECUTION_ERROR', message: "'a b' is not a project id (letters, digits and hyphens)" });
});

t.test('catalogs nobody uses beyond maxIdleCatalogs are detached, so open project files stay bounded, and attach again when named', async (t) => {
  const directory = join(t.testdir(), 'warehouse');
  const projects = Array.from({ length: 6 }, (_, i) => `proj-${i}`);
  await prepareProjects(directory, Object.fromEntries(projects.map((project) => [project, [`CREATE SCHEMA \`${project}.ds\``, `CREATE TABLE \`${project}.ds.t\` AS SELECT '${project}' AS p`]])));
  const { ask } = await open(t, directory, { maxIdleCatalogs: 2 });
  for (const project of projects) t.same((await ask(`SELECT p FROM \`${project}.ds.t\``)).rows, [{ p: project }]);
  // Naming the first again attaches it after the evictions queued before it have run.
  t.same((await ask('SELECT p FROM `proj-0.ds.t`')).rows, [{ p: 'proj-0' }]);
  const files = openFilesIn(directory);
  t.ok(files.length <= 3, `${files.length} project files open of 6 used (at most 2 idle and 1 being detached)`);
});

t.test('a project file that appears after open is attached when a query names it', async (t) => {
  const directory = join(t.testdir(), 'warehouse');
  const { ask } = await open(t, directory);
  await t.rejects(ask('SELECT x FROM `late.ds.t`'), { message: /Project 'late' has no database file late\.duckdb/ });
  await prepareProjects(directory, { late: ['CREATE SCHEMA `late.ds`', 'CREATE TABLE `late.ds.t` AS SELECT 7 AS x'] });
  t.same((await ask('SELECT x FROM `late.ds.t`')).rows, [{ x: '7' }]);
  t.ok(existsSync(join(directory, 'late.duckdb')));
});
