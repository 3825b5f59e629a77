/**
 * Metric SQL written by a hostile config author, through the real app on the
 * embedded warehouse: every metric below is a SELECT that, run, would change
 * the engine (logging, profiling, settings, checkpoints), read state or files
 * it should not (secrets, settings, other queries' text, the warehouse's own
 * files, /etc), or run SQL of its own (query, query_table). Each must fail
 * alone, naming what it called, while a control metric of the same run
 * passes; the run's recon rows must all be written, the next run must pass,
 * /readyz must stay 200, and no file may appear anywhere.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { build, RECON, RUN_DATE, type RunDocument } from '../helpers/build-app.js';
import { metric } from '../helpers/fixtures.js';

/** What the hostile SQL names (its refusal must name it too) and where: in FROM, or as the metric_output expression. */
type Hostile = [name: string, fromOrExpression: 'from' | 'expr', sql: (warehouseDir: string) => string];

const CORPUS: Hostile[] = [
  // Logging and profiling: engine-wide switches, some writing files.
  ['enable_logging', 'from', (dir) => `enable_logging(storage = 'file', storage_path = '${dir}/zz.duckdb')`],
  ['enable_logging', 'from', () => 'enable_logging()'],
  ['disable_logging', 'from', () => 'disable_logging()'],
  ['truncate_duckdb_logs', 'from', () => 'truncate_duckdb_logs()'],
  ['duckdb_logs', 'from', () => 'duckdb_logs()'],
  ['duckdb_logs', 'from', () => 'duckdb_logs'],
  ['duckdb_logs_parsed', 'from', () => "duckdb_logs_parsed('QueryLog')"],
  ['enable_profiling', 'from', () => 'enable_profiling()'],
  ['disable_profiling', 'from', () => 'disable_profiling()'],
  ['enable_progress_bar', 'from', () => 'enable_progress_bar()'],
  ['duckdb_profiling_settings', 'from', () => 'duckdb_profiling_settings()'],
  // Settings, variables, environment.
  ['duckdb_settings', 'from', () => 'duckdb_settings()'],
  ['current_setting', 'expr', () => "LENGTH(current_setting('allowed_directories'))"],
  ['getvariable', 'expr', () => "getvariable('x')"],
  ['getenv', 'expr', () => "LENGTH(getenv('HOME'))"],
  ['current_schema', 'expr', () => 'LENGTH(current_schema)'],
  ['current_database', 'expr', () => 'LENGTH(current_database())'],
  ['version', 'expr', () => 'LENGTH(version())'],
  // Checkpoints and storage.
  ['checkpoint', 'from', () => 'checkpoint()'],
  ['force_checkpoint', 'from', () => 'force_checkpoint()'],
  ['disable_checkpoint_on_shutdown', 'from', () => 'disable_checkpoint_on_shutdown()'],
  ['pragma_database_size', 'from', () => 'pragma_database_size()'],
  ['pragma_storage_info', 'from', () => `pragma_storage_info('${RECON}')`],
  ['copy_database', 'from', () => "copy_database('proj-a', 'memory')"],
  // Secrets.
  ['duckdb_secrets', 'from', () => 'duckdb_secrets()'],
  ['which_secret', 'from', () => "which_secret('s3://bucket/key', 's3')"],
  // SQL of its own.
  ['query', 'from', () => "query('SELECT 1')"],
  ['query_table', 'from', () => `query_table('${RECON}')`],
  ['json_execute_serialized_sql', 'from', () => "json_execute_serialized_sql('{}')"],
  ['json_serialize_plan', 'expr', () => "LENGTH(json_serialize_plan('SELECT 1'))"],
  ['histogram', 'from', () => `histogram('${RECON}', load_ts)`],
  // Files.
  ['read_csv', 'from', () => "read_csv('/etc/passwd')"],
  ['read_csv_auto', 'from', (dir) => `read_csv_auto('${dir}/proj-a.duckdb')`],
  ['read_text', 'from', (dir) => `read_text('${dir}/proj-a.duckdb')`],
  ['read_blob', 'from', (dir) => `read_blob('${dir}/proj-a.duckdb')`],
  ['read_json', 'from', (dir) => `read_json('${dir}/x.json')`],
  ['read_parquet', 'from', (dir) => `read_parquet('${dir}/x.parquet')`],
  ['read_duckdb', 'from', (dir) => `read_duckdb('${dir}/proj-a.duckdb')`],
  ['parquet_metadata', 'from', (dir) => `parquet_metadata('${dir}/x.parquet')`],
  ['sniff_csv', 'from', () => "sniff_csv('/etc/passwd')"],
  ['glob', 'from', (dir) => `glob('${dir}/*')`],
  ['proj-a.duckdb', 'from', (dir) => `'${dir}/proj-a.duckdb'`],
  // Extensions.
  ['duckdb_extensions', 'from', () => 'duckdb_extensions()'],
  ['extension_versions', 'from', () => 'extension_versions()'],
  ['sql_auto_complete', 'from', () => "sql_auto_complete('SEL')"],
  ['icu_calendar_names', 'from', () => 'icu_calendar_names()'],
  // The catalog and the engine.
  ['duckdb_functions', 'from', () => 'duckdb_functions()'],
  ['duckdb_tables', 'from', () => 'duckdb_tables()'],
  ['duckdb_tables', 'from', () => 'duckdb_tables'],
  ['duckdb_databases', 'from', () => 'duckdb_databases()'],
  ['duckdb_memory', 'from', () => 'duckdb_memory()'],
  ['duckdb_temporary_files', 'from', () => 'duckdb_temporary_files()'],
  ['duckdb_prepared_statements', 'from', () => 'duckdb_prepared_statements()'],
  ['information_schema.tables', 'from', () => 'information_schema.tables'],
  ['pg_catalog.pg_settings', 'from', () => 'pg_catalog.pg_settings'],
  ['pragma_table_info', 'from', () => `pragma_table_info('${RECON}')`],
  ['pragma_version', 'from', () => 'pragma_version()'],
  ['pragma_platform', 'from', () => 'pragma_platform()'],
  ['pragma_user_agent', 'from', () => 'pragma_user_agent()'],
  ['show_databases', 'from', () => 'show_databases()'],
  ['test_all_types', 'from', () => 'test_all_types()'],
  ['DESCRIBE', 'from', () => '(DESCRIBE SELECT 1)'],
  // Scalars with side effects.
  ['setseed', 'expr', () => 'setseed(0.5)'],
  ['nextval', 'expr', () => "nextval('s')"],
  ['write_log', 'expr', () => "LENGTH(write_log('x'))"],
  ['sleep_ms', 'expr', () => 'sleep_ms(1)'],
  ['pg_sleep', 'expr', () => 'pg_sleep(1)'],
  ['current_query', 'expr', () => 'LENGTH(current_query())'],
  ['random', 'expr', () => 'random()'],
];

