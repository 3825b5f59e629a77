import type { RunResult } from '../../services/pipeline/run-outcome.js';
import { textTable } from './text-table.js';

/** The final summary: one line per metric with its value or its error category. */
export function summaryTable(result: RunResult): string {
  const rows = result.metrics.map((metric) => {
    const breach = metric.tolerance?.outcome === 'Failed' ? ` (tolerance breached: change ${metric.tolerance.change_pct}%, limit ${metric.tolerance.limit_pct}%)` : '';
    const detail = metric.status === 'Passed' ? `${metric.metric_output ?? 'NULL'}${breach}` : (metric.error_category ?? '');
    return [metric.metric_id, metric.status, detail];
  });
  if (result.run_failure) rows.push(['(run)', 'Failed', result.run_failure.error_category]);
  return `${textTable(['metric', 'status', 'value or category'], rows)}\n${runSummaryLine(result)}\n`;
}

/** One line for a run: its id, status and counts (a backfill prints one per date). */
export function runSummaryLine(result: RunResult): string {
  const passed = result.metrics.filter((metric) => metric.status === 'Passed').length;
  return `run ${result.run_id}: ${result.status}, ${passed} passed, ${result.metrics.length - passed} failed`;
}
