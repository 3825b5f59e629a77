import { createConfigSource, createWarehouse } from '../src/adapters.js';
import { loadSettings } from '../src/settings.js';
import { RECON_COLUMNS } from '../services/pipeline/recon-rows.js';
import { TARGET_COLUMNS } from '../services/pipeline/target-rows.js';
import { parseTableRef } from '../services/table-ref.js';
import { startFakeBigQuery, type FakeBigQuery } from '../test/support/fake-bigquery/fake-bigquery-server.js';
import { jobCensus } from '../test/support/fake-bigquery/job-census.js';
import { startFakeGcs, type FakeGcs } from '../test/support/fake-gcs/fake-gcs-server.js';
import { exitNote } from './duckdb-bench.js';
import { figure, median, repeat } from './measure.js';
import { benchMetrics } from './metric-configs.js';
import { cliFlags, measureCliRun, type BenchRunParameters, type CliRunFigures } from './peak-rss.js';
import { silentLogger, timeRun } from './pipeline-runs.js';

export interface BigQueryBenchOptions {
  rounds: number;
  /** Metrics of the efficiency runs. */
  metrics: number;
  /** How long each metric query job runs on the local server. */
  latencyMs: number;
  rssSizes: number[];
}

const PROJECT = 'bench-proj';
const SOURCE_TABLES = 10;
const RUN_DATE = '2024-01-15';
const PARTITION_INFO = `${PROJECT}.ops.partition_info`;
const TARGET = `${PROJECT}.metrics.out`;
const BUCKET = 'bench-configs';

const parametersFor = (object: string): BenchRunParameters => ({
  gcs_path: `gs://${BUCKET}/${object}`,
  run_date: RUN_DATE,
  partition_info_table: PARTITION_INFO,
  recon_table: `${PROJECT}.audit.recon`,
});

/** Metric i counts the latest partition of source table i mod 10: ten {partition_info} lookups' worth. */
const sourceSql = (i: number) =>
  'SELECT COUNT(*) AS metric_output, COUNT(*) AS numerator_value, 1 AS denominator_value, ' +
  `'{currently}' AS business_data_date FROM \`${PROJECT}.sales.tx_${i % SOURCE_TABLES}\` WHERE d = {partition_info}`;

/**
 * BigQuery mode: the real clients (in process, and the real CLI in a child
 * process) against the local BigQuery and Cloud Storage servers, where each
 * metric query job takes `latencyMs`.
 */
export async function bigQueryFigures(options: BigQueryBenchOptions, print: (line: string) => void): Promise<void> {
  const latency = { ms: 0 };
  const fake = await startFakeBigQuery({ jobLatency: (configuration) => (configuration.labels?.['metric_id'] ? latency.ms : 0) });
  const gcs = await startFakeGcs();
  try {
    await seedTables(fake);
    const env = {
      METRICS_WAREHOUSE: 'bigquery',
      GOOGLE_CLOUD_PROJECT: PROJECT,
      BIGQUERY_EMULATOR_HOST: fake.url,
      STORAGE_EMULATOR_HOST: gcs.url,
    };
    const servers = { fake, gcs, env };
    latency.ms = options.latencyMs;
    await efficiencyFigures(options, servers, print);
    latency.ms = 0;
    await rssFigures(options, servers, print);
  } finally {
    await gcs.close();
    await fake.close();
  }
}

/** The local servers and the environment that points the service at them. */
interface LocalServers {
  fake: FakeBigQuery;
  gcs: FakeGcs;
  env: Record<string, string>;
}

