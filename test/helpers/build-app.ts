import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareProjects } from './duckdb-projects.js';
import { configWriter, metric, RECON, resultSql, runParameters, TARGET } from './fixtures.js';
import { pino } from 'pino';
import type { Test } from 'tap';
import type { ConfigSource } from '../../services/config-source/config-source.js';
import type { RunDocument } from '../../services/runs/run-document.js';
import type { Row, Warehouse } from '../../services/warehouse/warehouse.js';
import { createConfigSource, createWarehouse } from '../../src/adapters.js';
import { buildApp, type App, type BuildAppOptions } from '../../src/app.js';
import { loadSettings, type Settings } from '../../src/settings.js';

export { endlessMetric, PARTITION_INFO, RECON, RUN_DATE, TARGET } from './fixtures.js';
export type { ErrorResponse } from '../../routes/http-errors.js';
export type { RunDocument } from '../../services/runs/run-document.js';
export type { Backfill } from '../../services/runs/backfills.js';
export type { RunPage } from '../../services/runs/recon-runs.js';

/** A metric whose SQL returns at once with the given output. */
export function quickMetric(metric_id: string, output = '1') {
  return metric(metric_id, resultSql(output));
}

export interface BuildOptions {
  settings?: Partial<Settings>;
  app?: Partial<BuildAppOptions>;
  /** Wraps the real config source, e.g. to hold runs at a known point. */
  configSource?: (real: ConfigSource) => ConfigSource;
  /** Project files built before the warehouse opens (prepareProjects); proj-a, the fixtures' project, always exists. */
  projects?: Record<string, readonly string[]>;
  /** Anything else to put in the warehouse directory before the warehouse opens. */
  beforeOpen?: (warehouseDir: string) => void;
}

/**
 * The real app from buildApp on a real DuckDB warehouse in a temporary
 * directory (with the production default: no project is created by a run),
 * closed (and so drained) when the test ends.
 */
export async function build(t: Test, options: BuildOptions = {}) {
  const opened: { warehouse?: Warehouse; app?: App } = {};
  // Registered before t.testdir(), so the app drains and the warehouse closes
  // before tap removes the directory (a draining run still writes there).
  t.teardown(async () => {
    await opened.app?.close();
    await opened.warehouse?.close();
  });
  const dir = t.testdir();
  const settings: Settings = {
    ...loadSettings({}),
    METRICS_DUCKDB_DIR: join(dir, 'warehouse'),
    METRICS_DUCKDB_CONNECTIONS: 4,
    METRICS_DEFAULT_RECON_TABLE: RECON,
    METRICS_SHUTDOWN_GRACE_MS: 100,
    LOG_LEVEL: 'silent',
    // Configs are written to the test's directory; the HTTP service reads local configs only under this one.
    METRICS_LOCAL_CONFIG_DIR: dir,
    ...options.settings,
  };
  await prepareProjects(settings.METRICS_DUCKDB_DIR, { 'proj-a': [], ...options.projects });
  options.beforeOpen?.(settings.METRICS_DUCKDB_DIR);
  const logger = pino({ level: 'silent' });
  const warehouse = await createWarehouse(settings, logger);
  opened.warehouse = warehouse;
  const realConfigSource = createConfigSource(settings);
  const configSource = options.configSource ? options.configSource(realConfigSource) : realConfigSource;
  const app = await buildApp({ settings, warehouse, configSource, logger, ...options.app });
  opened.app = app;

  const writeConfig = configWriter(dir);

  /** Run parameters as POST /runs takes them. */
  const runBody = (gcsPath: string, overrides: Record<string, unknown> = {}) => runParameters(gcsPath, overrides);

  /** Every recon row, in a stable order. */
  const reconRows = async (): Promise<Row[]> =>
    (await warehouse.query({ sql: `SELECT * FROM \`${RECON}\` ORDER BY run_id, source_system_id`, timeoutMs: 30_000 })).rows;

  /** Every target row, by date and metric. */
  const targetRows = async (): Promise<Row[]> =>
    (await warehouse.query({ sql: `SELECT * FROM \`${TARGET}\` ORDER BY partition_dt, metric_id`, timeoutMs: 30_000 })).rows;

  return { app, warehouse, settings, dir, writeConfig, runBody, reconRows, targetRows };
}

/** Follows a run with GET /runs/:id until it has finished; its final document. */
export async function finishedRun(app: App, runId: string): Promise<RunDocument> {
  for (;;) {
    const document = (await app.inject({ method: 'GET', url: `/runs/${runId}` })).json<RunDocument>();
    if (document.status !== 'queued' && document.status !== 'running') return document;
    await sleep(10);
  }
}

/** A config source that holds every read until released: a run stays in flight exactly as long as a test needs. */
export function gatedConfigSource(real: ConfigSource): ConfigSource & { release(): void; reads: number } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const source = {
    reads: 0,
    release: () => release(),
    async read(path: string) {
      source.reads += 1;
      await gate;
      return real.read(path);
    },
  };
  return source;
}
