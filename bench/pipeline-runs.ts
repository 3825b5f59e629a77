import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { ConfigSource } from '../services/config-source/config-source.js';
import { runPipeline } from '../services/pipeline/run-pipeline.js';
import type { Warehouse } from '../services/warehouse/warehouse.js';
import { wallMs } from './measure.js';
import { BENCH_DEPENDENCY } from './metric-configs.js';
import type { BenchRunParameters } from './peak-rss.js';

export const silentLogger = pino({ level: 'silent' });

/** Wall time of one in-process run at metric concurrency `concurrency`; a run that does not succeed stops the bench. */
export async function timeRun(
  adapters: { warehouse: Warehouse; configSource: ConfigSource },
  parameters: BenchRunParameters,
  concurrency: number,
): Promise<number> {
  let status = '';
  const ms = await wallMs(async () => {
    const result = await runPipeline(
      { ...parameters, dependencies: [BENCH_DEPENDENCY], env: 'DEV' },
      { ...adapters, logger: silentLogger, settings: { queryTimeoutMs: 180_000, metricConcurrency: concurrency } },
      { runId: randomUUID() },
    );
    const failed = result.run_failure ?? result.metrics.find((metric) => metric.status === 'Failed');
    status = failed ? `${result.status}: ${JSON.stringify(failed)}` : result.status;
  });
  if (status !== 'succeeded') throw new Error(`bench run ${status}`);
  return ms;
}
