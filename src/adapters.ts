import type { Logger } from 'pino';
import type { ConfigSource } from '../services/config-source/config-source.js';
import { createLocalFileConfigSource } from '../services/config-source/local-file-config-source.js';
import { routeConfigSources } from '../services/config-source/route-config-sources.js';
import type { PipelineSettings } from '../services/pipeline/pipeline-dependencies.js';
import { createDuckDbWarehouse } from '../services/warehouse/duckdb/duckdb-warehouse.js';
import type { Warehouse } from '../services/warehouse/warehouse.js';
import type { Settings } from './settings.js';

/** The warehouse the settings name: embedded DuckDB by default, BigQuery in production. */
export async function createWarehouse(settings: Settings, logger: Logger): Promise<Warehouse> {
  logger.debug({ warehouse: settings.METRICS_WAREHOUSE }, 'opening warehouse');
  if (settings.METRICS_WAREHOUSE === 'bigquery') {
    throw new Error('METRICS_WAREHOUSE=bigquery is not wired yet');
  }
  return createDuckDbWarehouse({
    directory: settings.METRICS_DUCKDB_DIR,
    connections: settings.METRICS_DUCKDB_CONNECTIONS,
  });
}

/** gs:// paths from Cloud Storage; local paths from disk (allowed or not by the run parameters' policy). */
export function createConfigSource(settings: Settings): ConfigSource {
  return routeConfigSources({ local: createLocalFileConfigSource({ maxBytes: settings.METRICS_CONFIG_MAX_BYTES }) });
}

export function pipelineSettings(settings: Settings): PipelineSettings {
  return { queryTimeoutMs: settings.METRICS_QUERY_TIMEOUT_MS, metricConcurrency: settings.METRICS_METRIC_CONCURRENCY };
}
