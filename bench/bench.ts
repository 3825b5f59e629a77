import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bigQueryFigures } from './bigquery-bench.js';
import { duckDbFigures } from './duckdb-bench.js';
import { figure, repeat } from './measure.js';
import { helpMs, startToReadyMs } from './startup.js';

/**
 * Every figure of the service's performance targets in one command (README.md, "Benchmarks"):
 *   npm run bench -- [--rounds 3] [--metrics 200] [--latency-ms 1000] [--rss-sizes 1000,10000] [--only startup,duckdb,bigquery]
 */
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    metrics: { type: 'string', default: '200' },
    'latency-ms': { type: 'string', default: '1000' },
    'rss-sizes': { type: 'string', default: '1000,10000' },
    only: { type: 'string', default: 'startup,duckdb,bigquery' },
  },
});
const positive = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
  return value;
};
const rounds = positive('rounds', values.rounds);
const metrics = positive('metrics', values.metrics);
const latencyMs = positive('latency-ms', values['latency-ms']);
const rssSizes = values['rss-sizes'].split(',').map((size) => positive('rss-sizes', size));
const sections = new Set(values.only.split(','));

const dir = mkdtempSync(join(tmpdir(), 'metrics-bench-'));
const print = (line: string) => console.log(line);
print(`Metrics pipeline bench: Node ${process.version}, medians of ${rounds} runs`);
try {
  if (sections.has('startup')) {
    print('Start-up, embedded mode (the real entry points, default settings):');
    print(`  start to /readyz 200: ${figure(await repeat(rounds, () => startToReadyMs(join(dir, 'startup-warehouse'))), 'ms')}`);
    print(`  cli --help:           ${figure(await repeat(rounds, helpMs), 'ms')}`);
  }
  if (sections.has('duckdb')) {
    print('DuckDB mode (embedded):');
    await duckDbFigures({ dir, rounds, metrics, rssSizes }, print);
  }
  if (sections.has('bigquery')) {
    print('BigQuery mode (local BigQuery and Cloud Storage servers):');
    await bigQueryFigures({ rounds, metrics, latencyMs, rssSizes }, print);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
