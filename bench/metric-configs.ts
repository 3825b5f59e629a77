import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The bench's metrics all belong to this dependency group. */
export const BENCH_DEPENDENCY = 'bench';

/** `count` metric definitions; metric i runs `sqlOf(i)` and writes to `targetOf(i)`. */
export function benchMetrics(count: number, sqlOf: (i: number) => string, targetOf: (i: number) => string) {
  return Array.from({ length: count }, (_, i) => ({
    metric_id: `bench_metric_${i}`,
    metric_name: `Bench metric #${i}`,
    metric_type: 'count',
    sql: sqlOf(i),
    dependency: BENCH_DEPENDENCY,
    target_table: targetOf(i),
  }));
}

/** The demo config's SQL (examples/demo-metrics.json) in turn, without its deliberate failure. */
export function demoSql(): (i: number) => string {
  const demo = JSON.parse(readFileSync(new URL('../../examples/demo-metrics.json', import.meta.url), 'utf8')) as Array<{ metric_id: string; sql: string }>;
  const templates = demo.filter((metric) => metric.metric_id !== 'refund_rate').map((metric) => metric.sql);
  return (i) => templates[i % templates.length] as string;
}

/** A metric that reads nothing: what is left of its time is the pipeline's own overhead. */
export const TRIVIAL_SQL = "SELECT 1 AS metric_output, 1 AS numerator_value, 1 AS denominator_value, '{currently}' AS business_data_date";

export function writeConfig(dir: string, name: string, metrics: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(metrics));
  return path;
}
