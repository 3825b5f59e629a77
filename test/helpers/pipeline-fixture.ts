import type { Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { prepareProjects } from './duckdb-projects.js';
import { configWriter, PARTITION_INFO, runParameters } from './fixtures.js';
import { pino } from 'pino';
import type { PipelineSettings } from '../../services/pipeline/pipeline-dependencies.js';
import { createLocalFileConfigSource } from '../../services/config-source/local-file-config-source.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import type { RunParameters } from '../../services/pipeline/run-parameters.js';
import { parseTableRef } from '../../services/table-ref.js';
import { createDuckDbWarehouse } from '../../services/warehouse/duckdb/duckdb-warehouse.js';
import type { Column, Row } from '../../services/warehouse/warehouse.js';

export { metric, PARTITION_INFO, RECON, resultSql, RUN_DATE, TARGET } from './fixtures.js';

/**
 * A real DuckDB warehouse in a temporary directory, a config writer, the
 * pipeline run with test-sized settings, and readers for what landed. The
 * fixtures' project, proj-a, exists; `projects` adds or builds others before
 * the warehouse opens (prepareProjects), and no other project is created.
 */
export async function pipelineFixture(t: Test, settings: Partial<PipelineSettings> = {}, projects: Record<string, readonly string[]> = {}) {
  const dir = t.testdir();
  await prepareProjects(join(dir, 'warehouse'), { 'proj-a': [], ...projects });
  const warehouse = await createDuckDbWarehouse({ directory: join(dir, 'warehouse'), connections: 4 });
  t.teardown(() => warehouse.close());
  const writeConfig = configWriter(dir);

  const run = (gcsPath: string, parameters: Partial<RunParameters> = {}, control: { signal?: AbortSignal } = {}) =>
    runPipeline(
      runParameters(gcsPath, parameters),
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
