import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Test } from 'tap';
import { createLocalFileConfigSource } from '../../services/config-source/local-file-config-source.js';
import type { PipelineSettings } from '../../services/pipeline/pipeline-dependencies.js';
import { RECON_COLUMNS } from '../../services/pipeline/recon-rows.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import { TARGET_COLUMNS } from '../../services/pipeline/target-rows.js';
import { parseTableRef } from '../../services/table-ref.js';
import { openBigQueryHarness } from '../support/fake-bigquery/bigquery-harness.js';
import { jobCensus } from '../support/fake-bigquery/job-census.js';
import { configWriter, PARTITION_INFO, RECON, runParameters } from './fixtures.js';

const PROJECT = 'proj-a';

/**
 * The pipeline through the real BigQuery client against the local BigQuery
 * server: the fixtures' datasets (sales, ops, metrics, audit) and recon
 * table, BigQuery SQL for seeding, config files on disk, the run, and the jobs
 * the run made by kind.
 */
export async function bigQueryPipelineFixture(t: Test, settings: Partial<PipelineSettings> = {}) {
  const { fake, warehouse, close } = await openBigQueryHarness({ maxConcurrentJobs: 16 });
  t.teardown(close);
  for (const dataset of ['sales', 'ops', 'metrics', 'audit']) await fake.engine.ensureDataset(PROJECT, dataset);
  await fake.engine.createTable(parseTableRef(RECON), RECON_COLUMNS);

  const sql = async (statement: string) => (await fake.engine.execute(statement, [], PROJECT)).rows;
  const createTarget = (name: string) => fake.engine.createTable(parseTableRef(name), TARGET_COLUMNS);
  const run = (gcsPath: string) =>
    runPipeline(
      runParameters(gcsPath),
      {
        warehouse,
        configSource: createLocalFileConfigSource({ maxBytes: 50 * 1024 * 1024 }),
        logger: pino({ level: 'silent' }),
        settings: { queryTimeoutMs: 60_000, metricConcurrency: 8, ...settings },
      },
      { runId: randomUUID() },
    );
  const jobs = () => jobCensus(fake.jobs.records.values(), PARTITION_INFO);
  return { fake, sql, createTarget, writeConfig: configWriter(t.testdir()), run, jobs };
}
