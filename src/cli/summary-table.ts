import Table from 'cli-table3';
import type { RunResult } from '../../services/pipeline/run-outcome.js';

/** The final summary: one line per metric with its value or its error category. */
export function summaryTable(result: RunResult): string {
  const table = new Table({
    head: ['metric', 'status', 'value or category'],
    style: { head: [], border: [], compact: true },
  });
  for (const metric of result.metrics) {
    const breach = metric.tolerance?.outcome === 'Failed' ? ` (tolerance breached: change ${metric.tolerance.change_pct}%, limit ${metric.tolerance.limit_pct}%)` : '';
    const detail = metric.status === 'Passed' ? `${metric.metric_output ?? 'NULL'}${breach}` : (metric.error_category ?? '');
    table.push([metric.metric_id, metric.status, detail]);
  }
  if (result.run_failure) table.push(['(run)', 'Failed', result.run_failure.error_category]);
  const passed = result.metrics.filter((metric) => metric.status === 'Passed').length;
  return `${table.toString()}\nrun ${result.run_id}: ${result.status}, ${passed} passed, ${result.metrics.length - passed} failed\n`;
}