/** The control metric's source table. */
const PROJECTS = { 'proj-a': ['CREATE SCHEMA `proj-a.src`', 'CREATE TABLE `proj-a.src.accounts` AS SELECT range AS id FROM range(3)'] };
const CONTROL = metric('control', `SELECT COUNT(*) AS metric_output, COUNT(*) AS numerator_value, 1 AS denominator_value, '${RUN_DATE}' AS business_data_date FROM \`proj-a.src.accounts\``);

function hostileSql([, where, sql]: Hostile, warehouseDir: string): string {
  const values = `1 AS numerator_value, 1 AS denominator_value, '${RUN_DATE}' AS business_data_date`;
  return where === 'from' ? `SELECT COUNT(*) AS metric_output, ${values} FROM ${sql(warehouseDir)}` : `SELECT ${sql(warehouseDir)} AS metric_output, ${values}`;
}

/** Every entry under `root`, recursively, as paths relative to it. */
function listing(root: string, recursive = true): string[] {
  return readdirSync(root, { recursive, withFileTypes: true })
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

t.test(`${CORPUS.length} hostile metric SQLs each fail alone, naming what they call; the engine, the audit trail and the disk are untouched`, async (t) => {
  t.ok(CORPUS.length >= 40);
  const { app, dir, settings, writeConfig, runBody, reconRows } = await build(t, { projects: PROJECTS });
  const warehouseDir = settings.METRICS_DUCKDB_DIR;
  const hostile = CORPUS.map((entry, i) => metric(`hostile_${String(i).padStart(2, '0')}`, hostileSql(entry, warehouseDir)));
  const hostileConfig = writeConfig([...hostile, CONTROL]);
  const controlConfig = writeConfig([CONTROL]);
  const runWait = async (config: string) => app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(config) });
  // A first run creates the target and recon tables, so the listings below hold them already.
  t.equal((await runWait(controlConfig)).statusCode, 200);
  // DuckDB's write-ahead log of a project just written comes and goes with checkpoints; it is the engine's, not a metric's.
  const files = () => ({
    warehouse: listing(warehouseDir).filter((name) => !name.endsWith('.wal')),
    testDir: listing(dir).filter((name) => !name.endsWith('.wal')),
    cwd: listing(process.cwd(), false),
  });
  const before = files();

  const response = await runWait(hostileConfig);
  t.equal(response.statusCode, 422);
  const run = response.json<RunDocument>();
  t.equal(run.status, 'partial');
  const byId = new Map(run.metrics.map((entry) => [entry.metric_id, entry]));
  CORPUS.forEach(([name], i) => {
    const entry = byId.get(`hostile_${String(i).padStart(2, '0')}`);
    t.match(entry, { status: 'Failed', error_category: 'SQL_EXECUTION_ERROR' }, `${i}: ${name}`);
    t.ok(entry?.reason?.toLowerCase().includes(name.toLowerCase()), `${i}: the reason names ${name}: ${entry?.reason}`);
  });
  t.match(byId.get('control'), { status: 'Passed', error_category: null }, 'the control metric of the same run passed');

  const recorded = (await reconRows()).filter((row) => row.run_id === run.run_id);
  t.equal(recorded.length, CORPUS.length + 1, 'every recon row of the run is there');
  t.same((await app.inject({ method: 'GET', url: `/runs/${run.run_id}` })).json<RunDocument>().counts, { metrics: CORPUS.length + 1, passed: 1, failed: CORPUS.length, pending: 0 });
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, '/readyz stays 200');
  const next = await runWait(controlConfig);
  t.equal(next.statusCode, 200);
  t.equal(next.json<RunDocument>().status, 'succeeded', 'the next run on the same instance passes');
  t.same(files(), before, 'no file appeared in the warehouse directory, the test directory or the working directory');
});

t.test('a directory, an empty file and a garbage file named *.duckdb leave /readyz at 200 and fail only the runs naming them', async (t) => {
  const { app, writeConfig, runBody } = await build(t, {
    projects: PROJECTS,
    beforeOpen: (warehouseDir) => {
      mkdirSync(join(warehouseDir, 'zz.duckdb'));
      writeFileSync(join(warehouseDir, 'empty.duckdb'), '');
      writeFileSync(join(warehouseDir, 'garbage.duckdb'), 'garbage\n'.repeat(100));
    },
  });
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  const good = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(writeConfig([CONTROL])) });
  t.equal(good.json<RunDocument>().status, 'succeeded');
  const config = writeConfig([metric('reads_zz', `${hostileSql(['', 'from', () => '`zz.ds.t`'], '')}`)]);
  const bad = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(config) });
  t.match(bad.json<RunDocument>().metrics, [{ error_category: 'SQL_EXECUTION_ERROR', reason: /^Project 'zz' cannot be used: .*zz\.duckdb is a directory$/ }]);
});
