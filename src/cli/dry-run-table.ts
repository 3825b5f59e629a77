import type { DryRunReport } from '../../services/pipeline/dry-run-report.js';
import { textTable } from './text-table.js';

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/**
 * A dry run's report for the terminal: one line per metric (would it run,
 * bytes, partition dates), the reason of each metric that would fail below
 * the table (they are long), and the total.
 */
export function dryRunTable(report: DryRunReport): string {
  if ('run_failure' in report) {
    return `dry run, nothing written: the run would fail as a whole (${report.run_failure.error_category})\n`;
  }
  const rows = report.metrics.map((metric) => {
    const dates = Object.entries(metric.partition_dates).map(([name, date]) => `${name}=${date}`).join(', ');
    return [metric.metric_id, metric.ok ? 'ok' : 'would fail', metric.bytes_processed ?? 'unknown', dates, metric.error_category ?? ''];
  });
  const table = textTable(['metric', 'dry run', 'bytes processed', 'partition dates', 'category'], rows);
  const failing = report.metrics.filter((metric) => !metric.ok);
  const reasons = failing.map((metric) => `${metric.metric_id}: ${metric.error_category ?? ''}: ${metric.reason ?? ''}\n`).join('');
  const total = report.bytes_total === null ? 'unknown' : `${report.bytes_total} (${readableBytes(report.bytes_total)})`;
  const counts = `${report.metrics.length - failing.length} ok, ${failing.length} would fail`;
  return `${table}\n${reasons}dry run, nothing written: ${counts}; bytes processed in total: ${total}\n`;
}

/** Integer bytes as a person reads them: '5000000000' is '4.7 GiB'. For display only; the exact figure goes beside it. */
function readableBytes(bytes: string): string {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
