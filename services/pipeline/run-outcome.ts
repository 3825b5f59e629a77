import type { ErrorCategory } from '../errors.js';
import type { RunParameters } from './run-parameters.js';
import type { ToleranceCheck } from './tolerance.js';

export type MetricStatus = 'Passed' | 'Failed';

/** The fate of one selected metric in one run. */
export interface MetricOutcome {
  metric_id: string;
  metric_name: string;
  status: MetricStatus;
  error_category: ErrorCategory | null;
  /** 'Metric data was successfully written.' or the one-line failure reason. */
  reason: string;
  target_table: string;
  /** The metric_output written, as exact decimal text (null when NULL or Failed). */
  metric_output: string | null;
  /** The check against the metric's history; null when it has no tolerance_pct. */
  tolerance: ToleranceCheck | null;
  started_at: string;
  finished_at: string;
  duration_ms: number;
}

/** How a finished run ended; a run still queued or running has no such status yet. */
export const FINISHED_RUN_STATUSES = ['succeeded', 'partial', 'failed'] as const;
export type FinishedRunStatus = (typeof FINISHED_RUN_STATUSES)[number];

/** A run-level failure (docs/contract.md#recon-rows): one '__run__' recon row, no metric rows. */
export interface RunFailure {
  error_category: ErrorCategory;
  reason: string;
}

export interface RunResult {
  run_id: string;
  parameters: RunParameters;
  status: FinishedRunStatus;
  metrics: MetricOutcome[];
  run_failure: RunFailure | null;
  started_at: string;
  finished_at: string;
}

/** succeeded: every metric Passed; partial: some Failed; failed: all Failed or the run failed as a whole. */
export function runStatusOf(metrics: { status: string }[], runFailure: RunFailure | null): FinishedRunStatus {
  if (runFailure !== null) return 'failed';
  const failed = metrics.filter((metric) => metric.status === 'Failed').length;
  if (failed === 0) return 'succeeded';
  return failed === metrics.length ? 'failed' : 'partial';
}
