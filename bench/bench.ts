import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bigQueryFigures } from './bigquery-bench.js';
import { duckDbFigures } from './duckdb-bench.js';
import { figure, median } from './measure.js';
import { helpMs, startToReadyMs, type EntryBuild } from './startup.js';

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
    print('Start-up, embedded mode (the real entry points, dist/bundle, default settings; unbundled: the dist/src they are made from):');
    const ready = await bothBuilds((build) => startToReadyMs(build, join(dir, 'startup-warehouse')));
    print(`  start to /readyz 200: ${figure(ready.bundle, 'ms')}`);
    print(`    unbundled:          ${figure(ready.src, 'ms')}   bundled/unbundled ${ratio(ready)}`);
    const help = await bothBuilds(helpMs);
    print(`  cli --help:           ${figure(help.bundle, 'ms')}`);
    print(`    unbundled:          ${figure(help.src, 'ms')}   bundled/unbundled ${ratio(help)}`);
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

/** Each round measures the bundled entry point, then the unbundled one, so a noisy moment of the machine hits both. */
async function bothBuilds(measure: (build: EntryBuild) => Promise<number>): Promise<Record<EntryBuild, number[]>> {
  const figures: Record<EntryBuild, number[]> = { bundle: [], src: [] };
  for (let round = 0; round < rounds; round++) {
    figures.bundle.push(await measure('bundle'));
    figures.src.push(await measure('src'));
  }
  return figures;
}

function ratio(figures: Record<EntryBuild, number[]>): string {
  return (median(figures.bundle) / median(figures.src)).toFixed(2);
}
