import t from 'tap';
import type { MetricOutcome, RunResult } from '../../../services/pipeline/run-outcome.js';
import { summaryTable } from '../../../src/cli/summary-table.js';
import { runParameters } from '../../helpers/fixtures.js';

const outcome = (metric_id: string, overrides: Partial<MetricOutcome> = {}): MetricOutcome => ({
  metric_id,
  metric_name: metric_id,
  status: 'Passed',
  error_category: null,
  reason: 'Metric data was successfully written.',
  target_table: 'p.d.t',
  metric_output: '120.000000000',
  tolerance: null,
  started_at: '2024-01-15T00:00:00.000Z',
  finished_at: '2024-01-15T00:00:01.000Z',
  duration_ms: 1000,
  ...overrides,
});

const result = (metrics: MetricOutcome[]): RunResult => ({
  run_id: 'r1',
  parameters: { ...runParameters('cfg.json'), dependencies: ['daily'] },
  status: 'succeeded',
  metrics,
  run_failure: null,
  started_at: '2024-01-15T00:00:00.000Z',
  finished_at: '2024-01-15T00:00:01.000Z',
});

t.test('a passed metric whose tolerance was breached shows the change and the limit beside its value', async (t) => {
  const breached = { baseline: '100.000000000', change_pct: '20', limit_pct: '10', outcome: 'Failed' as const };
  const passed = { ...breached, change_pct: '5', outcome: 'Passed' as const };
  const text = summaryTable(result([outcome('hot', { tolerance: breached }), outcome('calm', { tolerance: passed })]));
  t.match(text, /hot\s*│\s*Passed\s*│\s*120\.000000000 \(tolerance breached: change 20%, limit 10%\)/);
  t.match(text, /calm\s*│\s*Passed\s*│\s*120\.000000000\s*│/);
});
