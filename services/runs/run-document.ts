import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ERROR_CATEGORIES } from '../errors.js';
import { FINISHED_RUN_STATUSES, type MetricOutcome, type RunResult } from '../pipeline/run-outcome.js';
import type { RunParameters } from '../pipeline/run-parameters.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = (description: string) => Nullable(Type.String({ description: `${description} (ISO 8601, UTC)` }));

const ErrorCategoryText = Type.String({ description: `One of ${ERROR_CATEGORIES.join(', ')}` });

export const RUN_STATUSES = ['queued', 'running', ...FINISHED_RUN_STATUSES] as const;
const RunStatusSchema = Type.Union(RUN_STATUSES.map((status) => Type.Literal(status)));
export type RunStatus = (typeof RUN_STATUSES)[number];

export const ToleranceCheckSchema = Type.Object(
  {
    baseline: Nullable(Type.String({ description: 'The previous value or the mean of the N latest earlier values; null when none (or read from the recon table)' })),
    change_pct: Nullable(Type.String({ description: '|value − baseline| ÷ |baseline| × 100; null when undefined (or read from the recon table)' })),
    limit_pct: Type.String({ description: 'tolerance_pct as configured' }),
    outcome: Type.Union(['Passed', 'Failed', 'NA'].map((outcome) => Type.Literal(outcome)), {
      description: "NA: no baseline yet, a NULL value, a zero baseline, or the metric failed before it was judged",
    }),
  },
  { description: "The metric's check against its own history; null when it has no tolerance_pct" },
);

export const MetricEntrySchema = Type.Object({
  metric_id: Type.String(),
  metric_name: Type.String(),
  status: Type.Union(['pending', 'running', 'Passed', 'Failed'].map((status) => Type.Literal(status))),
  error_category: Nullable(ErrorCategoryText),
  reason: Nullable(Type.String({ description: 'The recon reason: success text or the one-line failure' })),
  target_table: Type.String({ description: 'project.dataset.table; dataset.table when read from the recon table, which does not record the project' }),
  started_at: Timestamp('When the metric started; unknown for runs read from the recon table'),
  finished_at: Timestamp('When its fate was recorded'),
  duration_ms: Nullable(Type.Integer({ description: 'Known only to the instance that ran it' })),
  tolerance: Nullable(ToleranceCheckSchema),
});

export const RunParametersDocumentSchema = Type.Object(
  {
    gcs_path: Nullable(Type.String()),
    run_date: Type.String(),
    dependencies: Nullable(Type.Array(Type.String())),
    partition_info_table: Nullable(Type.String()),
    env: Type.String(),
    recon_table: Type.String(),
    metric_ids: Nullable(Type.Array(Type.String(), { description: 'The metrics the run was asked to run; null: every metric of the dependencies' })),
    retry_failed_of: Nullable(Type.String({ description: 'The run whose Failed metrics this run retries' })),
    only_missing: Nullable(Type.Boolean({ description: 'Metrics that already had a Passed recon row for the date were left out' })),
  },
  { description: 'The run parameters; those the recon table does not record are null for runs read from it' },
);

export const RunCountsSchema = Type.Object({
  metrics: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  pending: Type.Integer({ description: 'Not finished yet (queued or running)' }),
});

export const RunDocumentSchema = Type.Object(
  {
    run_id: Type.String(),
    status: RunStatusSchema,
    source: Type.Union([Type.Literal('instance'), Type.Literal('recon_table')], {
      description: 'instance: answered by the instance running (or having run) it; recon_table: read from the audit trail',
    }),
    parameters: RunParametersDocumentSchema,
    counts: RunCountsSchema,
    metrics: Type.Array(MetricEntrySchema),
    run_failure: Nullable(Type.Object({ error_category: ErrorCategoryText, reason: Type.String() })),
    retry_of: Nullable(Type.String({ description: 'The run whose Failed metrics this run retried (its recon rows say so); null for other runs' })),
    accepted_at: Timestamp('When this instance accepted the run; unknown from the recon table'),
    started_at: Timestamp('When execution began'),
    finished_at: Timestamp('When the run ended'),
  },
  { description: 'One run: its status, counts and one entry per selected metric' },
);

export const RunSummarySchema = Type.Object({
  run_id: Type.String(),
  status: RunStatusSchema,
  run_date: Type.String(),
  env: Type.String(),
  finished_at: Timestamp('When its last recon row was written; null while in flight'),
  counts: RunCountsSchema,
});

/** POST /runs with only_missing when every selected metric already Passed on the date: nothing ran. */
export const SkippedRunSchema = Type.Object(
  { status: Type.Literal('skipped'), run_date: Type.String() },
  { description: 'Every selected metric already has a Passed recon row for run_date: no run was started' },
);

export type MetricEntry = Static<typeof MetricEntrySchema>;
export type RunDocument = Static<typeof RunDocumentSchema>;
export type RunParametersDocument = Static<typeof RunParametersDocumentSchema>;
export type SkippedRun = Static<typeof SkippedRunSchema>;
export type RunCounts = Static<typeof RunCountsSchema>;
export type RunSummary = Static<typeof RunSummarySchema>;

/** One line of a run listing. */
export function summaryOf(document: RunDocument): RunSummary {
  const { run_id, status, parameters, finished_at, counts } = document;
  return { run_id, status, run_date: parameters.run_date, env: parameters.env, finished_at, counts };
}

export function countsOf(metrics: MetricEntry[]): RunCounts {
  const passed = metrics.filter((metric) => metric.status === 'Passed').length;
  const failed = metrics.filter((metric) => metric.status === 'Failed').length;
  return { metrics: metrics.length, passed, failed, pending: metrics.length - passed - failed };
}

export function metricEntryOf(outcome: MetricOutcome): MetricEntry {
  return {
    metric_id: outcome.metric_id,
    metric_name: outcome.metric_name,
    status: outcome.status,
    error_category: outcome.error_category,
    reason: outcome.reason,
    target_table: outcome.target_table,
    started_at: outcome.started_at,
    finished_at: outcome.finished_at,
    duration_ms: outcome.duration_ms,
    tolerance: outcome.tolerance,
  };
}

/** The parameters of a run this instance knows, every optional one present (null when not given). */
export function parametersDocumentOf(parameters: RunParameters): RunParametersDocument {
  return { metric_ids: null, retry_failed_of: null, only_missing: null, ...parameters };
}

/** The final document of a run this instance executed, with everything it knows. */
export function documentOfResult(result: RunResult, acceptedAt: string): RunDocument {
  const metrics = result.metrics.map(metricEntryOf);
  return {
    run_id: result.run_id,
    status: result.status,
    source: 'instance',
    parameters: parametersDocumentOf(result.parameters),
    counts: countsOf(metrics),
    metrics,
    run_failure: result.run_failure,
    retry_of: result.parameters.retry_failed_of ?? null,
    accepted_at: acceptedAt,
    started_at: result.started_at,
    finished_at: result.finished_at,
  };
}
