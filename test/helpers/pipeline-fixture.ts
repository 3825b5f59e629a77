import type { Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { configWriter } from './config-files.js';
import { pino } from 'pino';
import type { PipelineSettings } from '../../services/pipeline/pipeline-dependencies.js';
import { createLocalFileConfigSource } from '../../services/config-source/local-file-config-source.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import type { RunParameters } from '../../services/pipeline/run-parameters.js';
import { parseTableRef } from '../../services/table-ref.js';
import { createDuckDbWarehouse } from '../../services/warehouse/duckdb/duckdb-warehouse.js';
import type { Column, Row } from '../../services/warehouse/warehouse.js';

export const RUN_DATE = '2024-01-15';
export const TARGET = 'proj-a.metrics.out';
export const RECON = 'proj-a.audit.recon';
export const PARTITION_INFO = 'proj-a.ops.partition_info';

/** A metric definition as a config file holds it; the fields tests care about are overridable. */
export function metric(metric_id: string, sql: string, overrides: Record<string, unknown> = {}) {
  return { metric_id, metric_name: `Metric ${metric_id}`, metric_type: 'count', sql, dependency: 'daily', target_table: TARGET, ...overrides };
}

/** The canonical result row of a metric SQL, with the given values. */
export function resultSql(output: string, numerator = output, denominator = '1', date = `'${RUN_DATE}'`): string {
  return `SELECT ${output} AS metric_output, ${numerator} AS numerator_value, ${denominator} AS denominator_value, ${date} AS business_data_date`;
}

/**
 * A real DuckDB warehouse in a temporary directory, a config writer, the
 * pipeline run with test-sized settings, and readers for what landed.
 */
export async function pipelineFixture(t: Test, settings: Partial<PipelineSettings> = {}) {
  const dir = t.testdir();
  const warehouse = await createDuckDbWarehouse({ directory: join(dir, 'warehouse'), connections: 4 });
  t.teardown(() => warehouse.close());
  const writeConfig = configWriter(dir);

  const run = (gcsPath: string, parameters: Partial<RunParameters> = {}, control: { signal?: AbortSignal } = {}) =>
    runPipeline(
      {
        gcs_path: gcsPath,
        run_date: RUN_DATE,
        dependencies: ['daily'],
        partition_info_table: PARTITION_INFO,
        env: 'DEV',
        recon_table: RECON,
        ...parameters,
      },
      {
        warehouse,
        configSource: createLocalFileConfigSource({ maxBytes: 1024 * 1024 }),
        logger: pino({ level: 'silent' }),
        settings: { queryTimeoutMs: 30_000, metricConcurrency: 4, ...settings },
      },
      { runId: randomUUID(), ...control },
    );

  const seedTable = async (name: string, columns: Column[], rows: Row[]) => {
    await warehouse.createTable(parseTableRef(name), columns);
    if (rows.length > 0) await warehouse.appendRows(parseTableRef(name), columns, rows);
  };

  const rows = async (table: string, orderBy = '1'): Promise<Row[]> =>
    (await warehouse.query({ sql: `SELECT * FROM \`${table}\` ORDER BY ${orderBy}`, timeoutMs: 30_000 })).rows;

  const seedPartitionInfo = (entries: [dataset: string, table: string, date: string][]) =>
    seedTable(
      PARTITION_INFO,
      [
        { name: 'project_dataset', type: 'STRING' },
        { name: 'table_name', type: 'STRING' },
        { name: 'partition_dt', type: 'DATE' },
      ],
      entries.map(([project_dataset, table_name, partition_dt]) => ({ project_dataset, table_name, partition_dt })),
    );

  return { dir, warehouse, writeConfig, run, rows, seedTable, seedPartitionInfo };
}