async function efficiencyFigures(options: BigQueryBenchOptions, { fake, gcs, env }: LocalServers, print: (line: string) => void): Promise<void> {
  const { metrics: count, latencyMs, rounds } = options;
  gcs.put(BUCKET, 'efficiency.json', JSON.stringify(benchMetrics(count, sourceSql, () => TARGET)));
  print(`  efficiency = ideal ⌈N/c⌉·latency ÷ wall; ${count} metrics, ${latencyMs} ms per metric query job, one target table:`);
  for (const concurrency of [8, 50]) {
    // Job slots at least the metric concurrency, so the figure is the pipeline's and not the job cap's.
    const settings = loadSettings({ ...env, METRICS_BIGQUERY_MAX_JOBS: String(Math.max(16, concurrency)) });
    const warehouse = await createWarehouse(settings, silentLogger);
    const adapters = { warehouse, configSource: createConfigSource(settings) };
    try {
      const jobs = await countJobs(fake, () => timeRun(adapters, parametersFor('efficiency.json'), concurrency));
      const walls = await repeat(rounds, () => timeRun(adapters, parametersFor('efficiency.json'), concurrency));
      const ideal = Math.ceil(count / concurrency) * latencyMs;
      // Every metric here waits for the run's one partition lookup, itself a job of the same latency.
      const withLookup = ideal + latencyMs;
      const efficiency = (ideal / median(walls)).toFixed(2);
      print(`    c=${concurrency}: ideal ${ideal} ms, wall ${figure(walls, 'ms')}; efficiency ${efficiency} (${(withLookup / median(walls)).toFixed(2)} counting the lookup job)`);
      if (concurrency === 8) print(`  jobs per run of ${count} metrics over ${SOURCE_TABLES} source tables: ${jobs}`);
    } finally {
      await warehouse.close();
    }
  }
}

async function rssFigures(options: BigQueryBenchOptions, { fake, gcs, env }: LocalServers, print: (line: string) => void): Promise<void> {
  for (const size of options.rssSizes) {
    const object = `rss-${size}.json`;
    gcs.put(BUCKET, object, JSON.stringify(benchMetrics(size, sourceSql, () => TARGET)));
    const runs: CliRunFigures[] = [];
    let jobs = '';
    for (let round = 0; round < options.rounds; round++) {
      jobs = await countJobs(fake, async () => runs.push(await measureCliRun(cliFlags(parametersFor(object)), env)));
    }
    const label = `  peak RSS, CLI run of ${size.toLocaleString('en')} metrics (default settings, gs:// config, one target table)`;
    print(`${label}: ${figure(runs.map((run) => run.peakRssMb), 'MB')}${exitNote(runs)}`);
    print(`    jobs per run: ${jobs}`);
  }
}

/** Runs `work` and describes the jobs it made on the local server, by kind. */
async function countJobs(fake: FakeBigQuery, work: () => Promise<unknown>): Promise<string> {
  const before = fake.jobs.records.size;
  const dryRunsBefore = fake.faults.count('jobs.dryRun');
  await work();
  const jobs = jobCensus([...fake.jobs.records.values()].slice(before), PARTITION_INFO);
  const dryRuns = fake.faults.count('jobs.dryRun') - dryRunsBefore;
  return `${jobs.queries} metric queries, ${jobs.lookups} partition lookups, ${jobs.writes} writes (${dryRuns} dry runs besides)`;
}

async function seedTables(fake: FakeBigQuery): Promise<void> {
  for (const dataset of ['sales', 'ops', 'metrics', 'audit']) await fake.engine.ensureDataset(PROJECT, dataset);
  const run = (sql: string) => fake.engine.execute(sql, [], PROJECT);
  await run(`CREATE TABLE \`${PARTITION_INFO}\` (project_dataset STRING, table_name STRING, partition_dt DATE)`);
  for (let i = 0; i < SOURCE_TABLES; i++) {
    await run(`CREATE TABLE \`${PROJECT}.sales.tx_${i}\` (d DATE, amount NUMERIC)`);
    await run(`INSERT INTO \`${PROJECT}.sales.tx_${i}\` VALUES (DATE '2024-01-14', NUMERIC '1.5'), (DATE '2024-01-13', NUMERIC '2')`);
    await run(`INSERT INTO \`${PARTITION_INFO}\` VALUES ('sales', 'tx_${i}', DATE '2024-01-14')`);
  }
  await fake.engine.createTable(parseTableRef(TARGET), TARGET_COLUMNS);
  await fake.engine.createTable(parseTableRef(`${PROJECT}.audit.recon`), RECON_COLUMNS);
}
