import type { Logger } from 'pino';
import type { ConfigSource } from '../services/config-source/config-source.js';
import { createLocalFileConfigSource } from '../services/config-source/local-file-config-source.js';
import { routeConfigSources } from '../services/config-source/route-config-sources.js';
import type { PipelineSettings } from '../services/pipeline/pipeline-dependencies.js';
import type { Warehouse } from '../services/warehouse/warehouse.js';
import type { Settings } from './settings.js';

/**
 * The warehouse the settings name: embedded DuckDB by default, BigQuery in
 * production. Each is imported only when chosen: the Google client libraries
 * take longer to load than the rest of the service, and DuckDB's native
 * binding is no use to a BigQuery instance (or to `--help`).
 */
export async function createWarehouse(settings: Settings, logger: Logger): Promise<Warehouse> {
  logger.debug({ warehouse: settings.METRICS_WAREHOUSE }, 'opening warehouse');
  if (settings.METRICS_WAREHOUSE === 'duckdb') {
    const { createDuckDbWarehouse } = await import('../services/warehouse/duckdb/duckdb-warehouse.js');
    return createDuckDbWarehouse({
      directory: settings.METRICS_DUCKDB_DIR,
      connections: settings.METRICS_DUCKDB_CONNECTIONS,
      createProjects: settings.METRICS_DUCKDB_CREATE_PROJECTS,
      logger,
    });
  }
  const [{ createBigQueryClient }, { BigQueryWarehouse }] = await Promise.all([
    import('../services/warehouse/bigquery/bigquery-client.js'),
    import('../services/warehouse/bigquery/bigquery-warehouse.js'),
  ]);
  const client = createBigQueryClient({
    location: settings.METRICS_BIGQUERY_LOCATION,
    ...(settings.GOOGLE_CLOUD_PROJECT ? { projectId: settings.GOOGLE_CLOUD_PROJECT } : {}),
    ...(settings.BIGQUERY_EMULATOR_HOST ? { emulatorHost: settings.BIGQUERY_EMULATOR_HOST } : {}),
  });
  return new BigQueryWarehouse({
    client,
    location: settings.METRICS_BIGQUERY_LOCATION,
    maxConcurrentJobs: settings.METRICS_BIGQUERY_MAX_JOBS,
    writeTimeoutMs: settings.METRICS_QUERY_TIMEOUT_MS,
    retry: retryPolicy(settings),
  });
}

/**
 * gs:// paths from Cloud Storage, local paths from disk; whether local paths
 * are allowed at all is the run parameters' policy, checked before any read.
 * The Cloud Storage client is loaded and made at the first gs:// read.
 */
export function createConfigSource(settings: Settings): ConfigSource {
  let gcs: Promise<ConfigSource> | undefined;
  const openGcs = async (): Promise<ConfigSource> => {
    const { createGcsConfigSource, createStorageClient } = await import('../services/config-source/gcs-config-source.js');
    const storage = createStorageClient({
      retry: retryPolicy(settings),
      ...(settings.GOOGLE_CLOUD_PROJECT ? { projectId: settings.GOOGLE_CLOUD_PROJECT } : {}),
      ...(settings.STORAGE_EMULATOR_HOST ? { emulatorHost: settings.STORAGE_EMULATOR_HOST } : {}),
    });
    return createGcsConfigSource({ storage, maxBytes: settings.METRICS_CONFIG_MAX_BYTES });
  };
  return routeConfigSources({
    gcs: { read: async (path) => (await (gcs ??= openGcs())).read(path) },
    local: createLocalFileConfigSource({ maxBytes: settings.METRICS_CONFIG_MAX_BYTES }),
  });
}

export function pipelineSettings(settings: Settings): PipelineSettings {
  const cap = settings.METRICS_MAX_BYTES_BILLED;
  return {
    queryTimeoutMs: settings.METRICS_QUERY_TIMEOUT_MS,
    metricConcurrency: settings.METRICS_METRIC_CONCURRENCY,
    ...(cap !== undefined ? { maxBytesBilled: String(cap) } : {}),
  };
}

function retryPolicy(settings: Settings) {
  return {
    maxAttempts: settings.METRICS_RETRY_MAX_ATTEMPTS,
    baseDelayMs: settings.METRICS_RETRY_BASE_DELAY_MS,
    maxDelayMs: settings.METRICS_RETRY_MAX_DELAY_MS,
  };
}
