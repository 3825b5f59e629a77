import { join } from 'node:path';
import { configWriter } from './config-files.js';
import { pino } from 'pino';
import type { Test } from 'tap';
import type { ConfigSource } from '../../services/config-source/config-source.js';
import type { Row, Warehouse } from '../../services/warehouse/warehouse.js';
import { createConfigSource, createWarehouse } from '../../src/adapters.js';
import { buildApp, type App, type BuildAppOptions } from '../../src/app.js';
import { loadSettings, type Settings } from '../../src/settings.js';

export const RUN_DATE = '2024-01-15';
export const TARGET = 'proj-a.metrics.out';
export const RECON = 'proj-a.audit.recon';
export const PARTITION_INFO = 'proj-a.ops.partition_info';

/** A metric whose SQL returns at once with the given output. */
export function quickMetric(metric_id: string, output = '1') {
  return metricDefinition(metric_id, `SELECT ${output} AS metric_output, ${output} AS numerator_value, 1 AS denominator_value, '${RUN_DATE}' AS business_data_date`);
}

/** A metric whose SQL counts 10^12 rows: it runs until the run is interrupted. */
export function endlessMetric(metric_id: string) {
  return metricDefinition(
    metric_id,
    `SELECT count(*) AS metric_output, count(*) AS numerator_value, 1 AS denominator_value, '${RUN_DATE}' AS business_data_date
     FROM range(1000000) AS a CROSS JOIN range(1000000) AS b`,
  );
}

function metricDefinition(metric_id: string, sql: string) {
  return { metric_id, metric_name: `Metric ${metric_id}`, metric_type: 'count', sql, dependency: 'daily', target_table: TARGET };
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
  let opened: Warehouse | undefined;
  let built: App | undefined;
  // Registered before t.testdir(), so the app drains and the warehouse closes
  // before tap removes the directory (a draining run still writes there).
  t.teardown(async () => {
    await built?.close();
    await opened?.close();
  });
  const dir = t.testdir();
  const settings: Settings = {
    ...loadSettings({}),
    METRICS_DUCKDB_DIR: join(dir, 'warehouse'),
    METRICS_DUCKDB_CONNECTIONS: 4,
    METRICS_DEFAULT_RECON_TABLE: RECON,
    METRICS_SHUTDOWN_GRACE_MS: 100,
    LOG_LEVEL: 'silent',
    ...options.settings,
  };
  const logger = pino({ level: 'silent' });
  const warehouse = await createWarehouse(settings, logger);
  opened = warehouse;
  const realConfigSource = createConfigSource(settings);
  const configSource = options.configSource ? options.configSource(realConfigSource) : realConfigSource;
  const app = await buildApp({ settings, warehouse, configSource, logger, ...options.app });
  built = app;

  const writeConfig = configWriter(dir);

  /** Run parameters as POST /runs takes them. */
  const runBody = (gcsPath: string, overrides: Record<string, unknown> = {}) => ({
    gcs_path: gcsPath,
    run_date: RUN_DATE,
    dependencies: ['daily'],
    partition_info_table: PARTITION_INFO,
    env: 'DEV',
    recon_table: RECON,
    ...overrides,
  });

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
