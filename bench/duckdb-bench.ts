import { join } from 'node:path';
import { createConfigSource, createWarehouse } from '../src/adapters.js';
import { buildDemoWarehouse, DEMO_PARTITION_INFO_TABLE, DEMO_RUN_DATE } from '../src/demo/demo-warehouse.js';
import { loadSettings } from '../src/settings.js';
import { figure, median, repeat } from './measure.js';
import { benchMetrics, demoSql, TRIVIAL_SQL, writeConfig } from './metric-configs.js';
import { cliFlags, measureCliRun, type CliRunFigures } from './peak-rss.js';
import { silentLogger, timeRun } from './pipeline-runs.js';

export interface DuckDbBenchOptions {
  dir: string;
  rounds: number;
  /** Metrics of the concurrency runs. */
  metrics: number;
  /** Sizes of the peak-RSS runs. */
  rssSizes: number[];
}

const parametersFor = (gcsPath: string) => ({
  gcs_path: gcsPath,
  run_date: DEMO_RUN_DATE,
  partition_info_table: DEMO_PARTITION_INFO_TABLE,
  recon_table: 'analytics.audit.bench_recon',
});

/**
 * Embedded mode on the demo warehouse: wall time at metric concurrency 1 and
 * 8, the pipeline's own cost per metric, and the CLI's peak RSS.
 */
export async function duckDbFigures(options: DuckDbBenchOptions, print: (line: string) => void): Promise<void> {
  const warehouseDir = join(options.dir, 'duckdb-warehouse');
  // The bench builds its own demo warehouse, so project files may be created.
  const env = { METRICS_DUCKDB_DIR: warehouseDir, METRICS_DUCKDB_CREATE_PROJECTS: 'true' };
  const settings = loadSettings(env);
  const warehouse = await createWarehouse(settings, silentLogger);
  const adapters = { warehouse, configSource: createConfigSource(settings) };
  try {
    await buildDemoWarehouse(warehouse);
    const demo = demoSql();
    const spread = writeConfig(options.dir, 'duckdb-demo.json', benchMetrics(options.metrics, demo, (i) => `analytics.bench.metrics_${i % 4}`));
    await timeRun(adapters, parametersFor(spread), 8);
    const serial = await repeat(options.rounds, () => timeRun(adapters, parametersFor(spread), 1));
    const parallel = await repeat(options.rounds, () => timeRun(adapters, parametersFor(spread), 8));
    print(`  ${options.metrics} demo metrics (4 target tables), wall time per run:`);
    print(`    concurrency 1: ${figure(serial, 'ms')}`);
    print(`    concurrency 8: ${figure(parallel, 'ms')}`);
    print(`    speed-up 8 vs 1: ${(median(serial) / median(parallel)).toFixed(2)}x`);

    const one = writeConfig(options.dir, 'duckdb-trivial-1.json', benchMetrics(1, () => TRIVIAL_SQL, () => 'analytics.bench.trivial'));
    const many = writeConfig(options.dir, 'duckdb-trivial-1000.json', benchMetrics(1000, () => TRIVIAL_SQL, () => 'analytics.bench.trivial'));
    const single = await repeat(options.rounds, () => timeRun(adapters, parametersFor(one), 8));
    const thousand = await repeat(options.rounds, () => timeRun(adapters, parametersFor(many), 8));
    const perMetric = (median(thousand) - median(single)) / 999;
    print(`  per-metric overhead (SQL reading nothing, concurrency 8): ${perMetric.toFixed(2)} ms per metric`);
    print(`    = (run of 1,000: ${figure(thousand, 'ms')}  -  run of 1: ${median(single).toFixed(0)} ms) / 999`);
  } finally {
    await warehouse.close();
  }

  for (const size of options.rssSizes) {
    const config = writeConfig(options.dir, `duckdb-rss-${size}.json`, benchMetrics(size, demoSql(), () => 'analytics.bench.rss'));
    const runs: CliRunFigures[] = [];
    for (let round = 0; round < options.rounds; round++) runs.push(await measureCliRun(cliFlags(parametersFor(config)), env));
    print(`  peak RSS, CLI run of ${size.toLocaleString('en')} demo metrics (one target table): ${figure(runs.map((run) => run.peakRssMb), 'MB')}${exitNote(runs)}`);
  }
}

/** The exit codes of the measured runs, when any is not 0. */
export function exitNote(runs: Array<{ exitCode: number | null; runFailure?: string }>): string {
  const failed = runs.find((run) => run.exitCode !== 0);
  if (failed === undefined) return '';
  return `   [exit ${failed.exitCode}${failed.runFailure ? `: ${failed.runFailure}` : ''}]`;
}
