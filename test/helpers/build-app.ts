import { join } from 'node:path';
import { configWriter, metric, RECON, resultSql, runParameters } from './fixtures.js';
import { pino } from 'pino';
import type { Test } from 'tap';
import type { ConfigSource } from '../../services/config-source/config-source.js';
import type { Row, Warehouse } from '../../services/warehouse/warehouse.js';
import { createConfigSource, createWarehouse } from '../../src/adapters.js';
import { buildApp, type App, type BuildAppOptions } from '../../src/app.js';
import { loadSettings, type Settings } from '../../src/settings.js';

export { endlessMetric, PARTITION_INFO, RECON, RUN_DATE, TARGET } from './fixtures.js';
export type { ErrorResponse } from '../../routes/http-errors.js';
export type { RunDocument } from '../../services/runs/run-document.js';
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
}

/**
 * The real app from buildApp on a real DuckDB warehouse in a temporary
 * directory, closed (and so drained) when the test ends.
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

  return { app, warehouse, settings, dir, writeConfig, runBody, reconRows };
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
