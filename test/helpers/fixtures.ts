import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The vocabulary tests share: one run date, one project's tables, metric definitions and config files. */
export const RUN_DATE = '2024-01-15';
export const TARGET = 'proj-a.metrics.out';
export const RECON = 'proj-a.audit.recon';
export const PARTITION_INFO = 'proj-a.ops.partition_info';

/** A metric definition as a config file holds it; the fields tests care about are overridable. */
export function metric(metric_id: string, sql: string, overrides: Record<string, unknown> = {}) {
  return { metric_id, metric_name: `Metric ${metric_id}`, metric_type: 'count', sql, dependency: 'daily', target_table: TARGET, ...overrides };
}

/** The canonical result row of a metric SQL, with the given values. */
export function resultSql(output: string, numerator = output, denominator = '1', date = `'${RUN_DATE}'`): string {
  return `SELECT ${output} AS metric_output, ${numerator} AS numerator_value, ${denominator} AS denominator_value, ${date} AS business_data_date`;
}

/** A metric whose SQL counts 10^12 rows: it runs until the run is interrupted. */
export function endlessMetric(metric_id: string) {
  return metric(metric_id, `${resultSql('count(*)')} FROM range(1000000) AS a CROSS JOIN range(1000000) AS b`);
}

/** Run parameters for the fixture tables, as the CLI flags or POST /runs carry them. */
export function runParameters<T extends object>(gcsPath: string, overrides?: T) {
  return {
    gcs_path: gcsPath,
    run_date: RUN_DATE,
    dependencies: ['daily'],
    partition_info_table: PARTITION_INFO,
    env: 'DEV' as const,
    recon_table: RECON,
    ...overrides,
  };
}

/** Writes numbered config files into `dir`: JSON for values, raw text for strings (malformed-JSON cases). */
export function configWriter(dir: string): (content: unknown) => string {
  let written = 0;
  return (content) => {
    const path = join(dir, `metrics-${++written}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
}
