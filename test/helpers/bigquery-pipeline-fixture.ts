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
import { jobCensus } from '../support/fake-bigquery/job-census.js';
import { configWriter, PARTITION_INFO, RECON, runParameters } from './fixtures.js';

export { metric, RECON, resultSql, RUN_DATE, TARGET } from './fixtures.js';

const PROJECT = 'proj-a';

export interface BigQueryPipelineOptions {
  /** Target tables to create (BigQuery creates none). */
  targets?: string[];
  settings?: Partial<PipelineSettings>;
}

/**
 * The pipeline through the real BigQuery client against the local BigQuery
 * server: the fixtures' datasets (sales, ops, metrics, audit), the recon
 * table and the given targets, BigQuery SQL for seeding, config files on
 * disk, runs and dry runs, and the jobs the runs made by kind.
 */
export async function bigQueryPipelineFixture(t: Test, options: BigQueryPipelineOptions = {}) {
  const { fake, warehouse, close } = await openBigQueryHarness({ maxConcurrentJobs: 16 });
  t.teardown(close);
  for (const dataset of ['sales', 'ops', 'metrics', 'audit']) await fake.engine.ensureDataset(PROJECT, dataset);
  await fake.engine.createTable(parseTableRef(RECON), RECON_COLUMNS);
  const createTarget = (name: string) => fake.engine.createTable(parseTableRef(name), TARGET_COLUMNS);
  for (const target of options.targets ?? []) await createTarget(target);

  const dependencies: PipelineDependencies = {
    warehouse,
    configSource: createLocalFileConfigSource({ maxBytes: 50 * 1024 * 1024 }),
    logger: pino({ level: 'silent' }),
    settings: { queryTimeoutMs: 60_000, metricConcurrency: 8, ...options.settings },
  };
  const run = (gcsPath: string, parameters: Partial<RunParameters> = {}) =>
    runPipeline(runParameters(gcsPath, parameters), dependencies, { runId: randomUUID() });
  const dryRun = (gcsPath: string, parameters: Partial<RunParameters> = {}) =>
    dryRunPipeline(runParameters(gcsPath, parameters), dependencies, { runId: randomUUID() });
  const sql = async (statement: string) => (await fake.engine.execute(statement, [], PROJECT)).rows;
  const rows = async (table: string, orderBy = '1'): Promise<Row[]> => sql(`SELECT * FROM \`${table}\` ORDER BY ${orderBy}`);
  const jobs = () => jobCensus(fake.jobs.records.values(), PARTITION_INFO);
  return { fake, warehouse, dependencies, sql, createTarget, writeConfig: configWriter(t.testdir()), run, dryRun, rows, jobs };
}
