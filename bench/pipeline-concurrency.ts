import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { createLocalFileConfigSource } from '../services/config-source/local-file-config-source.js';
import { runPipeline } from '../services/pipeline/run-pipeline.js';
import { createDuckDbWarehouse } from '../services/warehouse/duckdb/duckdb-warehouse.js';
import { buildDemoWarehouse, DEMO_PARTITION_INFO_TABLE, DEMO_RUN_DATE } from '../src/demo/demo-warehouse.js';

/**
 * Wall time of one run of N metrics on the demo warehouse at metric
 * concurrency 1 versus 8, alternating, median of several rounds.
 * Usage: npm run bench -- [metrics=200] [rounds=5]
 */
const metricCount = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'metrics-bench-'));

const templates = (JSON.parse(readFileSync(resolve('examples/demo-metrics.json'), 'utf8')) as { metric_id: string; sql: string }[])
  .filter((metric) => metric.metric_id !== 'refund_rate');
const metrics = Array.from({ length: metricCount }, (_, i) => {
  const template = templates[i % templates.length] as { metric_id: string; sql: string };
  return {
    metric_id: `${template.metric_id}_${i}`,
    metric_name: `${template.metric_id} #${i}`,
    metric_type: 'count',
    sql: template.sql,
    dependency: 'bench',
    target_table: `analytics.bench.metrics_${i % 4}`,
  };
});
const configPath = join(dir, 'bench-metrics.json');
writeFileSync(configPath, JSON.stringify(metrics));

const warehouse = await createDuckDbWarehouse({ directory: join(dir, 'warehouse'), connections: 8, createProjects: true });
await buildDemoWarehouse(warehouse);

async function timeRun(concurrency: number): Promise<number> {
  const started = process.hrtime.bigint();
  const result = await runPipeline(
    {
      gcs_path: configPath,
      run_date: DEMO_RUN_DATE,
      dependencies: ['bench'],
      partition_info_table: DEMO_PARTITION_INFO_TABLE,
      env: 'DEV',
      recon_table: 'analytics.audit.bench_recon',
    },
    {
      warehouse,
      configSource: createLocalFileConfigSource({ maxBytes: 50 * 1024 * 1024 }),
      logger: pino({ level: 'silent' }),
      settings: { queryTimeoutMs: 180_000, metricConcurrency: concurrency },
    },
    { runId: randomUUID() },
  );
  if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${JSON.stringify(result.metrics.find((m) => m.status === 'Failed'))}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
await timeRun(8);
const times: Record<number, number[]> = { 1: [], 8: [] };
for (let round = 0; round < rounds; round++) {
  for (const concurrency of [1, 8]) times[concurrency]?.push(await timeRun(concurrency));
}
await warehouse.close();
rmSync(dir, { recursive: true, force: true });

const [serial, parallel] = [median(times[1] ?? []), median(times[8] ?? [])];
console.log(`${metricCount} metrics on the demo warehouse, ${rounds} rounds (median wall time per run):`);
console.log(`  concurrency 1: ${serial.toFixed(0)} ms   (runs: ${times[1]?.map((v) => v.toFixed(0)).join(', ')})`);
console.log(`  concurrency 8: ${parallel.toFixed(0)} ms   (runs: ${times[8]?.map((v) => v.toFixed(0)).join(', ')})`);
console.log(`  speed-up 8 vs 1: ${(serial / parallel).toFixed(2)}x`);
