import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Test } from 'tap';
import { createLocalFileConfigSource } from '../../services/config-source/local-file-config-source.js';
import { dryRunPipeline } from '../../services/pipeline/dry-run.js';
import type { PipelineDependencies, PipelineSettings } from '../../services/pipeline/pipeline-dependencies.js';
import { RECON_COLUMNS } from '../../services/pipeline/recon-rows.js';
import type { RunParameters } from '../../services/pipeline/run-parameters.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import { TARGET_COLUMNS } from '../../services/pipeline/target-rows.js';
import { parseTableRef } from '../../services/table-ref.js';
import type { Row } from '../../services/warehouse/warehouse.js';
import { openBigQueryHarness } from '../support/fake-bigquery/bigquery-harness.js';
import { configWriter, RECON, runParameters } from './fixtures.js';

export { metric, RECON, resultSql, RUN_DATE, TARGET } from './fixtures.js';

/**
 * The pipeline on the real BigQuery adapter against the local BigQuery
 * server: the recon table and the given target tables exist (BigQuery
 * creates none), configs are local files.
 */
export async function bigQueryPipelineFixture(t: Test, targets: string[], settings: Partial<PipelineSettings> = {}) {
  const dir = t.testdir();
  const harness = await openBigQueryHarness();
  t.teardown(harness.close);
  const { fake, warehouse } = harness;
  for (const [table, columns] of [[RECON, RECON_COLUMNS], ...targets.map((target) => [target, TARGET_COLUMNS] as const)] as const) {
    const ref = parseTableRef(table);
    await fake.engine.ensureDataset(ref.project, ref.dataset);
    await fake.engine.createTable(ref, columns);
  }
  const dependencies: PipelineDependencies = {
    warehouse,
    configSource: createLocalFileConfigSource({ maxBytes: 1024 * 1024 }),
    logger: pino({ level: 'silent' }),
    settings: { queryTimeoutMs: 10_000, metricConcurrency: 4, ...settings },
  };
  const run = (gcsPath: string, parameters: Partial<RunParameters> = {}) =>
    runPipeline(runParameters(gcsPath, parameters), dependencies, { runId: randomUUID() });
  const dryRun = (gcsPath: string, parameters: Partial<RunParameters> = {}) =>
    dryRunPipeline(runParameters(gcsPath, parameters), dependencies, { runId: randomUUID() });
  const rows = async (table: string, orderBy = '1'): Promise<Row[]> =>
    (await fake.engine.execute(`SELECT * FROM \`${table}\` ORDER BY ${orderBy}`, [], parseTableRef(table).project)).rows;
  return { fake, warehouse, dependencies, writeConfig: configWriter(dir), run, dryRun, rows };
}
